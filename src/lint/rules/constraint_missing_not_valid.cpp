#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// "ADD CONSTRAINT orders_user_fk FOREIGN KEY" / "REFERENCES" / "CHECK": how the message names
// the constraint.
std::string describe(const sql::Node& constraint, bool column_level) {
  const bool foreign = constraint["contype"].str() == "CONSTR_FOREIGN";
  if (column_level)
    return foreign ? "REFERENCES " + sql::relation_name(constraint["pktable"]) : "CHECK";
  const std::string name = constraint["conname"].str();
  return std::string("ADD CONSTRAINT ") + (name.empty() ? "" : name + " ") +
         (foreign ? "FOREIGN KEY" : "CHECK");
}

// What validating `constraint` on `table` blocks. ADD COLUMN holds ACCESS EXCLUSIVE on the table
// whatever the constraint; a foreign key alone takes SHARE ROW EXCLUSIVE on both tables.
std::string consequence(const sql::Node& constraint, const std::string& table, bool column_level) {
  const std::string scan = "checks every row of table " + table;
  if (constraint["contype"].str() != "CONSTR_FOREIGN") {
    return scan + " under an ACCESS EXCLUSIVE lock, blocking reads and writes";
  }
  const std::string referenced = sql::relation_name(constraint["pktable"]);
  if (column_level) {
    return scan + " under an ACCESS EXCLUSIVE lock, and blocks writes to table " + referenced +
           " meanwhile";
  }
  return scan + " while blocking writes to it and to table " + referenced +
         " (SHARE ROW EXCLUSIVE)";
}

// constraint-missing-not-valid: a CHECK or FOREIGN KEY added to a table that existed before the
// migration without NOT VALID: ALTER TABLE … ADD CONSTRAINT, and the column constraints CHECK
// and REFERENCES of ADD COLUMN (which cannot be NOT VALID). Reported at the Constraint node.
class ConstraintMissingNotValid : public BasicRule {
 public:
  ConstraintMissingNotValid()
      : BasicRule(
            {"constraint-missing-not-valid", Severity::warning, "constraints and locks",
             "adding a CHECK or FOREIGN KEY constraint checks every existing row while holding a "
             "lock that blocks writes (a FOREIGN KEY also blocks writes to the referenced table)",
             "add it with NOT VALID (new rows are checked at once, the lock is brief), then run "
             "`ALTER TABLE … VALIDATE CONSTRAINT …` in a later transaction: it scans without "
             "blocking writes; for ADD COLUMN … REFERENCES, add the column first and the "
             "constraint that way"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& relation = statement.tree["relation"];
    if (state.created_here(relation)) return;
    const std::string table = sql::relation_name(relation);
    for (const auto& [constraint, column_def] : added_constraints(statement.tree)) {
      if (!validated_now(constraint)) continue;
      if (column_def.is_null()) {
        sink.report(offset_of(constraint, statement),
                    describe(constraint, false) + " without NOT VALID " +
                        consequence(constraint, table, false),
                    table_object(relation));
      } else {
        const std::string column = column_def["colname"].str();
        sink.report(offset_of(constraint, statement),
                    "ADD COLUMN " + column + " … " + describe(constraint, true) + " " +
                        consequence(constraint, table, true),
                    column_object(relation, column));
      }
    }
  }

 private:
  // A CHECK or FOREIGN KEY constraint that is validated when added (no NOT VALID).
  static bool validated_now(const sql::Node& constraint) {
    const std::string kind = constraint["contype"].str();
    return (kind == "CONSTR_CHECK" || kind == "CONSTR_FOREIGN") &&
           !constraint["skip_validation"].boolean();
  }
};

}  // namespace

std::unique_ptr<Rule> make_constraint_missing_not_valid() {
  return std::make_unique<ConstraintMissingNotValid>();
}

}  // namespace pgdrift::lint::rules
