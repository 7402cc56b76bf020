#include "pgdrift/replay/replay.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "history_table.hpp"
#include "pgdrift/replay/journal.hpp"
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

// What the migration's tool would do besides wrapping it (MigrationResult::in_transaction).
struct Plan {
  // A statement that cannot run in a transaction block is sent inside one, so the server refuses
  // it as it does under the tool (the tool's implicit transaction spans the whole file).
  bool refuse_outside = false;
  // The tool refuses the migration before running it (Flyway's mixed = false): the statement.
  std::optional<std::size_t> refused;
  std::string refusal;
  std::string refusal_hint;
};

std::string need_note(const migrations::Migration& migration, const sql::Statement& statement,
                      sql::TransactionNeed need) {
  const auto at = util::line_col(migration.source, migration.source_offset(statement.begin));
  return sql::describe_need(statement) + " at line " + std::to_string(at.line) +
         (need == sql::TransactionNeed::transaction_control ? " (the migration manages its own transaction)"
                                                            : " (cannot run inside a transaction block)");
}

// Decides how the migration is sent: in a transaction or not (and why not), as its tool sends it
// (migrations::TransactionShape).
Plan plan_transaction(const migrations::Migration& migration, const std::vector<sql::Statement>& statements,
                      int server_version_num, MigrationResult& out) {
  using Shape = migrations::TransactionShape;
  using Need = sql::TransactionNeed;
  Plan plan;
  std::optional<std::size_t> first_outside;
  std::optional<std::size_t> first_control;
  std::size_t outside = 0;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const Need need = sql::transaction_need(statements[i], server_version_num);
    if (need == Need::outside_transaction) {
      ++outside;
      if (!first_outside) first_outside = i;
    } else if (need == Need::transaction_control && !first_control) {
      first_control = i;
    }
  }
  // pgdrift's own rule: a transaction unless a statement cannot run in one or the file manages its own.
  const auto flexible = [&] {
    const std::optional<std::size_t> first =
        !first_outside ? first_control : !first_control ? first_outside : std::min(*first_outside, *first_control);
    if (!first) return;
    out.in_transaction = false;
    out.transaction_note = need_note(migration, statements[*first], sql::transaction_need(statements[*first], server_version_num));
  };
  const auto no_transaction_by_file = [&] {
    out.in_transaction = false;
    out.transaction_note =
        migration.transaction_reason.empty() ? "the file asks for no transaction" : migration.transaction_reason;
  };
  const auto own_transaction = [&] {
    out.in_transaction = false;
    out.transaction_note = need_note(migration, statements[*first_control], Need::transaction_control);
  };
  switch (migration.shape) {
    case Shape::flexible:
      if (migration.no_transaction) {
        no_transaction_by_file();
      } else {
        flexible();
      }
      break;
    case Shape::statements:
      no_transaction_by_file();
      break;
    case Shape::transaction:
      if (first_control) own_transaction();
      break;
    case Shape::one_query:
      if (statements.size() <= 1) {
        flexible();  // one statement alone runs as it would in autocommit
      } else if (first_control) {
        own_transaction();
        plan.refuse_outside = true;
      }
      break;
    case Shape::batch:
      if (first_control) {
        own_transaction();
        plan.refuse_outside = true;
      }
      break;
    case Shape::flyway:
      if (first_control || outside == 0) {
        flexible();
      } else if (outside == statements.size()) {
        out.in_transaction = false;
        out.transaction_note = need_note(migration, statements[*first_outside], Need::outside_transaction) +
                               "; Flyway runs a migration of only such statements without a transaction";
      } else {
        plan.refused = first_outside;
        plan.refusal = "Flyway refuses a migration that mixes statements that cannot run in a transaction (" +
                       sql::describe_need(statements[*first_outside]) +
                       ") with statements that can: mixed is false by default";
        plan.refusal_hint = "move " + sql::describe_need(statements[*first_outside]) +
                            " into a migration of its own (Flyway runs that one without a transaction), or "
                            "set mixed=true in Flyway's configuration";
      }
      break;
  }
  return plan;
}

// Why a statement that cannot run in a transaction block failed under the migration's tool, and
// what to do: for the message and hint of the failure.
std::pair<std::string, std::string> tool_refusal(const migrations::Migration& migration) {
  using Format = migrations::Format;
  switch (migration.shape) {
    case migrations::TransactionShape::transaction:
      switch (migration.format) {
        case Format::goose:
          return {"goose runs each migration in a transaction",
                  "mark the file `-- +goose NO TRANSACTION` (goose then runs each statement on its own)"};
        case Format::dbmate:
          return {"dbmate runs each migration in a transaction",
                  "write `-- migrate:up transaction:false` and keep the statement alone in its migration"};
        case Format::diesel:
          return {"Diesel runs each migration in a transaction",
                  "set `run_in_transaction = false` in the migration's metadata.toml and keep the statement "
                  "alone in its migration"};
        case Format::drizzle:
          return {"drizzle-kit's migrator runs all pending migrations in one transaction",
                  "drizzle-kit cannot run this statement: write it without CONCURRENTLY, or run it outside "
                  "drizzle-kit"};
        default:
          return {migration.tool + " runs each migration in a transaction", ""};
      }
    case migrations::TransactionShape::one_query:
      return {migration.tool + " sends the whole file as one query, which PostgreSQL runs as one implicit transaction",
              "put the statement in a migration of its own"};
    case migrations::TransactionShape::batch:
      return {"the Supabase CLI sends a file's statements and its history row as one batch, which PostgreSQL "
              "runs as one implicit transaction",
              "the Supabase CLI cannot run this statement in a migration: write it without CONCURRENTLY, or "
              "run it outside the CLI"};
    default:
      return {"", ""};
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

// Marks `row` failed with a message of pgdrift's (not the server's).
void fail_row(StatementResult& row, std::string message, std::string hint) {
  row.status = Status::failed;
  row.error = db::ServerMessage{};
  row.error->severity = "ERROR";
  row.error->message = std::move(message);
  row.error->hint = std::move(hint);
  row.error_offset = row.begin;
}

// Runs what the tool writes to its history table; on failure blames `row` the way the tool's run
// would fail there, and returns false.
bool record(db::Connection& connection, const std::vector<std::string>& sqls, const detail::HistoryTable& table,
            const migrations::Migration& migration, StatementResult& row) {
  for (const std::string& sql : sqls) {
    auto result = connection.execute(sql);
    if (result.ok) continue;
    if (connection.in_transaction()) control(connection, "ROLLBACK");
    fail_row(row,
             migration.tool + " could not record the migration in its history table " + table.name() + ": " +
                 result.error->message,
             "the migration changed " + table.name() + " so that " + migration.tool +
                 " can no longer write to it; leave the tool's table as the tool creates it");
    return false;
  }
  return true;
}

// Applies one migration's statements; returns false when one failed.
bool apply(db::Connection& connection, const migrations::Migration& migration,
           const std::vector<sql::Statement>& statements, const Options& options, int server_version_num,
           const Plan& plan, const detail::HistoryTable& table, MigrationResult& out) {
  const util::LineIndex lines(migration.source);
  std::vector<std::string> texts;
  for (const auto& statement : statements) {
    StatementResult row;
    row.begin = migration.source_offset(statement.begin);
    row.end = migration.source_offset(statement.end);
    const auto at = lines.at(row.begin);
    row.line = at.line;
    row.column = at.column;
    out.statements.push_back(std::move(row));
    texts.emplace_back(statement.text(migration.up_sql));
  }
  if (plan.refused) {
    fail_row(out.statements[*plan.refused], plan.refusal, plan.refusal_hint);
    return false;
  }
  StatementResult bookkeeping;  // blamed when the tool's bookkeeping fails in a file without statements
  StatementResult& first_row = out.statements.empty() ? bookkeeping : out.statements.front();
  StatementResult& last_row = out.statements.empty() ? bookkeeping : out.statements.back();
  const auto started_migration = Clock::now();
  const detail::HistoryWrites writes =
      table.exists_for_format() ? table.writes(migration, texts, 0) : detail::HistoryWrites{};
  if (!record(connection, writes.before, table, migration, first_row)) return false;
  if (out.in_transaction) control(connection, "BEGIN");
  bool ok = true;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    auto& row = out.statements[i];
    const auto& text = texts[i];
    const bool refuse = plan.refuse_outside && !connection.in_transaction() &&
                        sql::transaction_need(statements[i], server_version_num) ==
                            sql::TransactionNeed::outside_transaction;
    const bool wrap = refuse || (!out.in_transaction && !options.observers.empty() && !connection.in_transaction() &&
                                 wrap_for_observers(statements[i], server_version_num));
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
    // 25001: a statement that cannot run in a transaction block, in the transaction the tool opens.
    if (row.error->sqlstate == "25001") {
      auto [why, hint] = tool_refusal(migration);
      if (!why.empty()) {
        row.error->message += " (" + why + ")";
        if (row.error->hint.empty()) row.error->hint = hint;
      }
    }
    ok = false;
    break;
  }
  const double elapsed = ms_since(started_migration);
  const detail::HistoryWrites timed =
      table.exists_for_format() && ok ? table.writes(migration, texts, elapsed) : detail::HistoryWrites{};
  if (out.in_transaction) {
    if (!ok) {
      control(connection, "ROLLBACK");
    } else if (record(connection, timed.inside, table, migration, last_row)) {
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
    } else {
      ok = false;
    }
  } else if (connection.in_transaction()) {
    // The migration opened a transaction it never closed (or failed inside its own). A tool
    // running the file would end the session and Postgres would roll it back: do the same.
    control(connection, "ROLLBACK");
    if (ok && !out.statements.empty()) {
      fail_row(out.statements.back(),
               "the migration ends inside a transaction block it opened; its changes were rolled back",
               "add COMMIT at the end of the migration, or remove its BEGIN");
      ok = false;
    }
  } else if (ok) {
    ok = record(connection, timed.inside, table, migration, last_row);
  }
  if (ok) ok = record(connection, timed.after, table, migration, last_row);
  if (&last_row == &bookkeeping && bookkeeping.error) {
    throw infra_error(bookkeeping.error->message);  // a file without statements cannot be blamed
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
  // The tool's history table exists before its first migration runs, as under the tool.
  detail::HistoryTable table(migrations.empty() ? migrations::Format::plain : migrations.front()->format);
  if (!migrations.empty()) table.prepare(connection);
  // After the tool's table, so that what the journal records is the migrations' doing alone.
  ReplayResult result;
  result.journal = options.journal && install_journal(connection);
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
    const Plan plan = plan_transaction(migration, statements, server_version_num, out);
    if (migration.shape == migrations::TransactionShape::batch) {
      // The Supabase CLI resets the session before each file.
      control(connection, "RESET ALL");
      control(connection, "SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
    }
    Options watched = options;
    if (options.observe && !options.observe(migration)) watched.observers.clear();
    for (auto* observer : watched.observers) observer->before_migration(connection, migration);
    const bool ok = apply(connection, migration, statements, watched, server_version_num, plan, table, out);
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
  std::string text = "pgdrift replay cache v4\n" + std::string(k_version) + "\n" + std::string(format) + "\n" +
                     server + "\n";
  for (const auto& m : migrations) {
    text += m.version + "\t" + m.name + "\t" + (m.repeatable ? "R" : "V") + (m.no_transaction ? "N" : "T") + "\t" +
            util::sha256_hex(m.up_sql) + "\n";
  }
  return util::sha256_hex(text).substr(0, 32);
}

}  // namespace pgdrift::replay
