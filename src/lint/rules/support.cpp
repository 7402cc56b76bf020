#include "support.hpp"

#include <algorithm>
#include <map>

#include "pgdrift/util/text.hpp"

namespace pgdrift::lint::rules {

std::vector<sql::Node> alter_table_commands(const sql::Node& tree) {
  if (!tree.is("AlterTableStmt") || tree["objtype"].str() != "OBJECT_TABLE") return {};
  return tree["cmds"].items();
}

std::vector<sql::Node> existing_table_commands(const sql::Node& tree, const FileState& state,
                                               std::string_view subtype) {
  std::vector<sql::Node> out;
  const auto commands = alter_table_commands(tree);
  if (commands.empty() || state.created_here(tree["relation"])) return out;
  for (const auto& command : commands) {
    if (command["subtype"].str() == subtype) out.push_back(command);
  }
  return out;
}

std::vector<sql::Node> added_columns(const sql::Node& tree) {
  std::vector<sql::Node> out;
  for (const auto& command : alter_table_commands(tree)) {
    if (command["subtype"].str() == "AT_AddColumn") out.push_back(command["def"]);
  }
  return out;
}

std::vector<sql::Node> command_constraints(const sql::Node& command) {
  const std::string subtype = command["subtype"].str();
  if (subtype == "AT_AddConstraint") return {command["def"]};
  if (subtype == "AT_AddColumn") return command["def"]["constraints"].items();
  return {};
}

std::vector<AddedConstraint> added_constraints(const sql::Node& tree) {
  std::vector<AddedConstraint> out;
  for (const auto& command : alter_table_commands(tree)) {
    const bool column = command["subtype"].str() == "AT_AddColumn";
    for (const auto& constraint : command_constraints(command)) {
      out.push_back({constraint, column ? command["def"] : sql::Node()});
    }
  }
  return out;
}

sql::Node column_constraint(const sql::Node& column_def, std::string_view contype) {
  for (const auto& constraint : column_def["constraints"].items()) {
    if (constraint["contype"].str() == contype) return constraint;
  }
  return {};
}

bool serial_type(const std::string& base) {
  static const std::set<std::string> k_serials = {"serial",  "bigserial", "smallserial",
                                                  "serial2", "serial4",   "serial8"};
  return k_serials.count(base) != 0;
}

bool generates_values(const sql::Node& column_def) {
  return serial_type(sql::type_base(column_def["typeName"])) ||
         !column_constraint(column_def, "CONSTR_IDENTITY").is_null() ||
         !column_constraint(column_def, "CONSTR_GENERATED").is_null();
}

bool existing_rows_get_value(const sql::Node& column_def) {
  if (generates_values(column_def)) return true;
  const auto constraints = column_def["constraints"].items();
  return std::any_of(constraints.begin(), constraints.end(), [](const sql::Node& constraint) {
    return constraint["contype"].str() == "CONSTR_DEFAULT" &&
           !constraint["raw_expr"]["isnull"].boolean();
  });
}

bool option_on(const sql::Node& options, const std::string& name) {
  for (const auto& option : options.items()) {
    if (!option.is("DefElem") || option["defname"].str() != name) continue;
    const auto arg = option["arg"];
    if (arg.is_null()) return true;
    if (arg.is("Integer")) return arg.integer(0) != 0;
    if (arg.is("Boolean")) return arg["boolval"].boolean();
    const std::string value = util::to_lower(arg.str());
    return value != "false" && value != "off";
  }
  return false;
}

bool begins_transaction(const sql::Node& tree) {
  const std::string kind = tree["kind"].str();
  return tree.is("TransactionStmt") && (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START");
}

bool ends_transaction(const sql::Node& tree) {
  const std::string kind = tree["kind"].str();
  return tree.is("TransactionStmt") &&
         (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" ||
          kind == "TRANS_STMT_PREPARE");
}

std::string unqualified(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

bool same_name(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const bool both_qualified = a.find('.') != std::string::npos && b.find('.') != std::string::npos;
  return !both_qualified && unqualified(a) == unqualified(b);
}

void CreatedIndexes::observe(const sql::Node& tree) {
  if (!tree.is("IndexStmt") || tree["idxname"].str().empty()) return;
  const std::string schema = tree["relation"]["schemaname"].str();
  m_names.insert((schema.empty() ? "" : schema + ".") + tree["idxname"].str());
}

bool CreatedIndexes::contains(const std::string& name) const {
  return std::any_of(m_names.begin(), m_names.end(),
                     [&](const std::string& created) { return same_name(created, name); });
}

std::size_t offset_of(const sql::Node& node, const StatementView& statement) {
  if (auto at = node.location()) return *at;
  if (auto at = node.first_location()) return *at;
  return statement.statement.begin;
}

std::string table_object(const sql::Node& range_var) { return "table " + sql::relation_name(range_var); }

std::string column_object(const sql::Node& range_var, const std::string& column) {
  return "column " + sql::relation_name(range_var) + "." + column;
}

std::string display_type(const sql::Node& type_name_node) {
  static const std::map<std::string, std::string> k_names = {
      {"int2", "smallint"}, {"int4", "integer"},   {"int8", "bigint"},     {"float4", "real"},
      {"float8", "double precision"}, {"bpchar", "char"}, {"bool", "boolean"}, {"varchar", "varchar"},
      {"timestamp", "timestamp"},     {"timestamptz", "timestamptz"},      {"time", "time"},
      {"timetz", "timetz"},           {"interval", "interval"}};
  std::string base = sql::type_base(type_name_node);
  const auto found = k_names.find(base);
  std::string out = found == k_names.end() ? base : found->second;
  const auto full = sql::type_name(type_name_node);
  return out + full.substr(base.size());
}

}  // namespace pgdrift::lint::rules
