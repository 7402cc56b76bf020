#include <chrono>
#include <functional>

#include "drift_support.hpp"
#include "framework_stage.hpp"
#include "output.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"

namespace pgdrift::cli {

namespace {

Finding target_finding(const std::string& rule, Severity severity, const std::string& target,
                       const std::string& message, const std::string& hint) {
  Finding f;
  f.rule = rule;
  f.severity = severity;
  f.target = target;
  f.message = message;
  f.hint = hint;
  return f;
}

// Connects to every target with a URL and adds what `read` finds there (retried while the
// catalogs are locked) to `report`, with a "history" check per target; a target without a URL is
// skipped with a notice. Returns the errors of unreachable targets (they make the run exit 3
// after the others were checked).
std::vector<std::string> each_target(const config::Config& cfg, const std::map<std::string, std::string>& targets,
                                     report::Report& report,
                                     const std::function<std::vector<Finding>(db::Connection&, const std::string&)>& read) {
  std::vector<std::string> unreachable;
  for (const auto& [name, url] : targets) {
    if (url.empty()) {
      report.findings.push_back(target_finding("drift/target-skipped", Severity::notice, name,
                                               "target " + name + " has no URL: not checked",
                                               "set its environment variable, or remove it from targets"));
      continue;
    }
    try {
      auto connection = open_target(name, url, cfg.drift.lock_timeout);
      const auto found =
          read_despite_locks(*connection, k_lock_attempts, [&, target = name] { return read(*connection, target); });
      report.findings.insert(report.findings.end(), found.begin(), found.end());
      report.checks.push_back({"history", name, "", name, 0, false, "", ""});
    } catch (const Error& e) {
      if (e.kind() != Error::Kind::infrastructure) throw;
      const auto message = util::redact(e.what());
      unreachable.push_back(message);
      report.checks.push_back({"history", name, "", name, 0, true, message, ""});
      report.findings.push_back(
          target_finding("drift/target-unreachable", Severity::error, name, message, util::redact(e.hint())));
    }
  }
  return unreachable;
}

// Reads every target's history into `report` (see each_target).
std::vector<std::string> check_targets(const config::Config& cfg, const std::map<std::string, std::string>& targets,
                                       migrations::Format format, report::Report& report) {
  const auto discovery = migrations::discover({cfg.migrations.dir, format, cfg.migrations.vars});
  report.format = std::string(migrations::to_string(discovery.format));
  report.migrations_found = discovery.migrations.size();
  return each_target(cfg, targets, report, [&](db::Connection& connection, const std::string& name) {
    const auto history = history::read(connection, discovery.format);
    const auto entries = history::compare(discovery.migrations, history, discovery.format);
    return history_findings(entries, history, discovery.format, name);
  });
}

// The same for framework migrations: the command runs in a sandbox to say which migrations it has.
std::vector<std::string> check_framework_targets(const config::Config& cfg, const std::map<std::string, std::string>& targets,
                                                 const CommonFlags& common, Io io, report::Report& report) {
  auto captured = capture_framework(cfg, io, common.verbose, false, report);
  const auto& command = captured.result.command;
  if (!command || command->exit_code != 0 || command->timed_out) {
    const auto found = replay::findings(captured.result);
    report.findings.insert(report.findings.end(), found.begin(), found.end());
    return {};
  }
  const auto& capture = captured.capture;
  report.format = capture.tool.empty() ? "framework" : capture.tool;
  report.migrations_found = capture.migrations.size();
  return each_target(cfg, targets, report, [&](db::Connection& connection, const std::string& name) {
    std::vector<history::Entry> entries;
    bool found = false;
    return framework_history(connection, capture, name, entries, found);
  });
}

}  // namespace

int status_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io) {
  const auto started = std::chrono::steady_clock::now();
  const auto cfg = load_config(common, flags, io);
  const auto targets = targets_of(cfg, drift.targets, io);
  const bool framework = !cfg.migrations.command.empty();
  if (cfg.migrations.dir.empty() && !framework) {
    throw usage_error("no migrations directory given",
                      "pass --migrations DIR (or --command for framework migrations), or set migrations.dir in "
                      "pgdrift.yml");
  }
  if (targets.empty()) {
    throw usage_error("no target to check", "pass --target NAME=URL, or set targets in pgdrift.yml");
  }
  const auto format = migrations::parse_format(cfg.migrations.format);
  if (!format) {
    throw usage_error("unknown migrations format '" + cfg.migrations.format + "'",
                      "use one of: auto, plain, flyway, golang-migrate, dbmate, goose, prisma, drizzle, diesel");
  }

  report::Report report;
  report.command = "status";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  report.migrations_dir = cfg.migrations.dir;
  std::vector<std::string> unreachable;
  try {
    unreachable = framework ? check_framework_targets(cfg, targets, common, io, report)
                            : check_targets(cfg, targets, *format, report);
  } catch (const Error& e) {
    // CI always gets its report files, also when the run stops with exit 2 or 3.
    write_error_reports(report, e, flags, cfg.migrations.dir, io);
    throw;
  }
  apply_severity_overrides(report.findings, cfg);
  sort_findings(report.findings);
  if (!unreachable.empty()) {
    report.error_exit_code = static_cast<int>(ExitCode::infrastructure);
    report.error_message = util::join(unreachable, "; ");
  }
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  write_outputs(report, common, flags, cfg.migrations.dir, io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
