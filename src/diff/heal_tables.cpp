// Tables: CREATE TABLE (columns inline, parents before children), table-level ALTERs (logged,
// row-level security, options, inheritance, partition attachment, replica identity) and drops
// (children before parents).

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

// The tables of `model`, parents before their children, else in identity order.
std::vector<ObjectId> tables_in_order(const SchemaModel& model) {
  std::map<std::string, const std::pair<const ObjectId, Properties>*> by_name;
  for (const auto& entry : model.objects) {
    if (entry.first.kind == Kind::table)
      by_name[qualified(entry.first.schema, entry.first.name)] = &entry;
  }
  std::vector<ObjectId> out;
  std::set<std::string> done;
  std::function<void(const std::string&, int)> visit = [&](const std::string& name, int depth) {
    const auto it = by_name.find(name);
    if (it == by_name.end() || done.count(name) != 0 || depth > 64) return;
    for (const auto& parent : table_parents(it->second->second)) visit(parent, depth + 1);
    if (done.insert(name).second) out.push_back(it->second->first);
  };
  for (const auto& entry : model.objects) {
    if (entry.first.kind == Kind::table) visit(qualified(entry.first.schema, entry.first.name), 0);
  }
  return out;
}

long position_of(const Properties& p) {
  const auto* position = get(p, "position");
  return position == nullptr ? 0 : std::stol(*position);
}

// "a=1, b=2" → {a: 1, b: 2}.
std::map<std::string, std::string> option_map(const Properties* p) {
  std::map<std::string, std::string> out;
  const auto* options = p == nullptr ? nullptr : get(*p, "options");
  if (options == nullptr) return out;
  for (const auto& item : split_top_level(*options, ',')) {
    const auto eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

std::string create_table(const Plan& plan, const ObjectId& id, const Properties& p) {
  const std::string name = qualified(id.schema, id.name);
  std::vector<std::pair<ObjectId, Properties>> columns;
  const ObjectId first{Kind::column, id.schema, "", id.name};
  for (auto it = plan.to().objects.lower_bound(first); it != plan.to().objects.end(); ++it) {
    if (it->first.schema != id.schema || it->first.table != id.name ||
        it->first.kind != Kind::column)
      break;
    columns.emplace_back(it->first, it->second);
  }
  std::stable_sort(columns.begin(), columns.end(), [](const auto& a, const auto& b) {
    return position_of(a.second) < position_of(b.second);
  });
  std::string sql =
      std::string("CREATE ") + (is_true(p, "unlogged") ? "UNLOGGED " : "") + "TABLE " + name;
  if (value(p, "kind") == "partition") {
    // A partition's columns are its parent's; the ones it changes are altered (heal_columns).
    sql += " PARTITION OF " + value(p, "partition_of") + " " + value(p, "partition_bound");
  } else {
    std::vector<std::string> lines;
    for (const auto& [column, cp] : columns) lines.push_back(column_definition(column, cp, true));
    sql += lines.empty() ? " ()" : " (\n    " + util::join(lines, ",\n    ") + "\n)";
    if (const auto* inherits = get(p, "inherits")) sql += " INHERITS (" + *inherits + ")";
  }
  if (const auto* key = get(p, "partition_key")) sql += " PARTITION BY " + *key;
  if (const auto* options = get(p, "options")) sql += " WITH (" + *options + ")";
  return sql + ";";
}

void alter_options(Plan& plan, Phase phase, const ObjectId& id, const std::string& alter,
                   const Properties* from, const Properties& to, bool destructive) {
  const auto old_options = option_map(from);
  const auto new_options = option_map(&to);
  std::vector<std::string> set;
  std::vector<std::string> reset;
  for (const auto& [option, v] : new_options) {
    const auto it = old_options.find(option);
    if (it == old_options.end() || it->second != v) set.push_back(option + "=" + v);
  }
  for (const auto& [option, v] : old_options) {
    if (new_options.count(option) == 0) reset.push_back(option);
  }
  if (!set.empty())
    plan.add(phase, id, alter + " SET (" + util::join(set, ", ") + ");", destructive);
  if (!reset.empty())
    plan.add(phase, id, alter + " RESET (" + util::join(reset, ", ") + ");", destructive);
}

std::string replica_identity(const Properties& p) {
  const std::string identity = value(p, "replica_identity");
  if (identity == "full") return "FULL";
  if (identity == "nothing") return "NOTHING";
  if (util::starts_with(identity, "index ")) return "USING INDEX " + identity.substr(6);
  return "DEFAULT";
}

// Partition attachment and inheritance of a table in both models.
void alter_parents(Plan& plan, const ObjectId& id, const Properties& from, const Properties& to) {
  const std::string name = qualified(id.schema, id.name);
  const std::string alter = "ALTER TABLE " + name;
  const bool was_partition = value(from, "kind") == "partition";
  const bool partition = value(to, "kind") == "partition";
  const bool moved = was_partition && partition &&
                     (!same(&from, to, "partition_of") || !same(&from, to, "partition_bound"));
  if (was_partition && (!partition || moved)) {
    plan.add(Phase::tables, id,
             "ALTER TABLE " + value(from, "partition_of") + " DETACH PARTITION " + name + ";",
             true);
  }
  if (partition && (!was_partition || moved)) {
    // Rows outside the bound make it fail.
    plan.add(Phase::tables, id,
             "ALTER TABLE " + value(to, "partition_of") + " ATTACH PARTITION " + name + " " +
                 value(to, "partition_bound") + ";",
             true);
  }
  const auto old_parents = split_top_level(value(from, "inherits"), ',');
  const auto new_parents = split_top_level(value(to, "inherits"), ',');
  for (const auto& parent : old_parents) {
    if (std::find(new_parents.begin(), new_parents.end(), parent) == new_parents.end()) {
      plan.add(Phase::tables, id, alter + " NO INHERIT " + parent + ";", true);
    }
  }
  for (const auto& parent : new_parents) {
    if (std::find(old_parents.begin(), old_parents.end(), parent) == old_parents.end()) {
      plan.add(Phase::tables, id, alter + " INHERIT " + parent + ";", false);
    }
  }
}

void alter_table(Plan& plan, const ObjectId& id, const Properties& from, const Properties& to) {
  const std::string alter = "ALTER TABLE " + qualified(id.schema, id.name);
  alter_parents(plan, id, from, to);
  if (is_true(from, "unlogged") != is_true(to, "unlogged")) {
    plan.add(Phase::tables, id,
             alter + (is_true(to, "unlogged") ? " SET UNLOGGED;" : " SET LOGGED;"), false);
  }
  if (is_true(from, "rls_enabled") != is_true(to, "rls_enabled")) {
    plan.add(Phase::tables, id,
             alter + (is_true(to, "rls_enabled") ? " ENABLE" : " DISABLE") + " ROW LEVEL SECURITY;",
             false);
  }
  if (is_true(from, "rls_forced") != is_true(to, "rls_forced")) {
    plan.add(Phase::tables, id,
             alter + (is_true(to, "rls_forced") ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY;",
             false);
  }
  alter_options(plan, Phase::tables, id, alter, &from, to, false);
}

}  // namespace

std::vector<std::string> table_parents(const Properties& p) {
  std::vector<std::string> out;
  if (const auto* parent = get(p, "partition_of")) out.push_back(*parent);
  if (const auto* inherits = get(p, "inherits")) {
    for (const auto& name : split_top_level(*inherits, ',')) out.push_back(name);
  }
  return out;
}

void heal_tables(Plan& plan) {
  for (const auto& id : tables_in_order(plan.to())) {
    const Properties& to = *plan.in_to(id);
    const Properties* from = plan.in_from(id);
    const bool rebuilt = plan.rebuilt(id);
    const std::string name = qualified(id.schema, id.name);
    if (from == nullptr || rebuilt) {
      plan.add(Phase::tables, id, create_table(plan, id, to), rebuilt);
      if (is_true(to, "rls_enabled"))
        plan.add(Phase::tables, id, "ALTER TABLE " + name + " ENABLE ROW LEVEL SECURITY;", rebuilt);
      if (is_true(to, "rls_forced"))
        plan.add(Phase::tables, id, "ALTER TABLE " + name + " FORCE ROW LEVEL SECURITY;", rebuilt);
      from = nullptr;
    } else {
      alter_table(plan, id, *from, to);
    }
    if (replica_identity(from == nullptr ? Properties{} : *from) != replica_identity(to)) {
      plan.add(Phase::table_options, id,
               "ALTER TABLE " + name + " REPLICA IDENTITY " + replica_identity(to) + ";", rebuilt);
    }
    heal_metadata(plan, Phase::tables, id, from, to, rebuilt);
  }
  auto order = tables_in_order(plan.from());
  std::reverse(order.begin(), order.end());
  for (const auto& id : order) {
    const bool removed = plan.in_to(id) == nullptr;
    if (!removed && !plan.rebuilt(id)) continue;
    const bool early = plan.rebuilt(id) || plan.early_drops.count(id) != 0;
    plan.add(early ? Phase::drop_early : Phase::drop_tables, id,
             "DROP TABLE " + qualified(id.schema, id.name) + ";", true);
  }
}

void heal_column_options(Plan& plan, const ObjectId& id, const Properties* from,
                         const Properties& to, bool destructive) {
  const std::string alter =
      "ALTER TABLE " + owner_name(id) + " ALTER COLUMN " + catalog::quote_name(id.name);
  alter_options(plan, Phase::columns, id, alter, from, to, destructive);
}

}  // namespace pgdrift::diff::healing
