#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// Whether existing rows get a non-NULL value for a column added with `column_def` (a copy of
// add_required_column.cpp's test, which decides which of the two rules owns the column).
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

// add-primary-key-to-existing-table: ALTER TABLE … ADD [CONSTRAINT …] PRIMARY KEY without
// USING INDEX, and ADD COLUMN … PRIMARY KEY when existing rows get a value (without one the
// statement fails and add-required-column owns it), on a table that existed before the
// migration. Reported at the Constraint node.
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
    const std::string table = sql::relation_name(relation);
    for (const auto& cmd : alter_table_commands(statement.tree)) {
      if (state.created_here(relation)) return;
      const std::string subtype = cmd["subtype"].str();
      if (subtype == "AT_AddConstraint") {
        const auto constraint = cmd["def"];
        if (constraint["contype"].str() != "CONSTR_PRIMARY" || !constraint["indexname"].is_null())
          continue;
        const std::string name = constraint["conname"].str();
        sink.report(offset_of(constraint, statement),
                    "ADD " + (name.empty() ? "" : "CONSTRAINT " + name + " ") +
                        "PRIMARY KEY builds an index on table " + table +
                        " under an ACCESS EXCLUSIVE lock",
                    table_object(relation));
      } else if (subtype == "AT_AddColumn" && existing_rows_get_value(cmd["def"])) {
        const std::string column = cmd["def"]["colname"].str();
        for (const auto& constraint : cmd["def"]["constraints"].items()) {
          if (constraint["contype"].str() != "CONSTR_PRIMARY") continue;
          sink.report(offset_of(constraint, statement),
                      "ADD COLUMN " + column + " … PRIMARY KEY builds an index on table " + table +
                          " under an ACCESS EXCLUSIVE lock",
                      column_object(relation, column));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_primary_key_to_existing_table() {
  return std::make_unique<AddPrimaryKeyToExistingTable>();
}

}  // namespace pgdrift::lint::rules
