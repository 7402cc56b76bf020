#include <signal.h>

#include <cerrno>

#include "pgdrift/sandbox/docker_backend.hpp"

namespace pgdrift::sandbox {

namespace {

// True while process `pid` exists on this machine (EPERM: it exists, owned by someone else).
bool process_exists(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

PruneResult prune_docker(const Options& options, bool dry_run) {
  const auto docker = find_docker(options);
  if (!docker) throw missing_docker_error(options);
  const DockerCli cli(*docker, options.env, options.runner);
  const std::string host = this_host();
  PruneResult result;
  for (auto& container : cli.list_labelled()) {
    // A pid means something only on the machine that recorded it; without one, nothing proves
    // the run is over.
    const bool leftover =
        container.host == host && container.pid > 0 && !process_exists(container.pid);
    if (!leftover) {
      result.kept.push_back(std::move(container));
      continue;
    }
    if (!dry_run) cli.remove(container.id);
    result.removed.push_back(std::move(container));
  }
  return result;
}

}  // namespace pgdrift::sandbox
