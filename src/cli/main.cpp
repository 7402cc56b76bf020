#include "pgdrift/cli/main.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/signals.hpp"
#include "pgdrift/util/user.hpp"

namespace pgdrift::cli {

namespace {

// Flushes stdout; returns why a write to it failed (now or earlier in the run), or "".
std::string flush_stdout() {
  errno = 0;
  std::cout.flush();
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (std::cout && flushed && std::ferror(stdout) == 0) return "";
  return error != 0 ? std::strerror(error) : "a write failed";
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread exists: SIGINT/SIGTERM then tear down sandboxes and exit 130/143.
  util::install_termination_handler();
  // Processes of the same user (a migration's commands, when not run as root) may then neither
  // trace pgdrift nor read its environment and memory through /proc.
  util::keep_process_private();
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = run(args, std::cout, std::cerr, current_environment());
  util::defer_to_pending_termination();
  // Output that never reached stdout (a full disk, a closed pipe) is no pass and no finding.
  if (const auto error = flush_stdout(); !error.empty()) {
    std::cerr << "pgdrift: error: cannot write to standard output: " << error << "\n";
    code = static_cast<int>(ExitCode::infrastructure);
  }
  return code;
}

}  // namespace pgdrift::cli
