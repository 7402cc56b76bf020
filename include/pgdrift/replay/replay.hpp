#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/lint/observer.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::replay {

enum class Status { applied, failed, skipped };
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
  bool ok() const;
  std::size_t count(Status status) const;
};

struct Options {
  std::chrono::milliseconds statement_timeout{300000};
  std::vector<lint::ReplayObserver*> observers;  // told about every migration and statement (not owned)
};

// Applies `migrations` in order on `connection`, one statement at a time; each migration in its
// own transaction unless the file says otherwise or a statement cannot run in one. Stops at the
// first failure: later migrations are `skipped`. Server errors are results, not exceptions; a
// lost connection throws pgdrift::Error (infrastructure).
ReplayResult run(db::Connection& connection, const std::vector<migrations::Migration>& migrations,
                 const Options& options);

struct CommandOptions {
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{1800000};
  std::string cwd;
  Environment env;  // the base environment; DATABASE_URL and PG* are added
};

// Runs a framework's migration command with DATABASE_URL and PGHOST/PGPORT/PGUSER/PGPASSWORD/
// PGDATABASE pointing at `database`.
ReplayResult run_command(const db::ConnectionInfo& database, const CommandOptions& options);

// The findings a replay produced: replay/statement-failed, replay/command-failed,
// replay/server-warning.
std::vector<Finding> findings(const ReplayResult& result);

}  // namespace pgdrift::replay
