#pragma once

#include <functional>

namespace pgdrift::util {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and starts a watcher thread. On such
// a signal the watcher runs every registered cleanup (newest first) and ends the process with
// 128 + the signal number (130 for SIGINT, 143 for SIGTERM). Call first thing in main, before
// any other thread exists, so every thread inherits the mask. Safe to call more than once.
void install_termination_handler();

// When a termination signal is being handled, blocks until the watcher ends the process (never
// returns); otherwise returns at once. Call before reporting an error or returning from main,
// so the process does not exit (or print a misleading error) while cleanups still run.
void defer_to_pending_termination();

// Registers `cleanup` to run if the process is terminated by a signal while this object lives.
// Cleanups run on the watcher thread and must only do what is safe concurrently with the main
// thread: kill processes, remove directories, open fresh connections.
class CleanupRegistration {
 public:
  explicit CleanupRegistration(std::function<void()> cleanup);
  ~CleanupRegistration();
  CleanupRegistration(const CleanupRegistration&) = delete;
  CleanupRegistration& operator=(const CleanupRegistration&) = delete;

 private:
  unsigned long m_id;
};

}  // namespace pgdrift::util
