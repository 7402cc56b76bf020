#include "support.hpp"

// A BEGIN with no COMMIT / ROLLBACK / PREPARE TRANSACTION after it (COMMIT AND CHAIN leaves a
// transaction open). Silent when the tool wraps the file (goose, dbmate, diesel): the tool's
// COMMIT then commits it, and transaction-nesting reports the BEGIN. FileState::explicit_depth
// is not used: it counts BEGINs as if they nested, so BEGIN; BEGIN; COMMIT would look open.
// Reported in finish(), at the statement that opened the transaction.

namespace pgdrift::lint::rules {
namespace {

class UncommittedTransaction : public BasicRule {
 public:
  UncommittedTransaction()
      : BasicRule({"uncommitted-transaction", Severity::error, "robustness",
                   "a transaction left open at the end of the file is rolled back when the session "
                   "closes (psql and most runners) or committed by whatever runs next, so the "
                   "migration's changes can vanish while the tool records it as applied",
                   "end the transaction with `COMMIT;`, or remove BEGIN and let the tool run the "
                   "file in its transaction"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    (void)sink;
    const auto& tree = statement.tree;
    if (begins_transaction(tree)) {
      if (!m_open) m_begin = statement.statement.begin;
      m_open = true;
    } else if (ends_transaction(tree)) {
      m_open = tree["chain"].boolean();
      if (m_open) m_begin = statement.statement.begin;
    }
  }

  void finish(const FileState& state, Sink& sink) override {
    if (!m_open || state.tool_wraps) return;
    sink.report(m_begin, "the transaction opened here is never committed: the file ends with it still open",
                "transaction");
  }

 private:
  bool m_open = false;
  std::size_t m_begin = 0;  // offset of the statement that opened it (BEGIN, COMMIT AND CHAIN)
};

}  // namespace

std::unique_ptr<Rule> make_uncommitted_transaction() {
  return std::make_unique<UncommittedTransaction>();
}

}  // namespace pgdrift::lint::rules
