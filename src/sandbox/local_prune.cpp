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

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Ends the postmaster a leftover run directory names, if it still runs there: its process group
// (the server and its backends), and as root every process of the sandbox's own uid.
void end_server(const fs::path& dir) {
  const auto pid_file = read_text(dir / "data" / "postmaster.pid");
  const long pid = std::atol(pid_file.c_str());
  if (pid > 0) {
    // The pid may have been reused since: only a process started on this very data directory.
    const auto cmdline = read_text("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmdline.find((dir / "data").string()) != std::string::npos) {
      ::kill(static_cast<pid_t>(-pid), SIGKILL);
      ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
  }
  struct stat info {};
  if (util::running_as_root() && ::stat(dir.c_str(), &info) == 0 && info.st_uid >= k_run_uid_base) {
    util::kill_processes_of(util::Account{info.st_uid, info.st_uid, "uid " + std::to_string(info.st_uid)});
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
      struct stat owner {};
      const bool ours = ::stat((dir / util::k_owner_file).c_str(), &owner) == 0 &&
                        (util::running_as_root() || owner.st_uid == ::geteuid());
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
