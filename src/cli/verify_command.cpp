#include <chrono>
#include <set>

#include "drift_support.hpp"
#include "lint_support.hpp"
#include "output.hpp"
#include "pgdrift/diff/findings.hpp"
#include "pgdrift/lint/guard.hpp"
#include "pgdrift/lint/trace.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"
#include "source.hpp"

namespace pgdrift::cli {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The application's declared schema as one migration: the model file, or what the model
// command prints on stdout (kept in `scratch` so errors can point into it).
migrations::Migration load_model(const config::Config& cfg, Io io, std::optional<util::TempDir>& scratch) {
  if (!cfg.model.file.empty()) return migrations::load_file(cfg.model.file, cfg.migrations.vars);
  scratch.emplace(util::temp_base(env_get(io.env, "TMPDIR").value_or("")), "pgdrift-model-");
  util::ProcessSpec spec;
  spec.argv = cfg.model.command;
  spec.env = io.env;
  spec.output_file = scratch->path() / "model.sql";
  spec.error_file = scratch->path() / "stderr.txt";
  const auto run = util::run_process(spec, cfg.replay.command_timeout);
  if (!run.status.ok()) {
    std::string errors;
    try {
      errors = util::last_lines(util::read_file(spec.error_file.string()), 15);
    } catch (const Error&) {
    }
    throw usage_error(util::redact("model command `" + util::join(cfg.model.command, " ") + "` failed (" +
                                   run.status.describe() + ")" + (errors.empty() ? "" : ":\n" + errors)),
                      "run it by hand: it must print the schema as SQL on stdout");
  }
  return migrations::load_file(spec.output_file, cfg.migrations.vars);
}


// 150000 for "15.4" (a server's version string).
int major_version_num(const std::string& version) {
  int major = 0;
  for (const char c : version) {
    if (c < '0' || c > '9') break;
    major = major * 10 + (c - '0');
  }
  return major * 10000;
}

Finding notice(const std::string& rule, const std::string& target, const std::string& message,
               const std::string& hint) {
  Finding f;
  f.rule = rule;
  f.severity = Severity::notice;
  f.target = target;
  f.message = message;
  f.hint = hint;
  return f;
}

}  // namespace

int verify_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io) {
  const auto started = Clock::now();
  auto cfg = load_config(common, flags, io.env);
  validate_lint_config(cfg);
  if (drift.model) cfg.model.file = *drift.model;
  if (drift.model_command) cfg.model.command = util::split_command_line(*drift.model_command);
  const auto targets = targets_of(cfg, drift.targets);
  if (!cfg.migrations.command.empty()) {
    throw usage_error("verify does not support migrations.command (framework-owned migrations) yet",
                      "use `pgdrift replay --command …` for them, and `pgdrift diff` to compare the result");
  }
  if (cfg.migrations.dir.empty()) {
    throw usage_error("no migrations directory given", "pass --migrations DIR, or set migrations.dir in pgdrift.yml");
  }
  const auto format = migrations::parse_format(cfg.migrations.format);
  if (!format) {
    throw usage_error("unknown migrations format '" + cfg.migrations.format + "'",
                      "use one of: auto, plain, flyway, golang-migrate, dbmate, goose, prisma, drizzle, diesel");
  }

  report::Report report;
  report.command = "verify";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  std::vector<std::string> infrastructure_errors;
  try {
    const auto discovery = migrations::discover({cfg.migrations.dir, *format, cfg.migrations.vars});
    report.migrations_dir = cfg.migrations.dir;
    report.format = std::string(migrations::to_string(discovery.format));
    const auto introspection = introspect_options(cfg);
    const auto comparison = compare_options(cfg);

    auto sandbox = sandbox_options(cfg, io.env, io.err, common.verbose);
    sandbox.interactive = interactive(common, flags.json, io);
    auto backend = sandbox::make_backend(sandbox);
    backend->start();
    report.backend = backend->kind();
    report.server_version = backend->server_version();

    // Watchers of the replay: what each statement locks, rewrites and scans, and what each
    // migration drops or narrows.
    std::optional<lint::Tracer> tracer;
    std::optional<lint::DestructiveGuard> guard;
    std::vector<lint::ReplayObserver*> observers;
    if (cfg.lint.trace) observers.push_back(&tracer.emplace());
    if (cfg.lint.destructive) observers.push_back(&guard.emplace(introspection));
    auto replayed = replay_into(*backend, "verify", discovery.migrations, cfg, introspection, observers);
    for (const auto& m : replayed.result.migrations) {
      report.migrations.push_back(migration_row(m));
      report.checks.push_back({"replay", m.migration->display_path, m.migration->display_path, "", m.duration_ms,
                               false, "", ""});
    }
    auto& findings = report.findings;
    findings = replayed.findings;
    // Static lint for the server that replayed them; syntax errors are the replay's to report.
    lint::Options lint_options;
    lint_options.pg_version_num = major_version_num(report.server_version);
    lint_options.report_syntax_errors = false;
    lint_options.format = discovery.format;
    auto linted = static_findings(discovery.migrations, lint_options, cfg);
    std::vector<std::string> lint_rules = static_rule_ids();
    for (auto* observer : observers) {
      for (auto& f : observer->findings()) {
        if (!f.location || !excluded_file(cfg, discovery.migrations, f.location->file)) linted.push_back(std::move(f));
      }
    }
    if (tracer) for (const auto& info : lint::dynamic_rule_infos()) lint_rules.push_back(lint::finding_rule(info.id));
    if (guard) for (const auto& info : lint::destructive_rule_infos()) lint_rules.push_back(lint::finding_rule(info.id));
    lint::drop_static_duplicates(linted);
    lint::apply_directives(linted, discovery.migrations, allow_destructive(cfg, io.env));
    findings.insert(findings.end(), linted.begin(), linted.end());
    add_lint_checks(report, discovery.migrations, lint_rules, cfg);
    if (!replayed.model) {
      findings.push_back(notice("drift/not-checked", "", "drift was not checked: the migrations do not replay",
                                "fix the failing migration first"));
    } else {
      const auto& expected = *replayed.model;
      if (!cfg.model.file.empty() || !cfg.model.command.empty()) {
        const auto model_started = Clock::now();
        std::optional<util::TempDir> scratch;
        const auto model_migration = load_model(cfg, io, scratch);
        auto model = replay_into(*backend, "model", {model_migration}, cfg, introspection);
        if (!model.model) {
          for (auto& f : model.findings) f.target = "model";
          findings.insert(findings.end(), model.findings.begin(), model.findings.end());
        } else {
          const auto differences = without_ignored(diff::compare(expected, *model.model, comparison), cfg);
          const auto found = diff::findings(differences, expected, *model.model, {"model", true});
          findings.insert(findings.end(), found.begin(), found.end());
        }
        report.checks.push_back({"model", "model", cfg.model.file, "model", ms_since(model_started), false, "", ""});
      }
      for (const auto& [name, url] : targets) {
        if (url.empty()) {
          findings.push_back(notice("drift/target-skipped", name, "target " + name + " has no URL: not checked",
                                    "set its environment variable, or remove it from targets"));
          continue;
        }
        const auto target_started = Clock::now();
        try {
          auto connection = open_target(name, url);
          std::vector<history::Entry> entries;
          try {
            const auto history = history::read(*connection, discovery.format);
            // Without a history table nothing is known to be pending: compare with everything.
            if (history.found) entries = history::compare(discovery.migrations, history, discovery.format);
            const auto history_found = history_findings(entries, history, discovery.format, name);
            findings.insert(findings.end(), history_found.begin(), history_found.end());
          } catch (const Error& e) {
            // A role that may read the catalogs but not the history table still gets its drift check.
            Finding f = notice("history/unreadable", name, util::redact(e.what()),
                               "grant SELECT on the history table to this role to check pending migrations");
            f.severity = Severity::warning;
            findings.push_back(std::move(f));
          }
          // Migrations merely pending on the target are not drift: compare with what the
          // applied ones alone build.
          std::set<std::string> pending;
          for (const auto& e : entries) {
            if (e.state == history::State::pending && e.migration != nullptr) pending.insert(e.migration->path.string());
          }
          auto expected_here = expected;
          if (!pending.empty()) {
            std::vector<migrations::Migration> applied;
            for (const auto& m : discovery.migrations) {
              if (pending.count(m.path.string()) == 0) applied.push_back(m);
            }
            auto partial = replay_into(*backend, "applied", applied, cfg, introspection);
            if (partial.model) expected_here = std::move(*partial.model);
          }
          const auto actual = catalog::introspect(*connection, introspection);
          const auto differences = without_ignored(diff::compare(expected_here, actual, comparison), cfg);
          const auto found = diff::findings(differences, expected_here, actual, {name, false});
          findings.insert(findings.end(), found.begin(), found.end());
          report.checks.push_back({"history", name, "", name, 0, false, "", ""});
          report.checks.push_back({"drift", name, "", name, ms_since(target_started), false, "", ""});
        } catch (const Error& e) {
          if (e.kind() != Error::Kind::infrastructure) throw;
          // One unreachable target must not hide the others: report it and go on.
          infrastructure_errors.push_back(util::redact(e.what()));
          report.checks.push_back({"drift", name, "", name, ms_since(target_started), true, util::redact(e.what()), ""});
          Finding f;
          f.rule = "drift/target-unreachable";
          f.severity = Severity::error;
          f.target = name;
          f.message = util::redact(e.what());
          f.hint = util::redact(e.hint());
          findings.push_back(std::move(f));
        }
      }
    }
    backend->stop();
    apply_severity_overrides(findings, cfg);
    sort_findings(findings);
  } catch (const Error& e) {
    report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    write_error_reports(report, e, flags, cfg.migrations.dir, io);
    throw;
  }
  if (!infrastructure_errors.empty()) {
    report.error_exit_code = static_cast<int>(ExitCode::infrastructure);
    report.error_message = util::join(infrastructure_errors, "; ");
    report.error_hint = "the other targets were still checked; see the drift/target-unreachable findings";
  }
  report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  write_outputs(report, common, flags, cfg.migrations.dir, io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
