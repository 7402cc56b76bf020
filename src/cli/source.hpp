#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/catalog/unmodeled.hpp"
#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::cli {

// What a SOURCE argument names: a live database (postgres:// or postgresql:// URL, read only),
// a migrations directory (replayed from zero in a sandbox) or a .sql schema file (loaded into a
// sandbox database).
enum class SourceKind { database, migrations, schema_file };

// Classifies `source`. Throws pgdrift::Error (usage) when it is none of the three, or names a
// path that does not exist.
SourceKind classify_source(const std::string& source);

// A SOURCE turned into a schema model.
struct LoadedSource {
  bool loaded = false;              // false when replaying or loading the SQL failed
  catalog::SchemaModel model;       // valid when loaded
  std::vector<Finding> findings;    // what replay found (failures make loaded false)
  std::string description;          // e.g. "db/migrations (flyway, 12 migrations)"
  // Objects of kinds the model lacks (not compared), when loaded.
  std::vector<catalog::UnmodeledObject> unmodeled;
  // With `keep_sandbox`, a directory or .sql SOURCE that loaded keeps its sandbox running and
  // names the database holding its schema (for expression probes); the caller stops it.
  std::unique_ptr<sandbox::Backend> sandbox;
  std::optional<db::ConnectionInfo> database;
};

// The sandbox options pgdrift.yml and the flags describe; progress goes to `log` when verbose.
sandbox::Options sandbox_options(const config::Config& cfg, const Environment& env, std::ostream& log,
                                 bool verbose);

// The backend `options` describe, with the setup files of `cfg` (sandbox.setup plus --setup) run
// in every database it creates (replay::with_setup). Throws pgdrift::Error (usage) for a setup
// file that is missing or unreadable, like make_backend() for the rest.
std::unique_ptr<sandbox::Backend> make_sandbox(const sandbox::Options& options, const config::Config& cfg);

// Reads `source`'s schema. Databases are only read (read-only transaction, statement timeout,
// application_name=pgdrift); directories and .sql files go through a throwaway sandbox that is
// torn down before returning. Throws pgdrift::Error for usage and infrastructure problems.
LoadedSource load_source(const std::string& source, const config::Config& cfg,
                         const catalog::IntrospectOptions& options, Io io, bool verbose,
                         bool keep_sandbox = false);

// The IntrospectOptions of pgdrift.yml's catalog section.
catalog::IntrospectOptions introspect_options(const config::Config& cfg);

// Replays `list` into a new database of the started `backend` and reads its model.
struct Replayed {
  replay::ReplayResult result;
  std::vector<Finding> findings;
  std::optional<catalog::SchemaModel> model;  // set when every migration applied
  std::vector<catalog::UnmodeledObject> unmodeled;  // read with the model
  db::ConnectionInfo database;                // where they were replayed (in `backend`)
};
// `observers` watch the replay (dynamic lint tracing, the destructive guard).
Replayed replay_into(sandbox::Backend& backend, const std::string& purpose,
                     const std::vector<migrations::Migration>& list, const config::Config& cfg,
                     const catalog::IntrospectOptions& options,
                     const std::vector<lint::ReplayObserver*>& observers = {});

// Flags of `pgdrift dump`.
struct DumpFlags {
  std::string source;
  bool json = false;
  std::string output;  // file; empty = stdout
  std::vector<std::string> schemas;
  std::vector<std::string> exclude_schemas;
  std::vector<std::string> exclude;
};

// `pgdrift dump SOURCE`: prints the schema as canonical DDL text or JSON; returns the exit code.
int dump_command(const CommonFlags& common, const ReplayFlags& flags, const DumpFlags& dump, Io io);

}  // namespace pgdrift::cli
