#include "known_columns.hpp"

#include "pgdrift/lint/lint.hpp"
#include "pgdrift/util/text.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {

void KnownColumns::observe(const sql::Node& tree) {
  if (tree.is("RenameStmt")) {
    const std::string table = sql::relation_name(tree["relation"]);
    const std::string kind = tree["renameType"].str();
    if (kind == "OBJECT_COLUMN" && tree["relationType"].str() == "OBJECT_TABLE") {
      if (Column* column = find(table, tree["subname"].str())) {
        Column moved = *column;
        m_columns.erase(column->table + "." + column->name);
        moved.name = tree["newname"].str();
        m_columns[moved.table + "." + moved.name] = moved;
      }
    } else if (kind == "OBJECT_TABLE") {
      // The new name keeps the old one's schema.
      const std::string schema = tree["relation"]["schemaname"].str();
      const std::string renamed = (schema.empty() ? "" : schema + ".") + tree["newname"].str();
      std::map<std::string, Column> out;
      for (auto& item : m_columns) {
        Column column = item.second;
        if (same_name(column.table, table)) column.table = renamed;
        out[column.table + "." + column.name] = column;
      }
      m_columns = std::move(out);
    }
    return;
  }
  if (tree.is("CreateStmt")) {
    const std::string table = sql::relation_name(tree["relation"]);
    forget_table(table);
    for (const auto& element : tree["tableElts"].items()) {
      if (!element.is("ColumnDef")) continue;
      entry(table, element["colname"].str()).type = element["typeName"];
    }
    return;
  }
  if (tree.is("DropStmt") && tree["removeType"].str() == "OBJECT_TABLE") {
    for (const auto& object : tree["objects"].items()) forget_table(util::join(sql::strings(object), "."));
    return;
  }
  const std::string table = sql::relation_name(tree["relation"]);
  for (const auto& command : alter_table_commands(tree)) {
    const std::string subtype = command["subtype"].str();
    if (subtype == "AT_AddColumn") {
      const auto def = command["def"];
      Column& column = entry(table, def["colname"].str());
      column.added = true;
      column.type = def["typeName"];
    } else if (subtype == "AT_AlterColumnType") {
      entry(table, command["name"].str()).type = command["def"]["typeName"];
    } else if (subtype == "AT_DropColumn") {
      if (const Column* column = find(table, command["name"].str())) {
        m_columns.erase(column->table + "." + column->name);
      }
    }
  }
}

void KnownColumns::forget_table(const std::string& table) {
  for (auto it = m_columns.begin(); it != m_columns.end();) {
    it = same_name(it->second.table, table) ? m_columns.erase(it) : std::next(it);
  }
}

sql::Node KnownColumns::type_of(const std::string& table, const std::string& column, const FileState& state) const {
  const Column* found = find(table, column);
  if (found != nullptr && !found->type.is_null()) return found->type;
  if (found == nullptr && state.known != nullptr) return state.known->type_of(table, column);
  return sql::Node();
}

bool KnownColumns::added_here(const std::string& table, const std::string& column) const {
  const Column* found = find(table, column);
  return found != nullptr && found->added;
}

sql::Node KnownColumns::type_of(const std::string& table, const std::string& column) const {
  const Column* found = find(table, column);
  return found == nullptr ? sql::Node() : found->type;
}

KnownColumns::Column* KnownColumns::find(const std::string& table, const std::string& column) {
  for (auto& item : m_columns) {
    if (item.second.name == column && same_name(item.second.table, table)) return &item.second;
  }
  return nullptr;
}

const KnownColumns::Column* KnownColumns::find(const std::string& table,
                                               const std::string& column) const {
  for (const auto& item : m_columns) {
    if (item.second.name == column && same_name(item.second.table, table)) return &item.second;
  }
  return nullptr;
}

KnownColumns::Column& KnownColumns::entry(const std::string& table, const std::string& column) {
  if (Column* found = find(table, column)) return *found;
  Column& created = m_columns[table + "." + column];
  created.table = table;
  created.name = column;
  return created;
}

}  // namespace pgdrift::lint::rules
