#include "isolation.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace pgdrift::util {

namespace detail {

namespace {

bool inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (d->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

bool write_all(const char* file, const std::string& text) {
  const int fd = ::open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// "/proc/self/fd/<fd>" into `out` without allocating.
void fd_path(int fd, char (&out)[32]) {
  const char prefix[] = "/proc/self/fd/";
  std::memcpy(out, prefix, sizeof prefix - 1);
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0);
  std::size_t at = sizeof prefix - 1;
  while (n > 0) out[at++] = digits[--n];
  out[at] = '\0';
}

// The network namespace's loopback is down when created: bring it up, so that software
// expecting 127.0.0.1 inside (PostgreSQL before 15 sends its statistics over it) still works.
bool loopback_up() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0;
  if (ok) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
    ok = ::ioctl(fd, SIOCSIFFLAGS, &request) == 0;
  }
  ::close(fd);
  return ok;
}

}  // namespace

IsolationPlan plan_isolation(const Isolation& isolation) {
  IsolationPlan plan;
  plan.user_namespace = ::geteuid() != 0;
  plan.uid_map = std::to_string(::geteuid()) + " " + std::to_string(::geteuid()) + " 1\n";
  plan.gid_map = std::to_string(::getegid()) + " " + std::to_string(::getegid()) + " 1\n";
  std::vector<std::filesystem::path> hide;
  for (const auto& dir : isolation.hide) {
    std::error_code ec;
    // A link (/var/run → /run, a cache directory on a CI mount) is covered at its target.
    if (!std::filesystem::is_directory(std::filesystem::status(dir, ec))) continue;
    const auto canonical = std::filesystem::weakly_canonical(dir, ec).lexically_normal();
    // Never the system itself (a TMPDIR or HOME of /, /usr, …): the server must still run.
    bool system = false;
    for (const char* root : {"/", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc"}) {
      system = system || canonical == std::filesystem::path(root);
    }
    if (!system) hide.push_back(canonical);
  }
  for (const auto& dir : hide) {
    bool nested = false;
    for (const auto& other : hide) {
      if (other != dir && inside(dir, other)) nested = true;
    }
    bool duplicate = false;
    for (const auto& taken : plan.hide) duplicate = duplicate || taken == dir.string();
    if (!nested && !duplicate) plan.hide.push_back(dir.string());
  }
  for (const auto& raw : isolation.keep) {
    std::error_code ec;
    const auto keep = std::filesystem::weakly_canonical(raw, ec).lexically_normal();
    for (const auto& dir : plan.hide) {
      if (!inside(keep, dir) || keep == std::filesystem::path(dir)) continue;
      std::vector<std::string> mkdirs;
      const std::filesystem::path hidden = dir;
      std::filesystem::path at = hidden;
      const auto depth = std::distance(hidden.begin(), hidden.end());
      for (auto part = std::next(keep.begin(), depth); part != keep.end(); ++part) {
        if (part->empty()) continue;
        at /= *part;
        mkdirs.push_back(at.string());
      }
      plan.keep.push_back(keep.string());
      plan.keep_mkdirs.push_back(std::move(mkdirs));
      break;
    }
  }
  plan.keep_fds.assign(plan.keep.size(), -1);
  return plan;
}

const char* apply_isolation(IsolationPlan& plan) {
  if (plan.user_namespace) {
    // A non-dumpable process's /proc/self files are root's: this child must write its maps.
    if (::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) return "prctl(PR_SET_DUMPABLE)";
    if (::unshare(CLONE_NEWUSER) != 0) return "unshare(CLONE_NEWUSER)";
    if (!write_all("/proc/self/setgroups", "deny")) return "writing /proc/self/setgroups";
    if (!write_all("/proc/self/uid_map", plan.uid_map)) return "writing /proc/self/uid_map";
    if (!write_all("/proc/self/gid_map", plan.gid_map)) return "writing /proc/self/gid_map";
  }
  if (::unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC) != 0) return "unshare(CLONE_NEWNET|CLONE_NEWNS|CLONE_NEWIPC)";
  if (!loopback_up()) return "bringing up the loopback interface";
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return "making mounts private";
  // Opened in the new mount namespace (a directory of the old one cannot be bound into it) and
  // before anything covers them.
  for (std::size_t i = 0; i < plan.keep.size(); ++i) {
    plan.keep_fds[i] = ::open(plan.keep[i].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (plan.keep_fds[i] < 0) return "opening a directory to keep";
  }
  // /proc last: binding goes through /proc/self/fd.
  const auto cover = [](const std::string& dir) {
    // Bounded: what a migration writes there lives in memory.
    return ::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=256m,nr_inodes=65536") == 0;
  };
  for (const auto& dir : plan.hide) {
    if (dir != "/proc" && !cover(dir)) return "covering a directory with tmpfs";
  }
  for (std::size_t i = 0; i < plan.keep.size(); ++i) {
    for (const auto& dir : plan.keep_mkdirs[i]) {
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return "creating a mount point";
    }
    char source[32];
    fd_path(plan.keep_fds[i], source);
    if (::mount(source, plan.keep[i].c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      return "binding a kept directory";
    }
    ::close(plan.keep_fds[i]);
  }
  for (const auto& dir : plan.hide) {
    if (dir == "/proc" && !cover(dir)) return "covering /proc with tmpfs";
  }
  return nullptr;
}

}  // namespace detail

bool isolation_available() {
  static std::once_flag probed;
  static bool available = false;
  std::call_once(probed, [] {
    auto plan = detail::plan_isolation({});
    const pid_t pid = ::fork();
    if (pid == 0) _exit(detail::apply_isolation(plan) == nullptr ? 0 : 1);
    if (pid < 0) return;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    available = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  });
  return available;
}

}  // namespace pgdrift::util
