#include "pgdrift/util/signals.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace pgdrift::util {

namespace {

// Allocated once and never freed: the watcher thread may still use them while exit() runs the
// static destructors of the main thread.
// Recursive: a cleanup may start a process (docker rm), which registers a cleanup of its own;
// added during the run, that one is not run (the map is walked from its newest entry down).
std::recursive_mutex& g_mutex = *new std::recursive_mutex;
std::map<unsigned long, std::function<void()>>& g_cleanups = *new std::map<unsigned long, std::function<void()>>;
unsigned long g_next_id = 1;
std::once_flag g_installed;

[[noreturn]] void watch(sigset_t signals) {
  while (true) {
    int signo = 0;
    if (sigwait(&signals, &signo) != 0) continue;
    // Held until _exit: a registration being destroyed on the main thread now waits for us,
    // so nothing is torn down twice, and defer_to_pending_termination() waits for _exit.
    std::lock_guard<std::recursive_mutex> lock(g_mutex);
    const std::string note = std::string("pgdrift: interrupted by ") + (signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "SIGHUP") +
                             ", cleaning up\n";
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, note.data(), note.size());
    for (auto it = g_cleanups.rbegin(); it != g_cleanups.rend(); ++it) {
      try {
        it->second();
      } catch (...) {
        // Best effort: the remaining cleanups still run.
      }
    }
    _exit(128 + signo);
  }
}

}  // namespace

void install_termination_handler() {
  std::call_once(g_installed, [] {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread(watch, signals).detach();
  });
}

void defer_to_pending_termination() {
  // Taking the lock is the test: the watcher holds it from the signal until _exit, so while a
  // cleanup runs this blocks for good; otherwise it returns at once.
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
}

CleanupRegistration::CleanupRegistration(std::function<void()> cleanup) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  m_id = g_next_id++;
  g_cleanups.emplace(m_id, std::move(cleanup));
}

CleanupRegistration::~CleanupRegistration() {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  g_cleanups.erase(m_id);
}

}  // namespace pgdrift::util
