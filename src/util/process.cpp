#include "pgdrift/util/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <fstream>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>

#include "isolation.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/signals.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"

namespace bp = boost::process;

namespace pgdrift::util {

std::string ExitStatus::describe() const {
  if (timed_out) return "timed out";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(code);
}

struct Process::Impl {
  int pid = 0;
  std::optional<ExitStatus> status;
  // A termination signal to pgdrift kills the child's whole process group.
  std::unique_ptr<CleanupRegistration> cleanup;

  void record(int raw) {
    ExitStatus s;
    if (WIFEXITED(raw)) {
      s.code = WEXITSTATUS(raw);
    } else if (WIFSIGNALED(raw)) {
      s.signal = WTERMSIG(raw);
    }
    status = s;
  }
};

namespace {

std::filesystem::path resolve_executable(const ProcessSpec& spec) {
  const std::string& name = spec.argv.front();
  if (name.find('/') != std::string::npos) return name;
  const auto path_env = env_get(spec.env, "PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  if (auto found = find_executable(name, path_env)) return *found;
  throw infra_error("cannot find '" + name + "' on PATH", "install it or put its directory on PATH");
}

// Runs in the forked child before exec: lead a process group of its own, undo the parent's
// blocked signals, enter namespaces, switch account, and install the environment (all built in
// the parent, so the child allocates nothing).
// Not bp::environment: in Boost 1.74 its find() reads past the end of shorter entries.
// (No PR_SET_PDEATHSIG: Linux fires it when the forking *thread* exits, which would kill a
// server started from a worker thread.)
// Processes a switched account may run at once: a sandbox server needs ~50 (max_connections
// 40 plus its helpers and a migration's COPY PROGRAM children).
constexpr rlim_t k_max_processes = 512;

struct ChildSetup {
  std::optional<Account> run_as;
  char** envp = nullptr;
  detail::IsolationPlan* isolation = nullptr;

  template <typename Executor>
  void operator()(Executor& exec) const {
    exec.env = envp;
    ::setpgid(0, 0);
    // No descriptor of pgdrift's survives exec but stdin/out/err (a cache file being written on
    // another thread, say): marked close-on-exec, so Boost's error pipe still works until then.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Boost 1.74's set_error only reports: the child must end here, never exec half set up.
    const auto fail = [&exec](const char* what) {
      exec.set_error(std::error_code(errno, std::system_category()), what);
      ::_exit(127);
    };
    if (isolation != nullptr) {
      if (const char* failed = detail::apply_isolation(*isolation)) fail(failed);
    }
    if (run_as) {
      // A uid of the sandbox's own: bounded, so a fork bomb stops at its own processes.
      const rlimit processes{k_max_processes, k_max_processes};
      if (::setrlimit(RLIMIT_NPROC, &processes) != 0) fail("cannot limit the number of processes");
      if (setgroups(0, nullptr) != 0 || setgid(run_as->gid) != 0 || setuid(run_as->uid) != 0) {
        fail("cannot switch to the sandbox account");
      }
    }
    // Caged code gains no privilege through setuid programs (su, mount, …).
    if ((isolation != nullptr || run_as) && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
      fail("cannot set no_new_privs");
    }
  }
};

}  // namespace

Process::Process(const ProcessSpec& spec) : m_impl(std::make_unique<Impl>()) {
  if (spec.argv.empty()) throw infra_error("internal error: empty argv for a child process");
  const auto exe = resolve_executable(spec);
  const std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  std::vector<std::string> env_entries;
  env_entries.reserve(spec.env.size());
  for (const auto& [key, value] : spec.env) env_entries.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_entries) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::optional<detail::IsolationPlan> isolation;
  if (spec.isolation) isolation = detail::plan_isolation(*spec.isolation);
  const ChildSetup setup{spec.run_as, envp.data(), isolation ? &*isolation : nullptr};
  const auto on_setup = bp::extend::on_exec_setup = setup;
  const std::string cwd = spec.cwd.empty() ? std::filesystem::current_path().string() : spec.cwd.string();

  // Opened here, empty (Boost 1.74 would not truncate) and never through a symlink: the file may
  // be in a directory a caged child can write to.
  const auto open_output = [](const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw infra_error("cannot open " + file.string() + " for a child's output: " + std::strerror(errno));
    return std::unique_ptr<FILE, int (*)(FILE*)>(::fdopen(fd, "w"), &std::fclose);
  };
  std::unique_ptr<FILE, int (*)(FILE*)> out(nullptr, &std::fclose);
  std::unique_ptr<FILE, int (*)(FILE*)> err(nullptr, &std::fclose);
  if (!spec.inherit_output && !spec.output_file.empty()) out = open_output(spec.output_file);
  if (!spec.inherit_output && !spec.output_file.empty() && !spec.error_file.empty()) err = open_output(spec.error_file);

  try {
    bp::child child;
    if (spec.inherit_output) {
      child = bp::child(exe.string(), bp::args(args), bp::start_dir(cwd), bp::std_in < bp::null,
                        on_setup);
    } else if (!spec.output_file.empty() && !spec.error_file.empty()) {
      child = bp::child(exe.string(), bp::args(args), bp::start_dir(cwd), bp::std_in < bp::null,
                        bp::std_out > out.get(), bp::std_err > err.get(), on_setup);
    } else if (!spec.output_file.empty()) {
      child = bp::child(exe.string(), bp::args(args), bp::start_dir(cwd), bp::std_in < bp::null,
                        (bp::std_out & bp::std_err) > out.get(), on_setup);
    } else {
      child = bp::child(exe.string(), bp::args(args), bp::start_dir(cwd), bp::std_in < bp::null,
                        bp::std_out > bp::null, bp::std_err > bp::null, on_setup);
    }
    m_impl->pid = child.id();
    // From here on we own the pid: reaping and killing are ours, not the library's.
    child.detach();
    // Also set here: a signal may arrive before the child has run its own setpgid.
    ::setpgid(m_impl->pid, m_impl->pid);
    m_impl->cleanup = std::make_unique<CleanupRegistration>([pid = m_impl->pid] { ::kill(-pid, SIGKILL); });
  } catch (const bp::process_error& e) {
    throw infra_error("cannot start " + exe.string() + ": " + e.what());
  }
}

Process::~Process() {
  if (!m_impl || m_impl->pid <= 0 || m_impl->status) return;
  try {
    stop(SIGTERM, std::chrono::milliseconds{2000});
  } catch (...) {
  }
}

Process::Process(Process&&) noexcept = default;
Process& Process::operator=(Process&&) noexcept = default;

int Process::pid() const { return m_impl->pid; }

bool Process::running() {
  if (m_impl->status) return false;
  int raw = 0;
  const pid_t r = waitpid(m_impl->pid, &raw, WNOHANG);
  if (r == m_impl->pid) {
    m_impl->record(raw);
    return false;
  }
  if (r < 0 && errno == ECHILD) {
    m_impl->status = ExitStatus{};
    return false;
  }
  return true;
}

ExitStatus Process::wait(std::chrono::milliseconds timeout) {
  if (m_impl->status) return *m_impl->status;
  if (timeout.count() == 0) {
    int raw = 0;
    while (true) {
      const pid_t r = waitpid(m_impl->pid, &raw, 0);
      if (r == m_impl->pid) {
        m_impl->record(raw);
        break;
      }
      if (r < 0 && errno != EINTR) {
        m_impl->status = ExitStatus{};
        break;
      }
    }
    return *m_impl->status;
  }
  // Poll finely at first (most waits here are short: a server stopping, a quick tool), then
  // back off so long waits cost nothing.
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + timeout;
  while (running()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      ExitStatus s;
      s.timed_out = true;
      return s;
    }
    std::this_thread::sleep_for(now - started < std::chrono::milliseconds{500} ? std::chrono::milliseconds{1}
                                                                              : std::chrono::milliseconds{20});
  }
  return *m_impl->status;
}

void Process::send_signal(int signo) {
  if (!m_impl->status && m_impl->pid > 0) ::kill(m_impl->pid, signo);
}

ExitStatus Process::stop(int first, std::chrono::milliseconds grace) {
  if (m_impl->status) {
    kill_group();
    return *m_impl->status;
  }
  send_signal(first);
  auto status = wait(grace);
  if (status.timed_out) {
    ::kill(-m_impl->pid, SIGKILL);
    status = wait();
  }
  kill_group();
  return status;
}

void Process::kill_group() {
  // The group outlives its leader while a member lives, and its id is not reused meanwhile.
  if (m_impl->pid > 0) ::kill(-m_impl->pid, SIGKILL);
}

RunResult run_process(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  ProcessSpec actual = spec;
  std::optional<TempDir> scratch;
  if (!spec.inherit_output && spec.output_file.empty()) {
    scratch.emplace(temp_base(env_get(current_environment(), "TMPDIR").value_or("")), "pgdrift-out-", true);
    actual.output_file = scratch->path() / "output";
  }
  Process child(actual);
  RunResult result;
  result.status = child.wait(timeout);
  if (result.status.timed_out) {
    child.stop(SIGTERM, std::chrono::milliseconds{2000});
    result.status.timed_out = true;
  }
  child.kill_group();  // whatever it left running in the background
  if (!actual.output_file.empty()) {
    try {
      result.output = read_file(actual.output_file.string());
    } catch (const Error&) {
      // A child that never wrote anything leaves no file behind: empty output.
    }
  }
  return result;
}

std::optional<std::filesystem::path> find_executable(const std::string& name,
                                                     const std::string& path_env) {
  for (const auto& dir : split(path_env, ':')) {
    if (dir.empty()) continue;
    const auto candidate = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::string last_lines(const std::string& text, std::size_t max_lines) {
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  std::size_t pos = end;
  std::size_t lines = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++lines == max_lines) break;
    --pos;
  }
  return text.substr(pos, end - pos);
}

}  // namespace pgdrift::util
