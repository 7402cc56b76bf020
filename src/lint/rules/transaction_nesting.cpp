#include "support.hpp"

// Postgres has no nested transactions, so this rule models one flag: is a transaction open? It
// starts open when the tool wraps the file (goose, dbmate, diesel), a BEGIN opens it, COMMIT /
// ROLLBACK / PREPARE TRANSACTION close it (COMMIT AND CHAIN opens the next one). A BEGIN while it
// is open is reported. FileState::explicit_depth is not used: it counts BEGINs as if they nested.

namespace pgdrift::lint::rules {
namespace {

class TransactionNesting : public BasicRule {
 public:
  TransactionNesting()
      : BasicRule({"transaction-nesting", Severity::warning, "robustness",
                   "Postgres has no nested transactions: a BEGIN inside one is ignored with a "
                   "warning and the next COMMIT commits the outer (the tool's) transaction early, "
                   "so a later failure no longer rolls the whole migration back",
                   "remove BEGIN/COMMIT from the file and let the tool run it in its transaction "
                   "(or opt the file out of the tool's transaction when it must manage its own)"}) {
  }

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    if (!m_started) {
      m_open = state.tool_wraps;
      m_started = true;
    }
    const auto& tree = statement.tree;
    if (begins_transaction(tree)) {
      if (m_open) {
        sink.report(
            statement.statement.begin,
            m_opened_by_begin
                ? "BEGIN while the transaction of an earlier BEGIN is still open: Postgres ignores "
                  "it, and the first COMMIT commits everything since the earlier BEGIN"
                : "BEGIN in a migration the migration tool already runs in a transaction: Postgres "
                  "ignores it, and the file's COMMIT commits the tool's transaction early",
            "transaction");
      } else {
        m_opened_by_begin = true;
      }
      m_open = true;
    } else if (ends_transaction(tree)) {
      m_open = tree["chain"].boolean();
      m_opened_by_begin = m_open && m_opened_by_begin;
    }
  }

 private:
  bool m_started = false;
  bool m_open = false;             // a transaction is open before the statement
  bool m_opened_by_begin = false;  // … and the file's own BEGIN opened it
};

}  // namespace

std::unique_ptr<Rule> make_transaction_nesting() { return std::make_unique<TransactionNesting>(); }

}  // namespace pgdrift::lint::rules
