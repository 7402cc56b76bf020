#include "drift_support.hpp"
#include "framework_stage.hpp"
#include "judge_support.hpp"
#include "lint_support.hpp"
#include "output.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"
#include "source.hpp"
#include "verify_pipeline.hpp"

namespace pgdrift::cli {

int verify_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  VerifyRun run(load_config(common, flags, io), io);
  auto& cfg = run.cfg;
  validate_lint_config(cfg);
  if (drift.model) cfg.model.file = *drift.model;
  if (drift.model_command) cfg.model.command = util::split_command_line(*drift.model_command);
  const auto targets = targets_of(cfg, drift.targets, io);
  const bool framework = !cfg.migrations.command.empty();
  if (framework) {
    // A git base names files; framework migrations are code whose statements exist only once run.
    const auto base = choose_base(cfg, io.env);
    if (base && (base->origin == history::BaseOrigin::flag || base->origin == history::BaseOrigin::config)) {
      throw usage_error("--base (migrations.base) does not apply to framework migrations (--command)",
                        "pass --base none: the migrations every target's history table lists are the history "
                        "(README \"Framework migrations\")");
    }
  } else if (cfg.migrations.dir.empty()) {
    throw usage_error("no migrations directory given", "pass --migrations DIR, or set migrations.dir in pgdrift.yml");
  }
  const auto format = migrations::parse_format(cfg.migrations.format);
  if (!format && !framework) {
    throw usage_error("unknown migrations format '" + cfg.migrations.format + "'",
                      "use one of: auto, plain, flyway, golang-migrate, dbmate, goose, prisma, drizzle, diesel");
  }
  run.verbose = common.verbose;
  run.interactive = interactive(common, flags.json, io);
  auto& report = run.report;
  report.command = "verify";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  try {
    run.introspection = introspect_options(cfg);
    run.comparison = compare_options(cfg);
    if (framework) {
      if (!capture_stage(run)) {
        report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        sort_findings(report.findings);
        write_outputs(report, common, flags, cfg.migrations.dir, io);
        return report::exit_code(report);
      }
    } else {
      run.discovery = migrations::discover({cfg.migrations.dir, *format, cfg.migrations.vars});
      report.migrations_dir = cfg.migrations.dir;
      report.format = std::string(migrations::to_string(run.discovery.format));
    }

    // With -v, each stage says how long it took.
    auto stage_started = Clock::now();
    const auto timed = [&](const char* stage) {
      const auto now = Clock::now();
      if (run.verbose) {
        io.err << "pgdrift: " << stage << " took "
               << static_cast<long>(std::chrono::duration<double, std::milli>(now - stage_started).count()) << " ms\n";
      }
      stage_started = now;
    };
    timed("discovery");
    read_targets(run, targets);
    timed("reading the targets' history");
    judge_stage(run);
    timed("judging (new vs history)");
    replay_and_lint(run);
    timed("replay and lint");
    model_stage(run);
    drift_stage(run);
    timed("model and drift");
    // The replay cache's copy may still be running in the background: its outcome is reported.
    if (const auto why = run.backend->wait_for_snapshot(); !why.empty() && report.judged.cache == "saved") {
      report.judged.cache = "not saved: " + why;
    }
    run.canonicalizer.reset();  // its session first, then the server
    run.backend->stop();
    timed("stopping the sandbox");
    if (run.framework) locate_captured(report, *run.framework);
    apply_severity_overrides(report.findings, cfg);
    sort_findings(report.findings);
  } catch (const Error& e) {
    report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    write_error_reports(report, e, flags, cfg.migrations.dir, io);
    throw;
  }
  if (!run.infrastructure_errors.empty()) {
    report.error_exit_code = static_cast<int>(ExitCode::infrastructure);
    report.error_message = util::join(run.infrastructure_errors, "; ");
    report.error_hint = "the other targets were still checked; see the drift/target-unreachable findings";
  }
  report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  write_outputs(report, common, flags, cfg.migrations.dir, io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
