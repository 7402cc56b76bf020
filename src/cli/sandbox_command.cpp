#include <ostream>

#include "commands.hpp"
#include "pgdrift/sandbox/docker_backend.hpp"
#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::cli {

namespace {

std::string short_id(const std::string& id) { return id.substr(0, 12); }

std::string label_of(const sandbox::LabelledContainer& c) {
  return (c.name.empty() ? short_id(c.id) : c.name) + " (" + short_id(c.id) + ")";
}

std::string why_kept(const sandbox::LabelledContainer& c, const std::string& host) {
  if (c.host != host)
    return "made on " + (c.host.empty() ? std::string("an unknown machine") : c.host);
  if (c.pid <= 0) return "no pgdrift.pid label";
  return "pgdrift pid " + std::to_string(c.pid) + " still runs";
}

// "1 <one>" or "N <many>".
std::string count(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

int sandbox_prune_command(const CommonFlags& common, const PruneFlags& flags, Io io) {
  ReplayFlags overrides;
  overrides.docker = flags.docker;
  const auto cfg = load_config(common, overrides, io);

  sandbox::Options options;
  options.docker = cfg.sandbox.docker;
  options.env = io.env;

  // Local sandboxes first: they need nothing but this machine.
  const auto directories = sandbox::prune_local(options, flags.dry_run);
  if (!common.quiet) {
    for (const auto& dir : directories) {
      io.out << (flags.dry_run ? "  would remove " : "  removed ") << dir.string()
             << ": its pgdrift process no longer exists\n";
    }
  }
  io.out << "pgdrift sandbox prune: " << (flags.dry_run ? "would remove " : "removed ")
         << count(directories.size(), "leftover local sandbox directory", "leftover local sandbox directories") << "\n";
  if (!sandbox::find_docker(options)) {
    if (common.verbose) io.out << "pgdrift sandbox prune: no docker CLI, so no containers to look at\n";
    return 0;
  }
  sandbox::PruneResult result;
  try {
    result = sandbox::prune_docker(options, flags.dry_run);
  } catch (const Error& e) {
    // Asked for docker (--docker, sandbox.backend: docker): its failure is the answer.
    if (flags.docker || cfg.sandbox.backend == "docker") throw;
    io.out << "pgdrift sandbox prune: containers not checked: " << e.what() << "\n";
    return 0;
  }
  const std::string host = sandbox::this_host();

  if (!common.quiet) {
    for (const auto& c : result.removed) {
      io.out << (flags.dry_run ? "  would remove " : "  removed ") << label_of(c)
             << ": pgdrift pid " << c.pid << " no longer exists (run " << c.run << ", " << c.status
             << ")\n";
    }
    if (common.verbose) {
      for (const auto& c : result.kept)
        io.out << "  kept " << label_of(c) << ": " << why_kept(c, host) << "\n";
    }
  }
  io.out << "pgdrift sandbox prune: " << (flags.dry_run ? "would remove " : "removed ")
         << count(result.removed.size(), "leftover container", "leftover containers");
  if (!result.kept.empty()) {
    io.out << "; kept " << result.kept.size() << " (run still going, or made on another machine"
           << (common.verbose ? ")" : "; --verbose lists them)");
  }
  io.out << "\n";
  return 0;
}

}  // namespace pgdrift::cli
