#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/util/user.hpp"
#include "template_cache.hpp"

namespace pgdrift::sandbox {

namespace {

namespace fs = std::filesystem;

// Sandbox servers run as uids from here up (util::run_account_if_root()).
constexpr uid_t k_run_uid_base = 1'900'000'000;

// The first line of a small regular file, never through a link or into a FIFO; "" otherwise.
std::string first_line(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat info {};
  char buffer[256] = {};
  const ssize_t got = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) ? ::read(fd, buffer, sizeof buffer - 1) : -1;
  ::close(fd);
  if (got <= 0) return "";
  const std::string text(buffer, static_cast<std::size_t>(got));
  return text.substr(0, text.find('\n'));
}

// Ends the postmaster a leftover run directory names, if it still runs there: its process group
// (the server and its backends), and as root every process of the sandbox's own uid.
void end_server(const fs::path& dir) {
  struct stat data {};
  if (::lstat((dir / "data").c_str(), &data) != 0 || !S_ISDIR(data.st_mode)) return;
  const long pid = std::atol(first_line(dir / "data" / "postmaster.pid").c_str());
  struct stat cwd {};
  // The pid may have been reused since: only a process whose working directory is this very
  // data directory (a postmaster's is) — never one merely mentioning the path.
  if (pid > 0 && ::stat(("/proc/" + std::to_string(pid) + "/cwd").c_str(), &cwd) == 0 &&
      cwd.st_dev == data.st_dev && cwd.st_ino == data.st_ino) {
    ::kill(static_cast<pid_t>(-pid), SIGKILL);
    ::kill(static_cast<pid_t>(pid), SIGKILL);
  }
  if (util::running_as_root() && data.st_uid >= k_run_uid_base) {
    util::kill_processes_of(util::Account{data.st_uid, data.st_uid, "uid " + std::to_string(data.st_uid)});
  }
}

}  // namespace

std::vector<fs::path> prune_local(const Options& options, bool dry_run) {
  std::set<fs::path> bases = {"/dev/shm", "/tmp", "/var/tmp"};
  if (auto tmpdir = env_get(options.env, "TMPDIR"); tmpdir && !tmpdir->empty()) bases.insert(*tmpdir);
  std::vector<fs::path> removed;
  for (const auto& base : bases) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(base, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const auto dir = it->path();
      std::error_code type_error;
      if (!util::starts_with(dir.filename().string(), "pgdrift-") || !it->is_directory(type_error) ||
          it->is_symlink(type_error)) {
        continue;
      }
      // Ours alone (the run directory stays pgdrift's own, the server's account never owns it),
      // looked at without following a link.
      struct stat own {};
      const bool ours = ::lstat(dir.c_str(), &own) == 0 && S_ISDIR(own.st_mode) && own.st_uid == ::geteuid();
      if (!ours || !util::owner_gone(dir)) continue;
      if (!dry_run) {
        end_server(dir);
        std::error_code ignored;
        fs::remove_all(dir, ignored);
        if (fs::exists(dir, ignored)) continue;
      }
      removed.push_back(dir);
    }
  }
  return removed;
}

}  // namespace pgdrift::sandbox
