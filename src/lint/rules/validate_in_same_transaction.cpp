#include <algorithm>
#include <string>
#include <vector>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// validate-in-same-transaction: ALTER TABLE … VALIDATE CONSTRAINT of a constraint this file
// added NOT VALID earlier in the same transaction: the whole file when it runs in one (pgdrift's
// or the migration tool's), or one explicit BEGIN … COMMIT block. Tables created in this file
// are skipped. Reported at the ALTER TABLE's table name (VALIDATE has no location of its own).
class ValidateInSameTransaction : public BasicRule {
 public:
  ValidateInSameTransaction()
      : BasicRule({"validate-in-same-transaction", Severity::warning, "constraints and locks",
                   "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID "
                   "runs while the ADD's lock is still held, so the validation scan blocks the "
                   "table as if NOT VALID had not been used",
                   "commit in between: put VALIDATE CONSTRAINT in a later migration (or after the "
                   "COMMIT of the block that adds the constraint)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (ends_transaction(tree)) {
      ++m_transaction;
      return;
    }
    // Outside a transaction (autocommit) each statement commits on its own.
    if (!(state.in_transaction() || state.tool_wraps)) return;
    const auto& relation = tree["relation"];
    if (state.created_here(relation)) return;
    const std::string table = sql::relation_name(relation);
    for (const auto& cmd : alter_table_commands(tree)) {
      const std::string subtype = cmd["subtype"].str();
      if (subtype == "AT_AddConstraint" && cmd["def"]["skip_validation"].boolean()) {
        const std::string name = cmd["def"]["conname"].str();
        if (!name.empty()) m_added.push_back({table, name, m_transaction});
      } else if (subtype == "AT_ValidateConstraint") {
        const std::string name = cmd["name"].str();
        const bool same = std::any_of(m_added.begin(), m_added.end(), [&](const Added& a) {
          return a.transaction == m_transaction && a.name == name && same_name(a.table, table);
        });
        if (!same) continue;
        sink.report(offset_of(relation, statement),
                    "VALIDATE CONSTRAINT " + name + " on table " + table +
                        " runs in the transaction that added it NOT VALID: the lock taken by the "
                        "ADD is still held during the validation scan",
                    table_object(relation));
      }
    }
  }

 private:
  struct Added {
    std::string table;
    std::string name;
    int transaction;
  };
  int m_transaction = 0;       // counts the COMMITs/ROLLBACKs seen so far
  std::vector<Added> m_added;  // constraints added NOT VALID inside a transaction
};

}  // namespace

std::unique_ptr<Rule> make_validate_in_same_transaction() {
  return std::make_unique<ValidateInSameTransaction>();
}

}  // namespace pgdrift::lint::rules
