#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// Whether existing rows get a non-NULL value for a column added with `column_def`: a DEFAULT
// other than NULL, an identity or generated column, or a serial type (an implicit default).
// add-primary-key-to-existing-table keeps a copy of this test.
bool existing_rows_get_value(const sql::Node& column_def) {
  const std::string type = sql::type_base(column_def["typeName"]);
  if (type == "serial" || type == "bigserial" || type == "smallserial" || type == "serial2" ||
      type == "serial4" || type == "serial8") {
    return true;
  }
  for (const auto& constraint : column_def["constraints"].items()) {
    const std::string kind = constraint["contype"].str();
    if (kind == "CONSTR_IDENTITY" || kind == "CONSTR_GENERATED") return true;
    if (kind == "CONSTR_DEFAULT" && !constraint["raw_expr"]["isnull"].boolean()) return true;
  }
  return false;
}

// add-required-column: ALTER TABLE … ADD COLUMN … NOT NULL (or PRIMARY KEY, which implies it)
// without a value for existing rows, on a table that existed before the migration. Reported at
// the NOT NULL constraint, else at the PRIMARY KEY one. Owns ADD COLUMN … PRIMARY KEY without a
// default (add-primary-key-to-existing-table skips it): on a table with rows it fails outright.
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
    for (const auto& cmd : alter_table_commands(statement.tree)) {
      if (cmd["subtype"].str() != "AT_AddColumn" || state.created_here(relation)) continue;
      const auto column_def = cmd["def"];
      if (existing_rows_get_value(column_def)) continue;
      sql::Node not_null;
      sql::Node primary_key;
      for (const auto& constraint : column_def["constraints"].items()) {
        const std::string kind = constraint["contype"].str();
        if (kind == "CONSTR_NOTNULL" && not_null.is_null()) not_null = constraint;
        if (kind == "CONSTR_PRIMARY" && primary_key.is_null()) primary_key = constraint;
      }
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
