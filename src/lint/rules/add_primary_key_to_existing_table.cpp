#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// add-primary-key-to-existing-table: ALTER TABLE … ADD [CONSTRAINT …] PRIMARY KEY without
// USING INDEX, and ADD COLUMN … PRIMARY KEY when existing rows get a value (without one the
// statement fails and add-required-column owns it: both decide with existing_rows_get_value), on
// a table that existed before the migration. Reported at the Constraint node.
class AddPrimaryKeyToExistingTable : public BasicRule {
 public:
  AddPrimaryKeyToExistingTable()
      : BasicRule(
            {"add-primary-key-to-existing-table", Severity::warning, "constraints and locks",
             "adding a PRIMARY KEY builds its index, and makes its columns NOT NULL with a full "
             "scan, under an ACCESS EXCLUSIVE lock: every read and write of the table waits",
             "make the columns NOT NULL first (see add-not-null), `CREATE UNIQUE INDEX "
             "CONCURRENTLY t_pkey ON t (id);`, then `ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY "
             "KEY USING INDEX t_pkey;`"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& relation = statement.tree["relation"];
    if (state.created_here(relation)) return;
    const std::string table = sql::relation_name(relation);
    for (const auto& [constraint, column_def] : added_constraints(statement.tree)) {
      if (constraint["contype"].str() != "CONSTR_PRIMARY") continue;
      if (column_def.is_null()) {
        if (!constraint["indexname"].is_null()) continue;
        const std::string name = constraint["conname"].str();
        sink.report(offset_of(constraint, statement),
                    "ADD " + (name.empty() ? "" : "CONSTRAINT " + name + " ") +
                        "PRIMARY KEY builds an index on table " + table +
                        " under an ACCESS EXCLUSIVE lock",
                    table_object(relation));
      } else if (existing_rows_get_value(column_def)) {
        const std::string column = column_def["colname"].str();
        sink.report(offset_of(constraint, statement),
                    "ADD COLUMN " + column + " … PRIMARY KEY builds an index on table " + table +
                        " under an ACCESS EXCLUSIVE lock",
                    column_object(relation, column));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_primary_key_to_existing_table() {
  return std::make_unique<AddPrimaryKeyToExistingTable>();
}

}  // namespace pgdrift::lint::rules
