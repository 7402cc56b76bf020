#include <string>
#include <vector>

#include "pgdrift/util/text.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// From PostgreSQL 12, ALTER TYPE … ADD VALUE may run inside a transaction block (the new value
// stays unusable until the transaction commits).
constexpr int k_add_value_in_transaction_since = 120000;

// The first string constant equal to `value` in `tree`, or a null node.
sql::Node find_literal(const sql::Node& tree, const std::string& value) {
  sql::Node found;
  tree.walk([&](const sql::Node& node) {
    if (found.is_null() && node.is("A_Const") && !node["sval"].is_null() && node.str() == value) {
      found = node;
    }
  });
  return found;
}

// enum-add-value-in-transaction: ALTER TYPE … ADD VALUE in a transaction. The file runs in one
// when state.in_transaction() (pgdrift's wrapping, which sql::transaction_need already turns off
// before PostgreSQL 12 for such a file, or an explicit BEGIN block) or when the migration tool
// always wraps it (state.tool_wraps). Before 12 the ALTER TYPE itself fails: reported at it. From
// 12, only a later statement of the same transaction that uses the new value as a string
// literal fails: reported at that literal.
class EnumAddValueInTransaction : public BasicRule {
 public:
  EnumAddValueInTransaction()
      : BasicRule({"enum-add-value-in-transaction", Severity::error, "constraints and locks",
                   "before PostgreSQL 12, ALTER TYPE … ADD VALUE fails inside a transaction block; "
                   "from 12 it runs, but using the new value before the transaction commits fails "
                   "(\"unsafe use of new value\")",
                   "add the value in a migration of its own that runs outside a transaction "
                   "(before 12), and use it only in a later migration (or after a COMMIT)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (ends_transaction(tree)) {
      m_added.clear();
      return;
    }
    const bool in_transaction = state.in_transaction() || state.tool_wraps;
    if (tree.is("AlterEnumStmt") && !tree["newVal"].is_null() && tree["oldVal"].is_null()) {
      if (!in_transaction) return;
      const std::string type = util::join(sql::strings(tree["typeName"]), ".");
      const std::string value = tree["newVal"].str();
      if (state.pg_version_num < k_add_value_in_transaction_since) {
        sink.report(statement.statement.begin,
                    "ALTER TYPE " + type + " ADD VALUE '" + value +
                        "' runs inside a transaction block, which PostgreSQL before 12 refuses",
                    "type " + type);
      } else {
        m_added.push_back({type, value});
      }
      return;
    }
    if (!in_transaction) {
      m_added.clear();  // autocommit: what was added is committed
      return;
    }
    for (const auto& added : m_added) {
      const auto literal = find_literal(tree, added.value);
      if (literal.is_null()) continue;
      sink.report(offset_of(literal, statement),
                  "'" + added.value + "' is used in the transaction that added it to enum " +
                      added.type +
                      ": PostgreSQL refuses a new enum value until that transaction commits",
                  "type " + added.type);
    }
  }

 private:
  struct Added {
    std::string type;
    std::string value;
  };
  std::vector<Added> m_added;  // values added in the current transaction (PostgreSQL 12+)
};

}  // namespace

std::unique_ptr<Rule> make_enum_add_value_in_transaction() {
  return std::make_unique<EnumAddValueInTransaction>();
}

}  // namespace pgdrift::lint::rules
