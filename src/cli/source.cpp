#include "source.hpp"

#include "drift_support.hpp"

#include <filesystem>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/journal.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/replay/setup.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::cli {

namespace {

constexpr const char* k_source_hint =
    "a SOURCE is a postgresql:// URL (a live database, read only), a migrations directory, or a .sql "
    "schema file";

// Replays `list` into a fresh sandbox and introspects it; the sandbox is gone afterwards unless
// `keep_sandbox` and the replay succeeded.
LoadedSource replay_and_introspect(const std::vector<migrations::Migration>& list, const config::Config& cfg,
                                   const catalog::IntrospectOptions& options, Io io, bool verbose,
                                   bool keep_sandbox) {
  auto backend = make_sandbox(sandbox_options(cfg, io.env, io.err, verbose), cfg);
  backend->start();
  auto replayed = replay_into(*backend, "dump", list, cfg, options);
  LoadedSource out;
  out.findings = std::move(replayed.findings);
  out.loaded = replayed.model.has_value();
  if (replayed.model) out.model = std::move(*replayed.model);
  out.unmodeled = std::move(replayed.unmodeled);
  if (keep_sandbox && out.loaded) {
    out.database = replayed.database;
    out.sandbox = std::move(backend);
  } else {
    backend->stop();
  }
  return out;
}

}  // namespace

catalog::IntrospectOptions introspect_options(const config::Config& cfg) {
  catalog::IntrospectOptions options;
  options.include_schemas = cfg.catalog.include_schemas;
  options.exclude_schemas = cfg.catalog.exclude_schemas;
  options.exclude_objects = cfg.catalog.exclude_objects;
  if (!cfg.catalog.history_tables.empty()) options.history_tables = cfg.catalog.history_tables;
  return options;
}

Replayed replay_into(sandbox::Backend& backend, const std::string& purpose,
                     const std::vector<migrations::Migration>& list, const config::Config& cfg,
                     const catalog::IntrospectOptions& options,
                     const std::vector<lint::ReplayObserver*>& observers) {
  Replayed out;
  out.database = backend.create_database(purpose);
  auto connection = db::Connection::open(out.database, "pgdrift");
  replay::Options replay_options;
  replay_options.statement_timeout = cfg.replay.statement_timeout;
  replay_options.observers = observers;
  out.result = replay::run(*connection, list, replay_options);
  out.findings = replay::findings(out.result);
  if (out.result.ok()) {
    out.model = catalog::introspect(*connection, options);
    out.unmodeled = catalog::unmodeled_objects(*connection);
    replay::attach_provenance(*connection, list, *out.model);
  }
  return out;
}

SourceKind classify_source(const std::string& source) {
  if (util::starts_with(source, "postgres://") || util::starts_with(source, "postgresql://")) {
    return SourceKind::database;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(source, ec)) return SourceKind::migrations;
  if (util::ends_with(util::to_lower(source), ".sql")) {
    if (!std::filesystem::is_regular_file(source, ec)) throw usage_error(source + ": no such file", k_source_hint);
    return SourceKind::schema_file;
  }
  if (!std::filesystem::exists(source, ec)) throw usage_error(source + ": no such file or directory", k_source_hint);
  throw usage_error(source + ": not a database URL, a directory or a .sql file", k_source_hint);
}

sandbox::Options sandbox_options(const config::Config& cfg, const Environment& env, std::ostream& log,
                                 bool verbose) {
  sandbox::Options options;
  options.backend = cfg.sandbox.backend;
  options.server_url = cfg.sandbox.server_url;
  options.cache_dir = cfg.sandbox.cache_dir;
  options.postgres_version = cfg.postgres.version;
  options.docker = cfg.sandbox.docker;
  options.image = cfg.postgres.image;
  options.start_timeout = cfg.sandbox.start_timeout;
  options.env = env;
  if (verbose) options.log = [&log](const std::string& line) { log << line << "\n"; };
  options.warn = [&log](const std::string& line) { log << line << "\n"; };
  return options;
}

std::unique_ptr<sandbox::Backend> make_sandbox(const sandbox::Options& options, const config::Config& cfg) {
  // Read before anything starts: a missing setup file is bad input, found at once.
  auto setup = replay::Setup::load(cfg.sandbox.setup, cfg.migrations.vars);
  replay::SetupOptions setup_options;
  setup_options.statement_timeout = cfg.replay.statement_timeout;
  setup_options.log = options.log;
  return replay::with_setup(sandbox::make_backend(options), std::move(setup), std::move(setup_options));
}

LoadedSource load_source(const std::string& source, const config::Config& cfg,
                         const catalog::IntrospectOptions& options, Io io, bool verbose, bool keep_sandbox) {
  switch (classify_source(source)) {
    case SourceKind::database: {
      const auto info = db::ConnectionInfo::parse(source);
      // Belt and braces: the introspection transaction is READ ONLY already.
      auto connection = open_read_only(info, cfg.drift.lock_timeout);
      LoadedSource out;
      out.loaded = true;
      out.model = read_despite_locks(*connection, k_lock_attempts,
                                     [&] { return catalog::introspect(*connection, options); });
      out.unmodeled = catalog::unmodeled_objects(*connection);
      out.description = info.redacted_url();
      return out;
    }
    case SourceKind::migrations: {
      const auto format = migrations::parse_format(cfg.migrations.format);
      if (!format) {
        throw usage_error("unknown migrations format '" + cfg.migrations.format + "'",
                          "use one of: auto, plain, flyway, golang-migrate, dbmate, goose, prisma, drizzle, diesel");
      }
      const auto discovery = migrations::discover({source, *format, cfg.migrations.vars});
      auto out = replay_and_introspect(discovery.migrations, cfg, options, io, verbose, keep_sandbox);
      out.description = source + " (" + std::string(migrations::to_string(discovery.format)) + ", " +
                        std::to_string(discovery.migrations.size()) + " migrations)";
      return out;
    }
    case SourceKind::schema_file: {
      const std::vector<migrations::Migration> list = {migrations::load_file(source, cfg.migrations.vars)};
      auto out = replay_and_introspect(list, cfg, options, io, verbose, keep_sandbox);
      out.description = source;
      return out;
    }
  }
  throw usage_error(source + ": unknown source", k_source_hint);
}

}  // namespace pgdrift::cli
