#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/user.hpp"

namespace pgdrift::util {

// Linux namespaces a child starts in, so untrusted code it runs cannot reach the network, other
// servers' unix sockets or the caller's files: a network namespace with only its own loopback,
// private System V IPC, and a private mount table in which every `hide` directory is covered by
// an empty tmpfs (a `keep` directory inside one is bound back in place). As non-root, a user
// namespace mapping the caller's uid and gid to themselves makes this possible.
struct Isolation {
  std::vector<std::filesystem::path> hide;  // absent ones are skipped
  std::vector<std::filesystem::path> keep;  // must exist
};

// Whether this process may start children isolated (probed once with a short-lived child): as
// root it needs CAP_SYS_ADMIN (absent in an unprivileged container), otherwise user namespaces.
bool isolation_available();

// How to start a child process. Always an argv vector and an explicit environment: never a shell.
// Every child leads a process group of its own, so stopping it stops its children too.
struct ProcessSpec {
  std::vector<std::string> argv;        // argv[0] is a path or a name looked up in env's PATH
  Environment env;                      // the child's whole environment
  std::filesystem::path cwd;            // empty: inherit
  std::filesystem::path output_file;    // stdout (and stderr, unless error_file) written here; empty: /dev/null
  std::filesystem::path error_file;     // stderr written here instead, when set (with output_file)
  bool inherit_output = false;          // true: stdout/stderr go to ours (output_file ignored)
  std::optional<Account> run_as;        // switch to this account in the child (root only)
  std::optional<Isolation> isolation;   // start it in namespaces (see isolation_available())
};

// How a child ended.
struct ExitStatus {
  int code = -1;         // exit code, or -1 when killed by a signal
  int signal = 0;        // the terminating signal, or 0
  bool timed_out = false;
  bool ok() const { return code == 0 && !timed_out; }
  std::string describe() const;  // "exit code 2", "killed by signal 9", "timed out"
};

// A running child. The destructor never leaves it behind: it sends SIGTERM, waits briefly,
// then SIGKILL (never relying on a library destructor to do it). Signals go to its whole process
// group; a termination signal to pgdrift kills the group (SIGKILL) while the Process lives.
class Process {
 public:
  // Starts the child. Throws pgdrift::Error (infrastructure) when it cannot be started.
  explicit Process(const ProcessSpec& spec);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  Process(Process&&) noexcept;
  Process& operator=(Process&&) noexcept;

  int pid() const;
  bool running();
  // Waits until the child exits or `timeout` passes (then ExitStatus::timed_out is set and the
  // child keeps running). A zero timeout waits forever.
  ExitStatus wait(std::chrono::milliseconds timeout = std::chrono::milliseconds{0});
  void send_signal(int signo);
  // `first` (e.g. SIGTERM) to the child, up to `grace` to exit, then SIGKILL to its group; what
  // remains of its group afterwards is killed too. Returns how it ended.
  ExitStatus stop(int first, std::chrono::milliseconds grace);
  // SIGKILL to every process left in the child's group (its leader may have ended).
  void kill_group();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Runs a child to completion and returns its status with its combined output.
// A non-zero timeout kills the child (SIGTERM, then SIGKILL) once it passes.
struct RunResult {
  ExitStatus status;
  std::string output;
};
RunResult run_process(const ProcessSpec& spec, std::chrono::milliseconds timeout);

// The absolute path of executable `name` searched in `path_env` (a PATH value), or nullopt.
std::optional<std::filesystem::path> find_executable(const std::string& name,
                                                     const std::string& path_env);

// The last `max_lines` lines of `text`.
std::string last_lines(const std::string& text, std::size_t max_lines);

}  // namespace pgdrift::util
