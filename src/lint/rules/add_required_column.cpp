#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// add-required-column: ALTER TABLE … ADD COLUMN … NOT NULL (or PRIMARY KEY, which implies it)
// without a value for existing rows, on a table that existed before the migration. Reported at
// the NOT NULL constraint, else at the PRIMARY KEY one. Owns ADD COLUMN … PRIMARY KEY without a
// default (add-primary-key-to-existing-table skips it: both decide with existing_rows_get_value):
// on a table with rows it fails outright.
class AddRequiredColumn : public BasicRule {
 public:
  AddRequiredColumn()
      : BasicRule(
            {"add-required-column", Severity::error, "constraints and locks",
             "ADD COLUMN … NOT NULL without a DEFAULT fails as soon as the table has a row, so the "
             "migration that passed on an empty development database breaks in production",
             "give the column a DEFAULT (a constant default needs no table rewrite from PostgreSQL "
             "11), or add it nullable, backfill it in batches, then make it NOT NULL (see "
             "add-not-null)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& relation = statement.tree["relation"];
    if (state.created_here(relation)) return;
    for (const auto& column_def : added_columns(statement.tree)) {
      if (existing_rows_get_value(column_def)) continue;
      const auto not_null = column_constraint(column_def, "CONSTR_NOTNULL");
      const auto primary_key = column_constraint(column_def, "CONSTR_PRIMARY");
      if (not_null.is_null() && primary_key.is_null()) continue;
      const std::string column = column_def["colname"].str();
      const std::string what = not_null.is_null() ? "PRIMARY KEY" : "NOT NULL";
      sink.report(offset_of(not_null.is_null() ? primary_key : not_null, statement),
                  "ADD COLUMN " + column + " " + display_type(column_def["typeName"]) + " " + what +
                      " without a DEFAULT fails if table " + sql::relation_name(relation) +
                      " has any row (they would all get NULL)",
                  column_object(relation, column));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_required_column() { return std::make_unique<AddRequiredColumn>(); }

}  // namespace pgdrift::lint::rules
