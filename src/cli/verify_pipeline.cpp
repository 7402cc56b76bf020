#include "verify_pipeline.hpp"

#include <algorithm>

#include "drift_support.hpp"
#include "framework_stage.hpp"
#include "judge_support.hpp"
#include "lint_support.hpp"
#include "output.hpp"
#include "pgdrift/catalog/unmodeled.hpp"
#include "pgdrift/diff/findings.hpp"
#include "pgdrift/lint/guard.hpp"
#include "pgdrift/lint/trace.hpp"
#include "pgdrift/replay/journal.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"
#include "source.hpp"

namespace pgdrift::cli {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
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

// 150000 for "15.4" (a server's version string).
int major_version_num(const std::string& version) {
  int major = 0;
  for (const char c : version) {
    if (c < '0' || c > '9') break;
    major = major * 10 + (c - '0');
  }
  return major * 10000;
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
    // The command ran with io.env: a secret it echoes from there is masked with the URLs.
    throw usage_error(util::redact("model command `" + util::join(cfg.model.command, " ") + "` failed (" +
                                       run.status.describe() + ")" + (errors.empty() ? "" : ":\n" + errors),
                                   io.env),
                      "run it by hand: it must print the schema as SQL on stdout");
  }
  return migrations::load_file(spec.output_file, cfg.migrations.vars);
}

// One unreachable target must not hide the others: a finding, and exit 3 once all were checked.
void unreachable(VerifyRun& run, const std::string& name, const Error& e, double ms) {
  run.infrastructure_errors.push_back(util::redact(e.what()));
  run.report.checks.push_back({"drift", name, "", name, ms, true, util::redact(e.what()), ""});
  Finding f;
  f.rule = "drift/target-unreachable";
  f.severity = Severity::error;
  f.target = name;
  f.message = util::redact(e.what());
  f.hint = util::redact(e.hint());
  run.report.findings.push_back(std::move(f));
}

// A target whose reads kept waiting on another session's lock: not checked, said as a warning.
void locked(VerifyRun& run, const std::string& name, const db::LockNotAvailable& e, double ms) {
  const std::string message = "target " + name + ": " + util::redact(e.what()) + "; drift not checked";
  run.report.checks.push_back({"drift", name, "", name, ms, true, message, ""});
  Finding f;
  f.rule = "drift/target-locked";
  f.severity = Severity::warning;
  f.target = name;
  f.message = message;
  f.hint = "run again once the lock is released; each read waits drift.lock_timeout (" +
           std::to_string(run.cfg.drift.lock_timeout.count()) + " ms) at most";
  run.report.findings.push_back(std::move(f));
}

// What a history read says was applied on a target: every file but the pending and failed ones.
std::set<std::string> applied_paths(const std::vector<migrations::Migration>& all,
                                    const std::vector<history::Entry>& entries) {
  std::set<std::string> not_applied;
  for (const auto& e : entries) {
    if ((e.state == history::State::pending || e.state == history::State::failed) && e.migration != nullptr) {
      not_applied.insert(e.migration->path.string());
    }
  }
  std::set<std::string> out;
  for (const auto& m : all) {
    if (not_applied.count(m.path.string()) == 0) out.insert(m.path.string());
  }
  return out;
}

// The canonicalizer probing in the database of the expected model (made on first use).
diff::ExpressionCanonicalizer& expected_canonicalizer(VerifyRun& run) {
  if (!run.canonicalizer) run.canonicalizer = std::make_unique<diff::ServerCanonicalizer>(*run.expected_database);
  return *run.canonicalizer;
}

// Gives the expressions `actual` spells differently from `expected` but that parse the same (in
// the sandbox database `canonicalizer` probes) expected's text, so they are no drift; -v counts
// them under `name` (a target, or "model").
void align(const catalog::SchemaModel& expected, catalog::SchemaModel& actual,
           diff::ExpressionCanonicalizer& canonicalizer, const VerifyRun& run, const std::string& name) {
  std::size_t aligned = 0;
  try {
    aligned = diff::align_expressions(expected, actual, canonicalizer);
  } catch (const Error& e) {
    // Said so, since the caller reports it under the target's (or the model's) name.
    throw Error(e.kind(), std::string("the sandbox's expression probes failed: ") + e.what(), e.hint());
  }
  if (run.verbose && aligned > 0) {
    run.io.err << "pgdrift: " << name << ": " << aligned
               << (aligned == 1 ? " expression is spelled differently but parses the same\n"
                                : " expressions are spelled differently but parse the same\n");
  }
}

}  // namespace

void read_targets(VerifyRun& run, const std::map<std::string, std::string>& targets) {
  auto& findings = run.report.findings;
  const auto format = run.discovery.format;
  for (const auto& [name, url] : targets) {
    TargetState target;
    target.name = name;
    target.url = url;
    if (url.empty()) {
      findings.push_back(notice("drift/target-skipped", name, "target " + name + " has no URL: not checked",
                                "set its environment variable, or remove it from targets"));
      run.targets.push_back(std::move(target));
      continue;
    }
    const auto started = Clock::now();
    try {
      target.connection = open_target(name, url, run.cfg.drift.lock_timeout);
      try {
        if (run.framework) {
          bool found = false;
          const auto found_findings = read_despite_locks(*target.connection, k_lock_attempts, [&] {
            return framework_history(*target.connection, *run.framework, name, target.entries, found);
          });
          if (found) target.applied = applied_paths(run.discovery.migrations, target.entries);
          findings.insert(findings.end(), found_findings.begin(), found_findings.end());
          target.history_ms = ms_since(started);
          run.targets.push_back(std::move(target));
          continue;
        }
        const auto history = read_despite_locks(*target.connection, k_lock_attempts,
                                                [&] { return history::read(*target.connection, format); });
        // Without a history table nothing is known to be pending: compare with everything.
        if (history.found) {
          target.entries = history::compare(run.discovery.migrations, history, format);
          target.applied = applied_paths(run.discovery.migrations, target.entries);
        }
        const auto found = history_findings(target.entries, history, format, name);
        findings.insert(findings.end(), found.begin(), found.end());
      } catch (const db::LockNotAvailable&) {
        throw;
      } catch (const Error& e) {
        // A role that may read the catalogs but not the history table still gets its drift check.
        Finding f = notice("history/unreadable", name, util::redact(e.what()),
                           "grant SELECT on the history table to this role to check pending migrations");
        f.severity = Severity::warning;
        findings.push_back(std::move(f));
      }
    } catch (const db::LockNotAvailable& e) {
      locked(run, name, e, ms_since(started));
      target.connection.reset();
    } catch (const Error& e) {
      if (e.kind() != Error::Kind::infrastructure) throw;
      unreachable(run, name, e, ms_since(started));
      target.connection.reset();
    }
    target.history_ms = ms_since(started);
    run.targets.push_back(std::move(target));
  }
}

void judge_stage(VerifyRun& run) {
  // The targets count only when every target with a URL told what it applied.
  std::vector<std::set<std::string>> applied;
  bool all_told = true;
  for (const auto& t : run.targets) {
    if (t.url.empty()) continue;
    if (t.applied) {
      applied.push_back(*t.applied);
    } else {
      all_told = false;
    }
  }
  if (!all_told) applied.clear();
  if (run.framework) {
    // Framework migrations have no files at a git base: what every target applied is history.
    history::JudgeInput input;
    input.format = migrations::Format::plain;
    input.applied_on_targets = std::move(applied);
    run.judged = history::judge(run.discovery.migrations, input);
    return;
  }
  run.judged = judge_migrations(run.cfg, run.io.env, run.cfg.migrations.dir, run.discovery.migrations,
                                run.discovery.format, std::move(applied));
  run.report.findings.insert(run.report.findings.end(), run.judged.findings.begin(), run.judged.findings.end());
}

void replay_and_lint(VerifyRun& run) {
  auto& cfg = run.cfg;
  auto& report = run.report;
  const auto& all = run.discovery.migrations;
  auto sandbox = sandbox_options(cfg, run.io.env, run.io.err, run.verbose);
  sandbox.interactive = run.interactive;
  sandbox.replay_cache_max_bytes = cfg.sandbox.replay_cache_size;
  run.backend = make_sandbox(sandbox, cfg);

  // Watchers of the new migrations: what each statement locks, rewrites and scans, and what each
  // migration drops or narrows.
  std::optional<lint::Tracer> tracer;
  std::optional<lint::DestructiveGuard> guard;
  replay::Options options;
  options.statement_timeout = cfg.replay.statement_timeout;
  if (cfg.lint.trace) options.observers.push_back(&tracer.emplace());
  if (cfg.lint.destructive) options.observers.push_back(&guard.emplace(run.introspection));
  std::set<const migrations::Migration*> judged;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (run.judged.is_new[i]) judged.insert(&all[i]);
  }
  options.observe = [&judged](const migrations::Migration& m) { return judged.count(&m) != 0; };
  replay::CacheOptions cache;
  cache.enabled = cfg.sandbox.replay_cache;
  cache.history_prefix = history_prefix(run.judged);
  cache.format = std::string(migrations::to_string(run.discovery.format));
  auto replayed = replay::start_and_replay(*run.backend, all, options, cache);
  report.backend = run.backend->kind();
  report.server_version = run.backend->server_version();
  report.judged.cache = replayed.cache;
  report.judged.cache_covers = cache.history_prefix;
  if (run.verbose && cache.history_prefix > 0) {
    run.io.err << "pgdrift: replay cache: " << replayed.cache << " (" << cache.history_prefix
               << " history migrations)\n";
  }
  for (const auto& m : replayed.result.migrations) {
    report.migrations.push_back(migration_row(m));
    report.checks.push_back({"replay", m.migration->display_path, m.migration->display_path, "", m.duration_ms,
                             false, "", ""});
  }
  // History migrations answer only for failing: their old warnings are not this change's (and a
  // warm run, which does not run them, could not repeat them).
  std::set<std::string> history_files;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!run.judged.is_new[i]) history_files.insert(all[i].display_path);
  }
  for (auto& f : replay::findings(replayed.result)) {
    const bool from_history = f.location && history_files.count(f.location->file) != 0;
    if (from_history && f.rule != "replay/statement-failed") continue;
    report.findings.push_back(std::move(f));
  }
  const auto introspecting = Clock::now();
  std::optional<replay::JournalReading> journal;
  if (replayed.result.ok()) {
    auto connection = db::Connection::open(replayed.database, "pgdrift");
    run.expected = catalog::introspect(*connection, run.introspection);
    journal = replay::JournalReading::read(*connection, all);
    journal->attach_provenance(*run.expected);
    run.expected_database = replayed.database;
  }
  if (run.verbose && !replayed.result.journal) {
    run.io.err << "pgdrift: the sandbox's role may not create event triggers: no change journal, so drift "
                  "findings are not located at the migration lines that made the objects\n";
  }
  const auto linting = Clock::now();

  // Static lint of the new migrations for the server that replayed them (syntax errors are the
  // replay's to report), knowing what the migrations before each one built.
  lint::Options lint_options;
  lint_options.pg_version_num = major_version_num(report.server_version);
  lint_options.report_syntax_errors = false;
  lint_options.format = run.discovery.format;
  auto linted = static_findings(all, run.judged.is_new, lint_options, cfg);
  if (journal && journal->recorded()) {
    // A DROP … IF EXISTS of what was not there dropped nothing: the replay saw it, so no finding.
    linted.erase(std::remove_if(linted.begin(), linted.end(),
                                [&](const Finding& f) {
                                  return (f.rule == "lint/drop-table" || f.rule == "lint/drop-column" ||
                                          f.rule == "lint/drop-schema") &&
                                         f.location && journal->dropped_nothing(f.location->file, f.location->line);
                                }),
                 linted.end());
  }
  std::vector<std::string> lint_rules = static_rule_ids();
  for (auto* observer : options.observers) {
    for (auto& f : observer->findings()) {
      if (!f.location || !excluded_file(cfg, all, f.location->file)) linted.push_back(std::move(f));
    }
  }
  if (tracer) for (const auto& info : lint::dynamic_rule_infos()) lint_rules.push_back(lint::finding_rule(info.id));
  if (guard) for (const auto& info : lint::destructive_rule_infos()) lint_rules.push_back(lint::finding_rule(info.id));
  lint::drop_static_duplicates(linted);
  lint::apply_directives(linted, all, allow_destructive(cfg, run.io.env));
  report.findings.insert(report.findings.end(), linted.begin(), linted.end());
  std::vector<migrations::Migration> judged_list;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (run.judged.is_new[i]) judged_list.push_back(all[i]);
  }
  add_lint_checks(report, judged_list, lint_rules, cfg);
  describe_judged(report, run.judged, all, cfg.migrations.base == "none");
  if (run.verbose) {
    run.io.err << "pgdrift: replay " << static_cast<long>(replayed.result.duration_ms) << " ms, introspection "
               << static_cast<long>(std::chrono::duration<double, std::milli>(linting - introspecting).count())
               << " ms, static lint " << static_cast<long>(ms_since(linting)) << " ms\n";
    if (guard && (guard->snapshots() > 0 || guard->focused_reads() > 0)) {
      run.io.err << "pgdrift: destructive guard: " << guard->snapshots() << " whole-schema and "
                 << guard->focused_reads() << " focused reads, " << static_cast<long>(guard->snapshot_ms())
                 << " ms (within the replay)"
                 << (guard->journaled() ? ""
                                        : "; no change journal to follow, so it read the whole schema around "
                                          "each migration that could drop or narrow something")
                 << "\n";
    }
  }
  const bool drift_wanted = !cfg.model.file.empty() || !cfg.model.command.empty() || !run.targets.empty();
  if (!run.expected && drift_wanted) {
    report.findings.push_back(notice("drift/not-checked", "", "drift was not checked: the migrations do not replay",
                                     "fix the failing migration first"));
  }
}

void model_stage(VerifyRun& run) {
  const auto& cfg = run.cfg;
  if (!run.expected || (cfg.model.file.empty() && cfg.model.command.empty())) return;
  auto& findings = run.report.findings;
  const auto started = Clock::now();
  std::optional<util::TempDir> scratch;
  const auto model_migration = load_model(cfg, run.io, scratch);
  auto model = replay_into(*run.backend, "model", {model_migration}, cfg, run.introspection);
  if (!model.model) {
    for (auto& f : model.findings) f.target = "model";
    findings.insert(findings.end(), model.findings.begin(), model.findings.end());
  } else {
    align(*run.expected, *model.model, expected_canonicalizer(run), run, "model");
    const auto differences = without_ignored(diff::compare(*run.expected, *model.model, run.comparison), cfg);
    const auto found = diff::findings(differences, *run.expected, *model.model, {"model", true});
    findings.insert(findings.end(), found.begin(), found.end());
  }
  run.report.checks.push_back({"model", "model", cfg.model.file, "model", ms_since(started), false, "", ""});
}

// When `d` is an object only the target has that a pending migration (one of `pending`, by path)
// creates in `full`, the model of every migration: turns `f` into drift/pending-conflict, located
// at that migration's statement, without a fix (dropping what production holds is not the
// answer). Returns whether it did.
static bool pending_conflict(const diff::Difference& d, const catalog::SchemaModel& full,
                      const std::set<std::string>& pending, const std::string& target, Finding& f) {
  if (d.change != diff::Change::unexpected || full.objects.count(d.id) == 0) return false;
  const auto provenance = full.provenance.find(d.id);
  if (provenance == full.provenance.end()) return false;
  const auto& created = provenance->second.created;
  const bool by_pending = std::any_of(pending.begin(), pending.end(), [&](const std::string& path) {
    return path == created.file || util::ends_with(path, "/" + created.file);
  });
  if (!by_pending) return false;
  f.rule = "drift/pending-conflict";
  f.severity = Severity::error;
  f.message = d.id.display() + " already exists in " + target +
              ", made outside the migrations, and the pending migration " + created.text() +
              " creates it: that migration will fail on " + target;
  f.hint = "make the migration tolerate what " + target +
           " has (e.g. ADD COLUMN IF NOT EXISTS, after checking the definitions match), or move "
           "the hand-made object out of the way on " + target + " before deploying, keeping its data";
  f.fix.clear();
  f.location = Location{created.file, created.line, created.column, 0, 0};
  return true;
}

void drift_stage(VerifyRun& run) {
  if (!run.expected) return;
  auto& findings = run.report.findings;
  for (auto& target : run.targets) {
    if (!target.connection) continue;
    const auto started = Clock::now();
    const std::string& name = target.name;
    try {
      // Migrations merely pending on the target are not drift: compare with what the applied
      // ones alone build.
      std::set<std::string> pending;
      for (const auto& e : target.entries) {
        if (e.state == history::State::pending && e.migration != nullptr) pending.insert(e.migration->path.string());
      }
      auto expected_here = *run.expected;
      // Expressions are probed where the expected model was read: a target is never written.
      std::optional<diff::ServerCanonicalizer> partial_canonicalizer;
      if (!pending.empty()) {
        std::vector<migrations::Migration> applied;
        for (const auto& m : run.discovery.migrations) {
          if (pending.count(m.path.string()) == 0) applied.push_back(m);
        }
        auto partial = replay_into(*run.backend, "applied", applied, run.cfg, run.introspection);
        if (partial.model) {
          expected_here = std::move(*partial.model);
          partial_canonicalizer.emplace(partial.database);
        }
      }
      auto actual = read_despite_locks(*target.connection, k_lock_attempts, [&] {
        return catalog::introspect(*target.connection, run.introspection);
      });
      align(expected_here, actual,
            partial_canonicalizer ? static_cast<diff::ExpressionCanonicalizer&>(*partial_canonicalizer)
                                  : expected_canonicalizer(run),
            run, name);
      const auto all = diff::compare(expected_here, actual, run.comparison);
      const auto differences = without_ignored(all, run.cfg);
      auto found = diff::findings(differences, expected_here, actual, {name, false});
      // An object made by hand that a pending migration will create: that migration fails there.
      std::vector<bool> conflicts(differences.size(), false);
      if (!pending.empty()) {
        for (std::size_t i = 0; i < differences.size() && i < found.size(); ++i) {
          conflicts[i] = pending_conflict(differences[i], *run.expected, pending, name, found[i]);
        }
      }
      findings.insert(findings.end(), found.begin(), found.end());
      // What the model cannot hold is not compared: each such object of the target, said once.
      for (const auto& object : catalog::unmodeled_objects(*target.connection)) {
        Finding f;
        f.rule = "drift/unmodeled-object";
        f.severity = Severity::warning;
        f.target = name;
        f.object = object.kind + " " + object.name;
        f.message = f.object + " in " + name + " is not compared: pgdrift does not model " +
                    object.kind + "s yet";
        f.hint = "compare it by hand, and create or drop it in a migration of its own";
        findings.push_back(std::move(f));
      }
      // The target's whole fix script leaves out what drift.severity switches off, and the
      // conflicts (dropping the object is not the fix).
      std::vector<diff::Difference> reported;
      for (std::size_t i = 0; i < differences.size(); ++i) {
        const auto& d = differences[i];
        const auto it = run.cfg.drift.severity.find(diff::rule_for(d));
        if ((it == run.cfg.drift.severity.end() || it->second != "off") && !conflicts[i])
          reported.push_back(d);
      }
      run.report.checks.push_back({"history", name, "", name, 0, false, "", ""});
      run.report.fix_scripts[name] = diff::fix_script(reported, all, expected_here, actual);
      run.report.checks.push_back(
          {"drift", name, "", name, target.history_ms + ms_since(started), false, "", ""});
    } catch (const db::LockNotAvailable& e) {
      locked(run, name, e, target.history_ms + ms_since(started));
    } catch (const Error& e) {
      if (e.kind() != Error::Kind::infrastructure) throw;
      unreachable(run, name, e, target.history_ms + ms_since(started));
    }
  }
}

}  // namespace pgdrift::cli
