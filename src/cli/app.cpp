#include <CLI/CLI.hpp>

#include <algorithm>
#include <ostream>

#include "commands.hpp"
#include "drift_support.hpp"
#include "source.hpp"
#include "pgdrift/cli/main.hpp"
#include "pgdrift/report/github_comment.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/signals.hpp"
#include "pgdrift/version.hpp"

namespace pgdrift::cli {

namespace {

void add_common(CLI::App& sub, CommonFlags& common) {
  sub.add_option("--config", common.config, "Configuration file (default: ./pgdrift.yml or ./pgdrift.yaml if present)");
  sub.add_flag("--no-color", common.no_color, "Never colour the output (NO_COLOR is honoured too)");
  sub.add_flag("-v,--verbose", common.verbose, "Show sandbox steps, per-statement timings and notices");
  sub.add_flag("-q,--quiet", common.quiet, "Print findings and the summary only");
}

template <typename T>
void optional_option(CLI::App& sub, const std::string& name, std::optional<T>& target, const std::string& help) {
  sub.add_option_function<T>(name, [&target](const T& value) { target = value; }, help);
}

// Machine-readable reports, for every command that produces findings.
void add_report_flags(CLI::App& sub, ReplayFlags& flags) {
  sub.add_option("--json", flags.json, "Write the JSON report to FILE ('-' for stdout)");
  sub.add_option("--junit", flags.junit, "Write a JUnit XML report to FILE");
  sub.add_option("--sarif", flags.sarif, "Write a SARIF 2.1.0 report to FILE");
  sub.add_option("--gitlab", flags.gitlab, "Write a GitLab Code Quality report to FILE");
  sub.add_flag("--github", flags.github,
               "GitHub annotations, job summary and step outputs (on by itself when GITHUB_ACTIONS=true)");
  auto* comment = sub.add_flag("--github-comment", flags.github_comment,
                               "Post the job summary as a comment on the pull request, updated in place on "
                               "re-runs (GITHUB_TOKEN from the environment; needs pull-requests: write)");
  sub.add_option("--github-comment-id", flags.github_comment_id,
                 "Keep a comment of its own for this ID (several pgdrift steps on one pull request)")
      ->needs(comment)
      ->check([](const std::string& id) {
        try {
          report::comment_marker(id);
          return std::string();
        } catch (const Error& e) {
          return std::string(e.what());
        }
      });
}

// Commands that create sandbox databases from SQL run the setup files in each first.
void add_setup_flag(CLI::App& sub, ReplayFlags& flags) {
  sub.add_option("--setup", flags.setup,
                 "SQL file run in every sandbox database before the first migration (roles, schemas, "
                 "extensions the real clusters have); repeatable, after sandbox.setup's files");
}

void add_replay_flags(CLI::App& sub, ReplayFlags& flags) {
  optional_option(sub, "-m,--migrations", flags.migrations, "Migrations directory (migrations.dir)");
  optional_option(sub, "--format", flags.format,
                  "auto|plain|flyway|golang-migrate|dbmate|goose|prisma|drizzle|diesel|supabase (migrations.format)");
  sub.add_option("--var", flags.vars, "NAME=VALUE placeholder substituted in the SQL (migrations.vars); repeatable");
  optional_option(sub, "--command", flags.command,
                  "Framework migrations: run this command with DATABASE_URL set; verify captures and "
                  "judges what it sends (migrations.command)");
  optional_option(sub, "--backend", flags.backend, "Throwaway Postgres: auto|local|docker|server (sandbox.backend)");
  optional_option(sub, "--server-url", flags.server_url,
                  "Existing server for the server backend: env:VAR or a URL (sandbox.server_url)");
  optional_option(sub, "--postgres-version", flags.postgres_version,
                  "Major PostgreSQL version the sandbox must run (postgres.version)");
  optional_option(sub, "--docker", flags.docker,
                  "Docker CLI for the docker backend, a name on PATH or a path; podman works (sandbox.docker)");
  optional_option(sub, "--image", flags.image,
                  "Image for the docker backend (postgres.image; default postgres:<version>)");
  optional_option(sub, "--cache-dir", flags.cache_dir, "Template cluster cache (sandbox.cache_dir)");
  add_setup_flag(sub, flags);
  optional_option(sub, "--statement-timeout", flags.statement_timeout,
                  "Per-statement limit, e.g. 30s, 5min; 0 = none (replay.statement_timeout)");
  optional_option(sub, "--start-timeout", flags.start_timeout, "Sandbox start-up limit (sandbox.start_timeout)");
  optional_option(sub, "--fail-on", flags.fail_on, "Exit 1 on findings at or above: error|warning|notice (fail_on)");
  add_report_flags(sub, flags);
}

// Flags for commands that build SOURCEs in a sandbox (dump, diff).
void add_source_flags(CLI::App& sub, ReplayFlags& flags) {
  optional_option(sub, "--format", flags.format, "Migrations format of a directory SOURCE (migrations.format)");
  sub.add_option("--var", flags.vars, "NAME=VALUE placeholder substituted in the SQL (migrations.vars); repeatable");
  optional_option(sub, "--backend", flags.backend,
                  "Throwaway Postgres for directories and .sql files: auto|local|docker|server (sandbox.backend)");
  optional_option(sub, "--server-url", flags.server_url, "Existing server for the server backend: env:VAR or a URL (sandbox.server_url)");
  optional_option(sub, "--postgres-version", flags.postgres_version,
                  "Major PostgreSQL version the sandbox must run (postgres.version)");
  optional_option(sub, "--docker", flags.docker, "Docker CLI for the docker backend (sandbox.docker)");
  optional_option(sub, "--image", flags.image, "Image for the docker backend (postgres.image)");
  optional_option(sub, "--cache-dir", flags.cache_dir, "Template cluster cache (sandbox.cache_dir)");
  add_setup_flag(sub, flags);
  optional_option(sub, "--statement-timeout", flags.statement_timeout, "Per-statement limit (replay.statement_timeout)");
  optional_option(sub, "--start-timeout", flags.start_timeout, "Sandbox start-up limit (sandbox.start_timeout)");
}

void add_dump_flags(CLI::App& sub, ReplayFlags& flags, DumpFlags& dump) {
  sub.add_option("source", dump.source,
                 "A migrations directory (replayed), a .sql schema file (loaded) or a postgresql:// URL "
                 "(read only)")
      ->required();
  sub.add_flag("--json", dump.json, "Print the model as JSON instead of DDL text");
  sub.add_option("-o,--output", dump.output, "Write to FILE instead of stdout");
  sub.add_option("--schema", dump.schemas, "Only this schema (catalog.include_schemas); repeatable");
  sub.add_option("--exclude-schema", dump.exclude_schemas, "Leave out this schema (catalog.exclude_schemas); repeatable");
  sub.add_option("--exclude", dump.exclude,
                 "Leave out objects matching this glob on schema.name or name (catalog.exclude_objects); repeatable");
  add_source_flags(sub, flags);
}

void add_judge_flags(CLI::App& sub, ReplayFlags& flags) {
  optional_option(sub, "--base", flags.base,
                  "Judge only migrations added or changed since the merge base of REF and HEAD; 'none' judges "
                  "all (migrations.base; default: the CI's base branch)");
  optional_option(sub, "--baseline", flags.baseline,
                  "Migrations at or below this version are history, not judged (migrations.baseline)");
}

void add_target_flag(CLI::App& sub, DriftFlags& drift) {
  sub.add_option("-t,--target", drift.targets,
                 "NAME=env:VAR (a variable holding the URL) or NAME=URL of an environment to compare, read "
                 "only (targets in pgdrift.yml); repeatable");
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const Environment& env) {
  CLI::App app{"pgdrift verifies PostgreSQL schema migrations: it replays them on a throwaway Postgres, "
               "and reports failures at file:line.",
               "pgdrift"};
  app.set_version_flag("--version", std::string("pgdrift ") + k_version);
  app.require_subcommand(1);
  app.fallthrough(false);

  CommonFlags common;
  ReplayFlags replay_flags;

  auto* replay = app.add_subcommand("replay", "Replay every migration from zero on a throwaway Postgres");
  add_common(*replay, common);
  add_replay_flags(*replay, replay_flags);

  PruneFlags prune_flags;
  auto* sandbox_command = app.add_subcommand("sandbox", "Manage throwaway Postgres sandboxes");
  sandbox_command->require_subcommand(1);
  auto* prune = sandbox_command->add_subcommand(
      "prune", "Remove docker containers left by pgdrift runs that no longer exist (killed with SIGKILL, …)");
  add_common(*prune, common);
  optional_option(*prune, "--docker", prune_flags.docker, "Docker CLI, a name on PATH or a path (sandbox.docker)");
  prune->add_flag("--dry-run", prune_flags.dry_run, "Only list what would be removed");

  DriftFlags drift_flags;
  ReplayFlags verify_replay_flags;
  auto* verify = app.add_subcommand("verify", "Everything in one run: replay, lint, drift against targets and the model, history");
  add_common(*verify, common);
  add_replay_flags(*verify, verify_replay_flags);
  add_target_flag(*verify, drift_flags);
  optional_option(*verify, "--model", drift_flags.model, "The application's declared schema, a .sql file (model.file)");
  optional_option(*verify, "--model-command", drift_flags.model_command,
                  "A command printing the declared schema as SQL on stdout (model.command)");
  verify->add_flag("--no-trace", verify_replay_flags.no_trace,
                   "Do not watch locks, rewrites and scans while replaying (lint.trace: false)");
  verify->add_flag("--no-destructive-check", verify_replay_flags.no_destructive,
                   "Do not compare the schema before and after each migration (lint.destructive: false)");
  add_judge_flags(*verify, verify_replay_flags);
  verify->add_flag("--no-cache", verify_replay_flags.no_cache,
                   "Replay the history migrations too instead of restoring them from the replay cache "
                   "(sandbox.replay_cache: false)");
  optional_option(*verify, "--replay-cache-size", verify_replay_flags.replay_cache_size,
                  "Bound of the replay cache, e.g. 500MB or 2GiB (sandbox.replay_cache_size)");

  ReplayFlags status_flags;
  auto* status = app.add_subcommand("status", "Migration history of each target against the files");
  add_common(*status, common);
  optional_option(*status, "-m,--migrations", status_flags.migrations, "Migrations directory (migrations.dir)");
  optional_option(*status, "--format", status_flags.format, "Migrations format (migrations.format)");
  status->add_option("--var", status_flags.vars, "NAME=VALUE placeholder (migrations.vars); repeatable");
  optional_option(*status, "--command", status_flags.command,
                  "Framework migrations: run this command in a sandbox to learn its migrations, then read "
                  "the framework's history table on each target (migrations.command)");
  optional_option(*status, "--backend", status_flags.backend,
                  "Throwaway Postgres for --command: auto|local (sandbox.backend)");
  add_target_flag(*status, drift_flags);
  optional_option(*status, "--fail-on", status_flags.fail_on, "Exit 1 on findings at or above: error|warning|notice");
  add_report_flags(*status, status_flags);

  ReplayFlags diff_flags;
  auto* diff_command_app = app.add_subcommand("diff", "Differences between two SOURCEs, or the SQL that turns A into B");
  add_common(*diff_command_app, common);
  diff_command_app->add_option("sources", drift_flags.sources, "SOURCE_A SOURCE_B: directories, .sql files or URLs")
      ->required()
      ->expected(2);
  diff_command_app->add_flag("--sql", drift_flags.sql, "Print the SQL that turns A's schema into B's");
  diff_command_app->add_flag("--exit-code", drift_flags.exit_code,
                             "With --sql: exit 1 when the schemas differ, 0 when they are the same "
                             "(as Prisma's migrate diff --exit-code)");
  diff_command_app->add_flag("--allow-destructive", drift_flags.allow_destructive,
                             "With --sql: include DROPs and narrowing changes instead of commenting them out");
  add_report_flags(*diff_command_app, diff_flags);
  optional_option(*diff_command_app, "--fail-on", diff_flags.fail_on, "Exit 1 on differences at or above this severity");
  add_source_flags(*diff_command_app, diff_flags);

  DumpFlags dump_flags;
  ReplayFlags dump_sandbox_flags;
  auto* dump = app.add_subcommand("dump", "Print a SOURCE's schema as canonical DDL text or JSON");
  add_common(*dump, common);
  add_dump_flags(*dump, dump_sandbox_flags, dump_flags);

  LintFlags lint_flags;
  ReplayFlags lint_report_flags;
  auto* lint = app.add_subcommand("lint", "Static safety checks of migration files; no database (pre-commit friendly)");
  add_common(*lint, common);
  lint->add_option("paths", lint_flags.paths, "Migration files and directories (default: migrations.dir)");
  optional_option(*lint, "--pg-version", lint_flags.pg_version,
                  "PostgreSQL major version the migrations will run on (default: postgres.version, else 17)");
  optional_option(*lint, "--format", lint_report_flags.format,
                  "auto|plain|flyway|golang-migrate|dbmate|goose|prisma|drizzle|diesel|supabase (migrations.format)");
  lint->add_option("--var", lint_report_flags.vars, "NAME=VALUE placeholder substituted in the SQL (migrations.vars); repeatable");
  optional_option(*lint, "--fail-on", lint_report_flags.fail_on, "Exit 1 on findings at or above: error|warning|notice (fail_on)");
  lint->add_flag("--list-rules", lint_flags.list_rules, "Print every rule (id, severity, why, safe alternative) and exit");
  add_judge_flags(*lint, lint_report_flags);
  add_report_flags(*lint, lint_report_flags);

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 2.1 wants it reversed
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      const int code = app.exit(e, out, err);
      return code;
    }
    err << "pgdrift: error: " << util::redact(e.what()) << "\n  hint: run `pgdrift --help` or `pgdrift "
        << (app.get_subcommands().empty() ? std::string("COMMAND") : app.get_subcommands().front()->get_name())
        << " --help`\n";
    return static_cast<int>(ExitCode::usage);
  }

  try {
    if (lint->parsed()) return lint_command(common, lint_report_flags, lint_flags, Io{out, err, env});
    if (prune->parsed()) return sandbox_prune_command(common, prune_flags, Io{out, err, env});
    if (verify->parsed()) return verify_command(common, verify_replay_flags, drift_flags, Io{out, err, env});
    if (status->parsed()) return status_command(common, status_flags, drift_flags, Io{out, err, env});
    if (diff_command_app->parsed()) return diff_command(common, diff_flags, drift_flags, Io{out, err, env});
    if (dump->parsed()) return dump_command(common, dump_sandbox_flags, dump_flags, Io{out, err, env});
    return replay_command(common, replay_flags, Io{out, err, env});
  } catch (const Error& e) {
    util::defer_to_pending_termination();  // an interrupted run's lost connection is no error
    err << "pgdrift: error: " << util::redact(e.what()) << "\n";
    if (!e.hint().empty()) err << "  hint: " << util::redact(e.hint()) << "\n";
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    util::defer_to_pending_termination();
    err << "pgdrift: internal error: " << util::redact(e.what()) << "\n"
        << "  hint: please report this with the command you ran\n";
    return static_cast<int>(ExitCode::infrastructure);
  }
}

}  // namespace pgdrift::cli
