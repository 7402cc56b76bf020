#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/lint/observer.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::replay {

// `cached`: a history migration whose effect came from the replay cache (not run this time).
enum class Status { applied, failed, skipped, cached };
std::string_view to_string(Status status);

// What one statement did.
struct StatementResult {
  std::size_t begin = 0;  // byte range in the migration's source file
  std::size_t end = 0;
  int line = 0;           // 1-based position of the statement's first token in the file
  int column = 0;
  Status status = Status::skipped;
  double duration_ms = 0;
  std::string command_tag;                  // e.g. "CREATE INDEX"
  std::optional<db::ServerMessage> error;   // why it failed
  std::size_t error_offset = 0;             // byte offset in the file of the error position
  std::vector<db::ServerMessage> notices;
};

// What one migration did.
struct MigrationResult {
  const migrations::Migration* migration = nullptr;  // points into the replayed vector
  Status status = Status::skipped;
  bool in_transaction = true;     // wrapped in BEGIN/COMMIT by pgdrift
  std::string transaction_note;   // why not, when not ("CREATE INDEX CONCURRENTLY at line 3")
  double duration_ms = 0;
  std::vector<StatementResult> statements;
};

// A framework command run instead of SQL files (migrations.command).
struct CommandResult {
  std::vector<std::string> argv;
  int exit_code = 0;
  bool timed_out = false;
  std::string output;  // combined stdout/stderr, passwords redacted
  double duration_ms = 0;
};

struct ReplayResult {
  std::vector<MigrationResult> migrations;
  std::optional<CommandResult> command;
  double duration_ms = 0;
  bool journal = false;  // the change journal recorded this replay (see journal.hpp)
  bool ok() const;
  std::size_t count(Status status) const;
};

struct Options {
  std::chrono::milliseconds statement_timeout{300000};
  std::vector<lint::ReplayObserver*> observers;  // told about every migration and statement (not owned)
  // Which migrations the observers watch (the judged ones); empty = all of them. The others are
  // replayed exactly as without observers.
  std::function<bool(const migrations::Migration&)> observe;
  // Install the change journal (journal.hpp) so the replayed model can say where each object came
  // from; `pgdrift replay`, which reports no model, leaves it out and pays nothing for it.
  bool journal = true;
};

// Applies `migrations` in order on `connection`, one statement at a time; each migration in its
// own transaction unless the file says otherwise or a statement cannot run in one. Stops at the
// first failure: later migrations are `skipped`. Server errors are results, not exceptions; a
// lost connection throws pgdrift::Error (infrastructure).
ReplayResult run(db::Connection& connection, const std::vector<migrations::Migration>& migrations,
                 const Options& options);
// The same for migrations held elsewhere (results point at them).
ReplayResult run(db::Connection& connection, const std::vector<const migrations::Migration*>& migrations,
                 const Options& options);

// How start_and_replay uses the replay cache.
struct CacheOptions {
  bool enabled = true;
  std::size_t history_prefix = 0;  // the first N migrations are history: their state is cacheable
  std::string format;              // the migrations format, part of the key
};

// A replay into a started sandbox, the cacheable part perhaps restored instead of replayed.
struct SandboxReplay {
  ReplayResult result;          // every migration; those restored from the cache are `cached`
  db::ConnectionInfo database;  // the database holding the result
  std::string cache;            // "hit", "saved", "off" (disabled, nothing cacheable, or a backend
                                // without snapshots), or "not saved: <why>"
};

// Starts `backend` and replays `migrations` into one new database of it. With the cache enabled
// and a backend that keeps snapshots (local), the state after the first `history_prefix`
// migrations is restored from the replay cache when a run saved it before (those migrations are
// then `cached`, not run), and saved there otherwise; the rest is replayed on top with `options`
// (observers included). Observers never see the cacheable part. The backend is left running.
// Throws pgdrift::Error like start() and run().
SandboxReplay start_and_replay(sandbox::Backend& backend, const std::vector<migrations::Migration>& migrations,
                               const Options& options, const CacheOptions& cache);

struct CommandOptions {
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{1800000};
  std::string cwd;
  Environment env;  // the base environment; DATABASE_URL and PG* are added
};

// Runs a framework's migration command with DATABASE_URL and PGHOST/PGPORT/PGUSER/PGPASSWORD/
// PGDATABASE pointing at `database`.
ReplayResult run_command(const db::ConnectionInfo& database, const CommandOptions& options);

// The replay cache's key for the state `migrations` build from an empty database: a SHA-256 over
// their order, versions, names, transaction modes and up SQL (placeholders substituted), the
// format and `server` (the sandbox's version and binaries). Any change to one of them is a new key.
std::string cache_key(const std::vector<migrations::Migration>& migrations, std::string_view format,
                      const std::string& server);

// The findings a replay produced: replay/statement-failed, replay/command-failed,
// replay/server-warning.
std::vector<Finding> findings(const ReplayResult& result);

}  // namespace pgdrift::replay
