#include "support.hpp"

#include <map>

namespace pgdrift::lint::rules {

std::vector<sql::Node> alter_table_commands(const sql::Node& tree) {
  if (!tree.is("AlterTableStmt") || tree["objtype"].str() != "OBJECT_TABLE") return {};
  return tree["cmds"].items();
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
