#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// add-unique-constraint: ALTER TABLE … ADD CONSTRAINT … UNIQUE without USING INDEX, and
// ADD COLUMN … UNIQUE, on a table that existed before the migration. Reported at the Constraint
// node. (CREATE UNIQUE INDEX without CONCURRENTLY is non-concurrent-index's.)
class AddUniqueConstraint : public BasicRule {
 public:
  AddUniqueConstraint()
      : BasicRule(
            {"add-unique-constraint", Severity::warning, "constraints and locks",
             "adding a UNIQUE constraint builds its index under an ACCESS EXCLUSIVE lock: every "
             "read and write of the table waits for the whole build",
             "`CREATE UNIQUE INDEX CONCURRENTLY t_c_key ON t (c);` (outside a transaction), then "
             "`ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_key;` (instant)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& relation = statement.tree["relation"];
    if (state.created_here(relation)) return;
    const std::string table = sql::relation_name(relation);
    for (const auto& [constraint, column_def] : added_constraints(statement.tree)) {
      if (constraint["contype"].str() != "CONSTR_UNIQUE") continue;
      if (column_def.is_null()) {
        if (!constraint["indexname"].is_null()) continue;
        const std::string name = constraint["conname"].str();
        sink.report(offset_of(constraint, statement),
                    "ADD CONSTRAINT " + (name.empty() ? "" : name + " ") +
                        "UNIQUE builds a unique index on table " + table +
                        " under an ACCESS EXCLUSIVE lock",
                    table_object(relation));
      } else {
        const std::string column = column_def["colname"].str();
        sink.report(offset_of(constraint, statement),
                    "ADD COLUMN " + column + " … UNIQUE builds a unique index on table " + table +
                        " under an ACCESS EXCLUSIVE lock",
                    column_object(relation, column));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_unique_constraint() {
  return std::make_unique<AddUniqueConstraint>();
}

}  // namespace pgdrift::lint::rules
