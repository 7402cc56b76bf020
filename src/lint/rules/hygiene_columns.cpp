#include "hygiene_columns.hpp"

#include <set>

namespace pgdrift::lint::rules {
namespace {

// Columns named in a PRIMARY KEY (…) table constraint.
void primary_key_columns(const sql::Node& constraint, std::set<std::string>& out) {
  if (!constraint.is("Constraint") || constraint["contype"].str() != "CONSTR_PRIMARY") return;
  for (const auto& key : sql::strings(constraint["keys"])) out.insert(key);
}

bool column_primary_key(const sql::Node& column_def) {
  return !column_constraint(column_def, "CONSTR_PRIMARY").is_null();
}

}  // namespace

std::string builtin_type(const sql::Node& type_name) {
  const auto names = sql::strings(type_name["names"]);
  if (names.size() == 1 || (names.size() == 2 && names[0] == "pg_catalog")) return names.back();
  return "";
}

std::vector<DeclaredColumn> declared_columns(const StatementView& statement) {
  const auto& tree = statement.tree;
  std::vector<DeclaredColumn> out;
  std::set<std::string> keys;  // of the statement's PRIMARY KEY (…)
  const auto declare = [&](const sql::Node& relation, const std::string& column,
                           const sql::Node& type, bool primary_key, bool type_change) {
    if (type.is_null()) return;  // CREATE TABLE … PARTITION OF / OF type: no types
    DeclaredColumn c;
    c.object = column_object(relation, column);
    c.column = column;
    c.type = type;
    c.base = builtin_type(type);
    c.primary_key = primary_key;
    c.type_change = type_change;
    c.offset = offset_of(type, statement);
    out.push_back(std::move(c));
  };
  if (tree.is("CreateStmt")) {
    const auto relation = tree["relation"];
    for (const auto& element : tree["tableElts"].items()) primary_key_columns(element, keys);
    for (const auto& element : tree["tableElts"].items()) {
      if (!element.is("ColumnDef")) continue;
      const std::string column = element["colname"].str();
      declare(relation, column, element["typeName"],
              column_primary_key(element) || keys.count(column) != 0, false);
    }
    return out;
  }
  const auto relation = tree["relation"];
  const auto commands = alter_table_commands(tree);
  for (const auto& cmd : commands) {
    if (cmd["subtype"].str() == "AT_AddConstraint") primary_key_columns(cmd["def"], keys);
  }
  for (const auto& cmd : commands) {
    const std::string subtype = cmd["subtype"].str();
    const auto def = cmd["def"];
    if (subtype == "AT_AddColumn") {
      const std::string column = def["colname"].str();
      declare(relation, column, def["typeName"], column_primary_key(def) || keys.count(column) != 0,
              false);
    } else if (subtype == "AT_AlterColumnType") {
      const std::string column = cmd["name"].str();
      declare(relation, column, def["typeName"], keys.count(column) != 0, true);
    }
  }
  return out;
}

}  // namespace pgdrift::lint::rules
