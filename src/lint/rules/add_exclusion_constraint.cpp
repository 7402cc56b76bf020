#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// add-exclusion-constraint: ALTER TABLE … ADD CONSTRAINT … EXCLUDE on a table that existed
// before the migration. Reported at the Constraint node.
class AddExclusionConstraint : public BasicRule {
 public:
  AddExclusionConstraint()
      : BasicRule(
            {"add-exclusion-constraint", Severity::warning, "constraints and locks",
             "adding an EXCLUDE constraint builds its index and checks every row under an ACCESS "
             "EXCLUSIVE lock, and there is no NOT VALID or concurrent form to avoid it",
             "add exclusion constraints when the table is created; on a large existing table, plan "
             "a maintenance window or copy the data into a new table that has the constraint"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& relation = statement.tree["relation"];
    for (const auto& cmd : existing_table_commands(statement.tree, state, "AT_AddConstraint")) {
      const auto constraint = cmd["def"];
      if (constraint["contype"].str() != "CONSTR_EXCLUSION") continue;
      const std::string name = constraint["conname"].str();
      sink.report(offset_of(constraint, statement),
                  "ADD CONSTRAINT " + (name.empty() ? "" : name + " ") +
                      "EXCLUDE builds an index on table " + sql::relation_name(relation) +
                      " and checks every row under an ACCESS EXCLUSIVE lock",
                  table_object(relation));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_exclusion_constraint() {
  return std::make_unique<AddExclusionConstraint>();
}

}  // namespace pgdrift::lint::rules
