#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/sandbox/backend.hpp"

namespace pgdrift::replay {

// One statement a framework sent, as the server logged it (log_statement = 'all').
struct CapturedStatement {
  std::size_t ordinal = 0;  // 1-based position among the statements the framework sent
  std::string session;      // the server's session id (csvlog session_id)
  std::string text;         // as sent; extended-protocol parameters ($1 …) replaced by their values
};

// Reads a server's csvlog: the statements logged for database `dbname` ("statement: …",
// "execute <name>: …" with their "parameters: …" detail), in the order logged, numbered from 1.
// Rows of sessions whose application_name is `skip_application` are left out, and so is a
// statement the server answered with an ERROR. Throws nothing: a malformed row is skipped.
std::vector<CapturedStatement> read_statement_log(std::string_view csv, const std::string& dbname,
                                                  const std::string& skip_application);

// Replaces $1, $2 … outside quotes and comments with `values` (already SQL literals: 'x', NULL).
std::string bind_parameters(std::string_view sql, const std::map<int, std::string>& values);

// The statements that took effect: transaction control (BEGIN, COMMIT, SAVEPOINT, …) left out,
// and so is whatever a ROLLBACK (or ROLLBACK TO SAVEPOINT) undid in its session. Ordinals kept.
std::vector<CapturedStatement> committed_statements(const std::vector<CapturedStatement>& statements);

// A migration tool whose history table pgdrift recognizes in the statements it sent.
struct FrameworkTool {
  std::string name;                         // "alembic", "django", "rails", "knex", "node-pg-migrate", "typeorm"
  std::vector<std::string> history_tables;  // its tables, left out of the model
};

// The known frameworks (README "Framework migrations").
const std::vector<FrameworkTool>& framework_tools();

// Where one statement of a framework migration is in its transcript (Migration::source).
struct TranscriptLine {
  int line = 0;              // 1-based line of the statement's first line in the transcript
  std::size_t ordinal = 0;   // CapturedStatement::ordinal
  std::string text;
  bool framework_own = false;  // it creates or writes the framework's history tables only
};

// A framework's run cut into its migrations.
struct FrameworkCapture {
  std::string tool;                         // framework_tools()'s name; "" when no history write was seen
  std::vector<std::string> history_tables;  // the tool's tables ({} when unknown)
  // One per migration the framework recorded, in order: version and name are the migration's id as
  // the framework wrote it into its history table ("9f8e7d6c5b4a", "app.0002_drop_x",
  // "1709880000000_drop-nickname"), display_path is "<tool>:<id>", source and up_sql the
  // transcript of its statements (each after a "-- statement N" line), shape flexible.
  std::vector<migrations::Migration> migrations;
  // display_path → where each statement is in its transcript, in order.
  std::map<std::string, std::vector<TranscriptLine>> lines;
  std::size_t statements = 0;  // how many statements were captured (transaction control included)
};

// Cuts committed statements into migrations at the writes into a known framework's history table
// (the statements since the previous write, that write included). What follows the last write is
// added to the last migration when it only reads or touches the history tables (a lock release),
// else becomes a migration of its own, "(after the last recorded migration)"; with no write at all,
// everything is one migration, "(no migration recorded)".
FrameworkCapture group_by_migration(const std::vector<CapturedStatement>& committed, std::size_t captured);

// Whether `object` (a Finding's "column public.alembic_version.version_num", "table knex_migrations")
// names one of `capture`'s history tables.
bool names_history_table(const FrameworkCapture& capture, const std::string& object);

// The 1-based ordinal of the statement at `line` of `display_path`'s transcript (the last
// statement starting at or before it), with its text; nullptr when `display_path` is not one.
const TranscriptLine* statement_at(const FrameworkCapture& capture, const std::string& display_path, int line);

// A framework command run in a sandbox, and what it sent.
struct CommandCapture {
  ReplayResult result;       // the command's run (ReplayResult::command)
  FrameworkCapture capture;  // its migrations (empty when the command failed)
};

// Runs `options`' command (run_command) against a new database of `backend`, started with
// sandbox::Options::statement_log, with log_statement = 'all' set on that database only, then reads
// the server's log back (waiting for a marker statement, so nothing is still in the collector's
// pipe) and cuts what the command sent into migrations. Throws pgdrift::Error (usage) when the
// backend keeps no statement log (docker, server), (infrastructure) when the log cannot be read.
CommandCapture capture_command(sandbox::Backend& backend, const CommandOptions& options);

}  // namespace pgdrift::replay
