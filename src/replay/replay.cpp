#include "pgdrift/replay/replay.hpp"

#include <chrono>
#include <set>
#include <string>

#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"

namespace pgdrift::replay {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Runs a statement pgdrift itself needs (BEGIN, COMMIT, SET …); its failure is infrastructure.
void control(db::Connection& connection, const std::string& sql) {
  const auto result = connection.execute(sql);
  if (!result.ok) {
    throw infra_error("the sandbox refused `" + sql + "`: " + result.error->message);
  }
}

// Decides whether the migration can be wrapped in a transaction, and if not, why.
void plan_transaction(const migrations::Migration& migration, const std::vector<sql::Statement>& statements,
                      int server_version_num, MigrationResult& out) {
  if (migration.no_transaction) {
    out.in_transaction = false;
    out.transaction_note = migration.transaction_reason.empty() ? "the file asks for no transaction"
                                                                : migration.transaction_reason;
    return;
  }
  for (const auto& statement : statements) {
    const auto need = sql::transaction_need(statement, server_version_num);
    if (need == sql::TransactionNeed::any) continue;
    const auto at = util::line_col(migration.source, migration.source_offset(statement.begin));
    out.in_transaction = false;
    out.transaction_note = sql::describe_need(statement) + " at line " + std::to_string(at.line) +
                           (need == sql::TransactionNeed::transaction_control
                                ? " (the migration manages its own transaction)"
                                : " (cannot run inside a transaction block)");
    return;
  }
}

// Whether `statement`, in a migration that runs without a transaction, is sent as BEGIN;
// statement; COMMIT so that observers can see what it does before its locks are released (they
// run between the statement and the COMMIT). Only when observers are present, outside any
// transaction the file opened, and only for statements that behave exactly as in autocommit:
// they run inside a transaction block (transaction_need is `any`) and cannot end a transaction
// themselves (not DO or CALL) or behave differently in one (not SET LOCAL, LOCK, DECLARE, …).
bool wrap_for_observers(const sql::Statement& statement, int server_version_num) {
  static const std::set<std::string> k_nodes = {
      "AlterTableStmt", "IndexStmt",       "RenameStmt",       "DropStmt",          "TruncateStmt",
      "CreateStmt",     "CreateTableAsStmt", "CreateTrigStmt",  "RuleStmt",          "CreatePolicyStmt",
      "AlterPolicyStmt", "ClusterStmt",     "ReindexStmt",      "RefreshMatViewStmt", "AlterDomainStmt",
      "AlterObjectSchemaStmt", "InsertStmt", "UpdateStmt",      "DeleteStmt",        "MergeStmt",
      "SelectStmt"};
  return k_nodes.count(statement.node) != 0 &&
         sql::transaction_need(statement, server_version_num) == sql::TransactionNeed::any;
}

// Applies one migration's statements; returns false when one failed.
bool apply(db::Connection& connection, const migrations::Migration& migration,
           const std::vector<sql::Statement>& statements, const Options& options, int server_version_num,
           MigrationResult& out) {
  const util::LineIndex lines(migration.source);
  for (const auto& statement : statements) {
    StatementResult row;
    row.begin = migration.source_offset(statement.begin);
    row.end = migration.source_offset(statement.end);
    const auto at = lines.at(row.begin);
    row.line = at.line;
    row.column = at.column;
    out.statements.push_back(std::move(row));
  }
  if (out.in_transaction) control(connection, "BEGIN");
  bool ok = true;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    auto& row = out.statements[i];
    const auto text = std::string(statements[i].text(migration.up_sql));
    const bool wrap = !out.in_transaction && !options.observers.empty() && !connection.in_transaction() &&
                      wrap_for_observers(statements[i], server_version_num);
    if (wrap) control(connection, "BEGIN");
    const auto started = Clock::now();
    auto result = connection.execute(text);
    row.duration_ms = ms_since(started);
    row.command_tag = result.command_tag;
    row.notices = std::move(result.notices);
    if (result.ok) {
      row.status = Status::applied;
      for (auto* observer : options.observers) {
        observer->after_statement(connection, migration, statements[i], i, row.command_tag);
      }
      if (!wrap) continue;
      const auto committing = Clock::now();
      auto commit = connection.execute("COMMIT");
      row.duration_ms += ms_since(committing);
      for (auto& notice : commit.notices) row.notices.push_back(std::move(notice));
      if (commit.ok) continue;
      // In autocommit the statement itself would have failed (a deferred constraint).
      result.error = std::move(commit.error);
      result.error->position = 0;  // a position in "COMMIT", not in the statement
      row.command_tag.clear();
    } else if (wrap) {
      control(connection, "ROLLBACK");
    }
    row.status = Status::failed;
    row.error = std::move(result.error);
    row.error_offset = row.begin;
    if (row.error->position > 0) {
      const auto byte = util::byte_offset_of_char(text, row.error->position - 1);
      row.error_offset = migration.source_offset(statements[i].begin + byte);
    }
    ok = false;
    break;
  }
  if (out.in_transaction) {
    if (!ok) {
      control(connection, "ROLLBACK");
    } else {
      auto commit = connection.execute("COMMIT");
      if (!commit.ok && !out.statements.empty()) {
        // Deferred constraints fail at COMMIT: blame the migration's last statement.
        auto& last = out.statements.back();
        last.status = Status::failed;
        last.error = std::move(commit.error);
        last.error->message += " (at COMMIT)";
        last.error_offset = last.begin;
        ok = false;
      }
    }
  } else if (connection.in_transaction()) {
    // The migration opened a transaction it never closed (or failed inside its own). A tool
    // running the file would end the session and Postgres would roll it back: do the same.
    control(connection, "ROLLBACK");
    if (ok && !out.statements.empty()) {
      auto& last = out.statements.back();
      last.status = Status::failed;
      last.error = db::ServerMessage{};
      last.error->severity = "ERROR";
      last.error->message = "the migration ends inside a transaction block it opened; its changes "
                            "were rolled back";
      last.error->hint = "add COMMIT at the end of the migration, or remove its BEGIN";
      last.error_offset = last.begin;
      ok = false;
    }
  }
  return ok;
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::applied: return "applied";
    case Status::failed: return "failed";
    case Status::skipped: return "skipped";
    case Status::cached: return "cached";
  }
  return "skipped";
}

bool ReplayResult::ok() const {
  if (command && (command->exit_code != 0 || command->timed_out)) return false;
  return count(Status::failed) == 0;
}

std::size_t ReplayResult::count(Status status) const {
  std::size_t n = 0;
  for (const auto& m : migrations) n += m.status == status ? 1 : 0;
  return n;
}

ReplayResult run(db::Connection& connection, const std::vector<migrations::Migration>& migrations,
                 const Options& options) {
  std::vector<const migrations::Migration*> list;
  list.reserve(migrations.size());
  for (const auto& m : migrations) list.push_back(&m);
  return run(connection, list, options);
}

ReplayResult run(db::Connection& connection, const std::vector<const migrations::Migration*>& migrations,
                 const Options& options) {
  const auto started = Clock::now();
  control(connection, "SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
  const int server_version_num = connection.server_version_num();
  ReplayResult result;
  bool failed = false;
  for (const auto* pointer : migrations) {
    const auto& migration = *pointer;
    MigrationResult out;
    out.migration = &migration;
    if (failed) {
      result.migrations.push_back(std::move(out));
      continue;
    }
    const auto migration_started = Clock::now();
    const auto statements = sql::split(migration.up_sql);
    plan_transaction(migration, statements, server_version_num, out);
    Options watched = options;
    if (options.observe && !options.observe(migration)) watched.observers.clear();
    for (auto* observer : watched.observers) observer->before_migration(connection, migration);
    const bool ok = apply(connection, migration, statements, watched, server_version_num, out);
    for (auto* observer : watched.observers) observer->after_migration(connection, migration, ok);
    if (ok && watched.observers.empty()) {
      for (auto* observer : options.observers) observer->unwatched_migration(connection, migration);
    }
    out.status = ok ? Status::applied : Status::failed;
    out.duration_ms = ms_since(migration_started);
    failed = !ok;
    result.migrations.push_back(std::move(out));
  }
  if (!failed) {
    for (auto* observer : options.observers) observer->finish(connection);
  }
  result.duration_ms = ms_since(started);
  return result;
}

std::string cache_key(const std::vector<migrations::Migration>& migrations, std::string_view format,
                      const std::string& server) {
  // Bump the layout when what a snapshot holds changes meaning; pgdrift's version is part of the
  // key too, since how migrations are replayed may change between releases.
  std::string text = "pgdrift replay cache v1\n" + std::string(k_version) + "\n" + std::string(format) + "\n" +
                     server + "\n";
  for (const auto& m : migrations) {
    text += m.version + "\t" + m.name + "\t" + (m.repeatable ? "R" : "V") + (m.no_transaction ? "N" : "T") + "\t" +
            util::sha256_hex(m.up_sql) + "\n";
  }
  return util::sha256_hex(text).substr(0, 32);
}

}  // namespace pgdrift::replay
