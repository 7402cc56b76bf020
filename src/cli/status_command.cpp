#include <chrono>

#include "drift_support.hpp"
#include "output.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"

namespace pgdrift::cli {

int status_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io) {
  const auto started = std::chrono::steady_clock::now();
  const auto cfg = load_config(common, flags, io.env);
  const auto targets = targets_of(cfg, drift.targets);
  if (cfg.migrations.dir.empty()) {
    throw usage_error("no migrations directory given", "pass --migrations DIR, or set migrations.dir in pgdrift.yml");
  }
  if (targets.empty()) {
    throw usage_error("no target to check", "pass --target NAME=URL, or set targets in pgdrift.yml");
  }
  const auto format = migrations::parse_format(cfg.migrations.format);
  if (!format) {
    throw usage_error("unknown migrations format '" + cfg.migrations.format + "'",
                      "use one of: auto, plain, flyway, golang-migrate, dbmate, goose, prisma, drizzle, diesel");
  }
  const auto discovery = migrations::discover({cfg.migrations.dir, *format, cfg.migrations.vars});

  report::Report report;
  report.command = "status";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  report.migrations_dir = cfg.migrations.dir;
  report.format = std::string(migrations::to_string(discovery.format));
  std::vector<std::string> unreachable;
  for (const auto& [name, url] : targets) {
    if (url.empty()) continue;
    try {
      auto connection = open_target(name, url);
      const auto history = history::read(*connection, discovery.format);
      const auto entries = history::compare(discovery.migrations, history, discovery.format);
      const auto found = history_findings(entries, history, discovery.format, name);
      report.findings.insert(report.findings.end(), found.begin(), found.end());
      report.checks.push_back({"history", name, "", name, 0, false, ""});
    } catch (const Error& e) {
      if (e.kind() != Error::Kind::infrastructure) throw;
      unreachable.push_back(e.what());
      report.checks.push_back({"history", name, "", name, 0, true, e.what()});
      Finding f;
      f.rule = "drift/target-unreachable";
      f.target = name;
      f.message = e.what();
      f.hint = e.hint();
      report.findings.push_back(std::move(f));
    }
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
