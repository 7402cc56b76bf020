#include "pgdrift/util/temp_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <mutex>
#include <sstream>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/signals.hpp"

namespace pgdrift::util {

namespace {

// remove_all, and when a read-only directory inside (a cached cluster is kept read only) stops
// it, again after giving the owner write access to every directory.
void remove_tree(const std::filesystem::path& dir, std::error_code& ec) {
  std::filesystem::remove_all(dir, ec);
  if (!ec || ec != std::errc::permission_denied) return;
  std::error_code ignored;
  const auto open_up = std::filesystem::perms::owner_all;
  std::filesystem::permissions(dir, open_up, std::filesystem::perm_options::add, ignored);
  for (std::filesystem::recursive_directory_iterator it(dir, ignored), end; !ignored && it != end;
       it.increment(ignored)) {
    std::error_code chmod_ec;
    if (!it->is_symlink(chmod_ec) && it->is_directory(chmod_ec)) {
      std::filesystem::permissions(it->path(), open_up, std::filesystem::perm_options::add, chmod_ec);
    }
  }
  std::filesystem::remove_all(dir, ec);
}

// Field 22 of /proc/<pid>/stat: when the process started (clock ticks since boot); "" if gone.
std::string start_time_of(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
  }
  return field;
}

}  // namespace

// What a termination signal must remove: the path, once it exists.
struct TempDir::Guard {
  std::mutex mutex;
  std::filesystem::path path;
  std::unique_ptr<CleanupRegistration> registration;

  void set(std::filesystem::path p) {
    std::lock_guard<std::mutex> lock(mutex);
    path = std::move(p);
  }
};

TempDir::TempDir(const std::filesystem::path& base, const std::string& prefix, bool owned)
    : m_guard(std::make_shared<Guard>()) {
  m_guard->registration = std::make_unique<CleanupRegistration>([guard = m_guard.get()] {
    std::lock_guard<std::mutex> lock(guard->mutex);
    std::error_code ignored;
    if (!guard->path.empty()) remove_tree(guard->path, ignored);
  });
  std::string pattern = (base / (prefix + "XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  {
    // Held across creation: a signal now waits until the path is known.
    std::lock_guard<std::mutex> lock(m_guard->mutex);
    if (mkdtemp(buffer.data()) == nullptr) {
      throw infra_error("cannot create a temporary directory in " + base.string() + ": " +
                            std::strerror(errno),
                        "check that the directory exists and is writable, or set TMPDIR");
    }
    m_guard->path = buffer.data();
  }
  m_path = buffer.data();
  if (owned) std::ofstream(m_path / k_owner_file) << ::getpid() << " " << start_time_of(::getpid()) << "\n";
}

TempDir::~TempDir() {
  if (!m_path.empty()) {
    std::error_code ignored;
    remove_tree(m_path, ignored);
  }
  if (m_guard) m_guard->set({});
}

TempDir::TempDir(TempDir&& other) noexcept : m_path(std::move(other.m_path)), m_guard(std::move(other.m_guard)) {
  other.m_path.clear();
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ignored;
    if (!m_path.empty()) remove_tree(m_path, ignored);
    if (m_guard) m_guard->set({});
    m_path = std::move(other.m_path);
    m_guard = std::move(other.m_guard);
    other.m_path.clear();
  }
  return *this;
}

void TempDir::remove() {
  if (m_path.empty()) return;
  std::error_code ec;
  remove_tree(m_path, ec);
  if (ec) throw infra_error("cannot remove " + m_path.string() + ": " + ec.message());
  m_path.clear();
  if (m_guard) m_guard->set({});
}

std::filesystem::path TempDir::release() noexcept {
  auto path = std::move(m_path);
  m_path.clear();
  if (m_guard) m_guard->set({});
  return path;
}

bool owner_gone(const std::filesystem::path& dir) {
  // Only a small regular file of our own, never through a link or into a FIFO.
  const int fd = ::open((dir / k_owner_file).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat info {};
  char buffer[64] = {};
  const bool ours = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_uid == ::geteuid();
  const ssize_t got = ours ? ::read(fd, buffer, sizeof buffer - 1) : -1;
  ::close(fd);
  if (got <= 0) return false;
  std::istringstream in(std::string(buffer, static_cast<std::size_t>(got)));
  long pid = 0;
  std::string started;
  if (!(in >> pid >> started) || pid <= 0) return false;
  const auto now = start_time_of(pid);
  return now.empty() || now != started;
}

std::filesystem::path temp_base(const std::string& tmpdir_env_value) {
  if (!tmpdir_env_value.empty()) return tmpdir_env_value;
  return "/tmp";
}

}  // namespace pgdrift::util
