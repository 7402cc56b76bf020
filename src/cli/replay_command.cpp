#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "source.hpp"
#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/report/report.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"

namespace pgdrift::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds duration_flag(const std::string& text, const std::string& flag) {
  auto parsed = config::parse_duration(text);
  if (!parsed) {
    throw usage_error(flag + ": '" + text + "' is not a duration",
                      "write it like 250ms, 30s, 5min or 2h (a bare number is seconds)");
  }
  return *parsed;
}

report::MigrationRow row_of(const replay::MigrationResult& m) {
  report::MigrationRow row;
  row.version = m.migration->version;
  row.name = m.migration->name;
  row.file = m.migration->display_path;
  row.status = std::string(replay::to_string(m.status));
  row.in_transaction = m.in_transaction;
  row.transaction_note = m.transaction_note;
  row.duration_ms = m.duration_ms;
  for (const auto& s : m.statements) {
    row.statements.push_back(report::StatementRow{s.line, s.column, std::string(replay::to_string(s.status)),
                                                  s.duration_ms, s.command_tag});
  }
  return row;
}

void write_json(const std::string& target, const report::Report& report, std::ostream& out) {
  if (target.empty()) return;
  const auto text = report::to_json(report);
  if (target == "-") {
    out << text;
    return;
  }
  std::ofstream file(target, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) throw infra_error("cannot write the JSON report to " + target);
}

}  // namespace

config::Config load_config(const CommonFlags& common, const ReplayFlags& flags, const Environment& env) {
  std::optional<std::filesystem::path> explicit_path;
  if (!common.config.empty()) explicit_path = common.config;
  auto cfg = config::load(explicit_path, std::filesystem::current_path(), env);
  if (flags.migrations) cfg.migrations.dir = *flags.migrations;
  if (flags.format) cfg.migrations.format = *flags.format;
  for (const auto& var : flags.vars) {
    const auto eq = var.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw usage_error("--var " + var + ": expected NAME=VALUE", "for example --var Namespace=app");
    }
    cfg.migrations.vars[var.substr(0, eq)] = var.substr(eq + 1);
  }
  if (flags.command) cfg.migrations.command = util::split_command_line(*flags.command);
  if (flags.backend) cfg.sandbox.backend = *flags.backend;
  if (flags.server_url) cfg.sandbox.server_url = *flags.server_url;
  if (flags.postgres_version) cfg.postgres.version = *flags.postgres_version;
  if (flags.docker) cfg.sandbox.docker = *flags.docker;
  if (flags.image) cfg.postgres.image = *flags.image;
  if (flags.cache_dir) cfg.sandbox.cache_dir = *flags.cache_dir;
  if (flags.statement_timeout) cfg.replay.statement_timeout = duration_flag(*flags.statement_timeout, "--statement-timeout");
  if (flags.start_timeout) cfg.sandbox.start_timeout = duration_flag(*flags.start_timeout, "--start-timeout");
  if (flags.fail_on) cfg.fail_on = *flags.fail_on;
  if (!parse_severity(cfg.fail_on)) {
    throw usage_error("--fail-on: '" + cfg.fail_on + "' is not a severity", "use error, warning or notice");
  }
  return cfg;
}

int replay_command(const CommonFlags& common, const ReplayFlags& flags, Io io) {
  const auto started = Clock::now();
  const auto cfg = load_config(common, flags, io.env);
  // With the JSON report on stdout, the human text goes to stderr so stdout stays parseable.
  std::ostream& text_out = flags.json == "-" ? io.err : io.out;
  const int text_fd = flags.json == "-" ? STDERR_FILENO : STDOUT_FILENO;
  const bool to_process_stream = &text_out == &std::cout || &text_out == &std::cerr;
  const bool color = !common.no_color && to_process_stream &&
                     report::use_color(text_fd, env_get(io.env, "NO_COLOR"), env_get(io.env, "TERM"));

  report::Report report;
  report.command = "replay";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  try {
    const bool framework = !cfg.migrations.command.empty();
    migrations::Discovery discovery;
    if (!framework) {
      if (cfg.migrations.dir.empty()) {
        throw usage_error("no migrations directory given",
                          "pass --migrations DIR, or set migrations.dir in pgdrift.yml");
      }
      const auto format = migrations::parse_format(cfg.migrations.format);
      if (!format) {
        throw usage_error("unknown migrations format '" + cfg.migrations.format + "'",
                          "use one of: auto, plain, flyway, golang-migrate, dbmate, goose, prisma, drizzle, diesel");
      }
      discovery = migrations::discover({cfg.migrations.dir, *format, cfg.migrations.vars});
      report.migrations_dir = cfg.migrations.dir;
      report.format = std::string(migrations::to_string(discovery.format));
    }

    auto sandbox_options = cli::sandbox_options(cfg, io.env, io.err, common.verbose);
    // docker draws pull progress on the terminal, never into a log or a JSON stream.
    sandbox_options.interactive = !common.quiet && flags.json != "-" && to_process_stream &&
                                  isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1;
    auto backend = sandbox::make_backend(sandbox_options);
    backend->start();
    report.backend = backend->kind();
    report.server_version = backend->server_version();
    const auto database = backend->create_database("replay");

    replay::ReplayResult result;
    if (framework) {
      replay::CommandOptions options;
      options.argv = cfg.migrations.command;
      options.timeout = cfg.replay.command_timeout;
      options.env = io.env;
      result = replay::run_command(database, options);
      if (common.verbose && result.command) io.err << result.command->output;
    } else {
      auto connection = db::Connection::open(database, "pgdrift");
      replay::Options options;
      options.statement_timeout = cfg.replay.statement_timeout;
      result = replay::run(*connection, discovery.migrations, options);
    }
    backend->stop();

    for (const auto& m : result.migrations) report.migrations.push_back(row_of(m));
    report.findings = replay::findings(result);
  } catch (const Error& e) {
    report.error_exit_code = static_cast<int>(e.exit_code());
    report.error_message = e.what();
    report.error_hint = e.hint();
    report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    write_json(flags.json, report, io.out);
    throw;
  }
  report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();

  report::write_text(text_out, report, {color, common.verbose, common.quiet});
  write_json(flags.json, report, io.out);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
