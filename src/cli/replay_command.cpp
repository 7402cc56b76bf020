#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "output.hpp"
#include "secrets.hpp"
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


// `files` without later mentions of a file named before (compared by their absolute, normalized
// paths), in order.
std::vector<std::string> unique_files(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  std::set<std::filesystem::path> seen;
  for (const auto& file : files) {
    std::error_code ec;
    auto key = std::filesystem::weakly_canonical(file, ec);
    if (ec) key = std::filesystem::absolute(file).lexically_normal();
    if (seen.insert(key).second) out.push_back(file);
  }
  return out;
}

}  // namespace

config::Config load_config(const CommonFlags& common, const ReplayFlags& flags, Io io) {
  std::optional<std::filesystem::path> explicit_path;
  if (!common.config.empty()) explicit_path = common.config;
  auto cfg = config::load(explicit_path, std::filesystem::current_path(), io.env);
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
  if (flags.server_url) cfg.sandbox.server_url = url_argument("--server-url", *flags.server_url, io);
  if (flags.postgres_version) cfg.postgres.version = *flags.postgres_version;
  if (flags.docker) cfg.sandbox.docker = *flags.docker;
  if (flags.image) cfg.postgres.image = *flags.image;
  if (flags.cache_dir) cfg.sandbox.cache_dir = *flags.cache_dir;
  // --setup adds to sandbox.setup (as --exclude-schema adds to catalog.exclude_schemas); a file
  // named twice runs once.
  for (const auto& file : flags.setup) {
    if (file.empty()) throw usage_error("--setup: empty file name", "name an SQL file: --setup db/setup.sql");
    cfg.sandbox.setup.push_back(file);
  }
  cfg.sandbox.setup = unique_files(cfg.sandbox.setup);
  if (flags.statement_timeout) cfg.replay.statement_timeout = duration_flag(*flags.statement_timeout, "--statement-timeout");
  if (flags.start_timeout) cfg.sandbox.start_timeout = duration_flag(*flags.start_timeout, "--start-timeout");
  if (flags.fail_on) cfg.fail_on = *flags.fail_on;
  if (flags.no_trace) cfg.lint.trace = false;
  if (flags.no_destructive) cfg.lint.destructive = false;
  if (flags.base) {
    cfg.migrations.base = *flags.base;
    cfg.migrations.base_from_flag = true;
  }
  if (flags.baseline) cfg.migrations.baseline = *flags.baseline;
  if (flags.no_cache) cfg.sandbox.replay_cache = false;
  if (flags.replay_cache_size) {
    const auto size = config::parse_size(*flags.replay_cache_size);
    if (!size || *size == 0) {
      throw usage_error("--replay-cache-size: '" + *flags.replay_cache_size + "' is not a size",
                        "write a whole number with B, KB, MB, GB, KiB, MiB or GiB, e.g. 500MB");
    }
    cfg.sandbox.replay_cache_size = *size;
  }
  if (!parse_severity(cfg.fail_on)) {
    throw usage_error("--fail-on: '" + cfg.fail_on + "' is not a severity", "use error, warning or notice");
  }
  return cfg;
}

int replay_command(const CommonFlags& common, const ReplayFlags& flags, Io io) {
  const auto started = Clock::now();
  const auto cfg = load_config(common, flags, io);

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
    sandbox_options.interactive = interactive(common, flags.json, io);
    auto backend = make_sandbox(sandbox_options, cfg);
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
      options.journal = false;  // no model to locate: replay at the floor's speed
      result = replay::run(*connection, discovery.migrations, options);
    }
    backend->stop();

    for (const auto& m : result.migrations) {
      report.migrations.push_back(migration_row(m));
      report.checks.push_back({"replay", m.migration->display_path, m.migration->display_path, "", m.duration_ms,
                               false, "", ""});
    }
    report.findings = replay::findings(result);
  } catch (const Error& e) {
    report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    write_error_reports(report, e, flags, cfg.migrations.dir, io);
    throw;
  }
  report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();

  write_outputs(report, common, flags, cfg.migrations.dir, io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
