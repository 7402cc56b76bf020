#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// "CREATE INDEX CONCURRENTLY", …: the concurrent form `tree` uses; empty when none.
std::string concurrent_form(const sql::Node& tree) {
  if (tree.is("IndexStmt") && tree["concurrent"].boolean()) return "CREATE INDEX CONCURRENTLY";
  if (tree.is("DropStmt") && tree["concurrent"].boolean()) return "DROP INDEX CONCURRENTLY";
  if (tree.is("ReindexStmt") && option_on(tree["params"], "concurrently"))
    return "REINDEX CONCURRENTLY";
  for (const auto& cmd : alter_table_commands(tree)) {
    if (cmd["subtype"].str() == "AT_DetachPartition" && cmd["def"]["concurrent"].boolean()) {
      return "DETACH PARTITION CONCURRENTLY";
    }
  }
  return "";
}

// concurrently-in-transaction: a CONCURRENTLY statement inside an explicit BEGIN block of the
// file, in a file the migration tool always runs in a transaction (goose, dbmate, diesel
// without their opt-out), or next to other statements in a golang-migrate file (one query: an
// implicit transaction). pgdrift's own wrapping (state.wrapped) never applies: it already runs
// such a file outside a transaction. Reported at the statement, which fails as a whole.
class ConcurrentlyInTransaction : public BasicRule {
 public:
  ConcurrentlyInTransaction()
      : BasicRule({"concurrently-in-transaction", Severity::error, "constraints and locks",
                   "CONCURRENTLY cannot run inside a transaction block: the migration fails in "
                   "production with \"cannot run inside a transaction block\"",
                   "run the migration outside a transaction: `-- +goose NO TRANSACTION` (goose), "
                   "`-- migrate:up transaction:false` (dbmate), `run_in_transaction = false` in "
                   "metadata.toml (diesel); or remove the BEGIN/COMMIT around it, or give it a "
                   "migration of its own (golang-migrate, Prisma: alone in its file); drizzle-kit "
                   "and the Supabase CLI cannot run it in a migration"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const std::string form = concurrent_form(statement.tree);
    if (form.empty()) return;
    if (state.explicit_depth > 0) {
      sink.report(statement.statement.begin,
                  form +
                      " inside the transaction block opened by BEGIN earlier in the file fails: it "
                      "cannot run inside a transaction block");
    } else if (state.tool_wraps) {
      sink.report(statement.statement.begin,
                  form + " fails: " + (state.tool.empty() ? std::string("the migration tool") : state.tool) +
                      " runs this file in a transaction, and it cannot run inside a transaction block");
    } else if (state.implicit_transaction && state.tool == "the Supabase CLI") {
      sink.report(statement.statement.begin,
                  form +
                      " fails: the Supabase CLI sends a file's statements and its history row as one "
                      "batch, which Postgres runs as one implicit transaction");
    } else if (state.implicit_transaction) {
      sink.report(statement.statement.begin,
                  form + " fails: " + (state.tool.empty() ? std::string("the migration tool") : state.tool) +
                      " sends the file's statements as one query, which Postgres runs as one implicit "
                      "transaction; give it a migration file of its own");
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_concurrently_in_transaction() {
  return std::make_unique<ConcurrentlyInTransaction>();
}

}  // namespace pgdrift::lint::rules
