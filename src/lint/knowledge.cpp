#include <algorithm>

#include "pgdrift/lint/lint.hpp"
#include "pgdrift/util/text.hpp"
#include "rules/known_columns.hpp"
#include "rules/support.hpp"

namespace pgdrift::lint {

namespace {

// The statements that can change a table's columns.
bool shapes_tables(const std::string& node) {
  return node == "CreateStmt" || node == "AlterTableStmt" || node == "RenameStmt" || node == "DropStmt";
}

// The last part of "schema.name", lower case.
std::string bare_name(const std::string& name) {
  const auto dot = name.rfind('.');
  return util::to_lower(dot == std::string::npos ? name : name.substr(dot + 1));
}

}  // namespace

Knowledge::Knowledge() : m_columns(std::make_unique<rules::KnownColumns>()) {}
Knowledge::~Knowledge() = default;
Knowledge::Knowledge(Knowledge&&) noexcept = default;
Knowledge& Knowledge::operator=(Knowledge&&) noexcept = default;

void Knowledge::learn(const migrations::Migration& migration, const std::set<std::string>& tables) {
  const std::string lowered = tables.empty() ? "" : util::to_lower(migration.up_sql);
  if (!tables.empty() && std::none_of(tables.begin(), tables.end(), [&](const std::string& t) {
        return lowered.find(t) != std::string::npos;
      })) {
    return;  // nothing in this file can concern those tables
  }
  for (const auto& statement : sql::split(migration.up_sql)) {
    if (!shapes_tables(statement.node)) continue;
    if (!tables.empty()) {
      const std::string text = util::to_lower(std::string(statement.text(migration.up_sql)));
      if (std::none_of(tables.begin(), tables.end(),
                       [&](const std::string& t) { return text.find(t) != std::string::npos; })) {
        continue;
      }
    }
    m_columns->observe(sql::parse_tree(statement));
  }
}

sql::Node Knowledge::type_of(const std::string& table, const std::string& column) const {
  return m_columns->type_of(table, column);
}

std::set<std::string> altered_tables(const migrations::Migration& migration) {
  std::set<std::string> out;
  for (const auto& statement : sql::split(migration.up_sql)) {
    if (statement.node != "AlterTableStmt") continue;
    const auto tree = sql::parse_tree(statement);
    out.insert(bare_name(sql::relation_name(tree["relation"])));
  }
  return out;
}

}  // namespace pgdrift::lint
