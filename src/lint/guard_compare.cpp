// destructive_changes: what disappeared or narrowed between two schema models.

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "guard_text.hpp"
#include "pgdrift/lint/guard.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::lint {

namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::Properties;
using catalog::SchemaModel;
using guard::enum_labels;
using guard::first_group;
using guard::mentions;
using guard::quote_if_needed;
using guard::without_casts;

// Mirrors catalog::to_string(Kind) and ObjectId::display(): the lint module also builds without
// the catalog's sources (PGDRIFT_DEV_MODULES), and only the model's header is needed here.
std::string kind_name(Kind kind) {
  switch (kind) {
    case Kind::schema:
      return "schema";
    case Kind::extension:
      return "extension";
    case Kind::enum_type:
      return "enum";
    case Kind::domain:
      return "domain";
    case Kind::composite_type:
      return "composite type";
    case Kind::sequence:
      return "sequence";
    case Kind::table:
      return "table";
    case Kind::column:
      return "column";
    case Kind::constraint:
      return "constraint";
    case Kind::index:
      return "index";
    case Kind::view:
      return "view";
    case Kind::materialized_view:
      return "materialized view";
    case Kind::function:
      return "function";
    case Kind::procedure:
      return "procedure";
    case Kind::trigger:
      return "trigger";
    case Kind::policy:
      return "policy";
  }
  return "object";
}

std::string qualified(const ObjectId& id) {
  std::string out;
  if (!id.schema.empty()) out += id.schema + ".";
  if (!id.table.empty()) out += id.table + ".";
  return out + id.name;
}

std::string display(const ObjectId& id) { return kind_name(id.kind) + " " + qualified(id); }

// "public.users": the table (or view) a sub-object belongs to.
std::string owner_name(const ObjectId& id) { return id.schema + "." + id.table; }

std::string property(const Properties& properties, const std::string& name) {
  const auto it = properties.find(name);
  return it == properties.end() ? std::string() : it->second;
}

// A function's name without its argument list: "f(integer)" → "f".
std::string routine_name(const std::string& name) { return name.substr(0, name.find('(')); }

class Comparison {
 public:
  Comparison(const SchemaModel& before, const SchemaModel& after) : m_before(before), m_after(after) {
    for (const auto& [id, properties] : before.objects) {
      if (after.objects.count(id) != 0) continue;
      if (id.kind == Kind::schema) m_dropped_schemas.insert(id.name);
      if (id.kind == Kind::table || id.kind == Kind::view || id.kind == Kind::materialized_view) {
        m_dropped_owners.insert(id.schema + "." + id.name);
      }
      if (id.kind == Kind::column) m_dropped_columns.insert({owner_name(id), id.name});
    }
    for (const auto& [id, properties] : before.objects) {
      if (id.kind == Kind::enum_type) m_enums.insert(quote_if_needed(id.schema) + "." + quote_if_needed(id.name));
      // A table renamed with a view of its old name in its place (expand/contract): queries of
      // the old name still work and no data is gone.
      if (id.kind == Kind::table && after.objects.count(id) == 0 &&
          after.objects.count(ObjectId{Kind::view, id.schema, id.name, ""}) != 0) {
        m_replaced_by_view.insert(id.schema + "." + id.name);
      }
    }
  }

  std::vector<DestructiveChange> run() {
    for (const auto& [id, properties] : m_before.objects) {
      const std::string owner = id.schema + "." + (id.kind == Kind::table ? id.name : id.table);
      if ((id.kind == Kind::table || !id.table.empty()) && m_replaced_by_view.count(owner) != 0) continue;
      const auto now = m_after.objects.find(id);
      if (now != m_after.objects.end()) {
        if (id.kind == Kind::column) compare_column(id, properties, now->second);
        if (id.kind == Kind::enum_type) compare_enum(id, properties, now->second);
        continue;
      }
      if (folded(id, properties)) continue;
      if (const auto to = renamed_to(id, properties)) {
        renamed(id, *to);
        continue;
      }
      dropped(id, properties);
    }
    return std::move(m_out);
  }

 private:
  void add(std::string rule, const ObjectId& id, std::string message, std::vector<std::string> names,
           Severity severity = Severity::error) {
    std::vector<std::string> keywords{"drop", "rename"};
    if (rule == "narrow-type") keywords = {"type"};
    if (rule == "add-not-null") keywords = {"set not null", "primary key"};
    if (rule == "change-default") keywords = {"default", "identity"};
    if (rule == "rename") keywords = {"rename"};
    m_out.push_back(
        {"destructive/" + rule, display(id), std::move(message), std::move(names), std::move(keywords), severity});
  }

  // The object `after` has and `before` had not that `id` (gone) became: same kind and place,
  // and the same content (a column's position and type; a table's columns; a view's or an
  // index's definition; a schema's objects).
  std::optional<ObjectId> renamed_to(const ObjectId& id, const Properties& properties) const {
    for (const auto& [other, now] : m_after.objects) {
      if (other.kind != id.kind || m_before.objects.count(other) != 0) continue;
      if (id.kind == Kind::schema) {
        if (contents(m_before, id.name) == contents(m_after, other.name)) return other;
        continue;
      }
      if (other.schema != id.schema || other.table != id.table) continue;
      switch (id.kind) {
        case Kind::column:
          if (property(now, "position") == property(properties, "position") &&
              property(now, "type") == property(properties, "type")) {
            return other;
          }
          break;
        case Kind::table:
          if (columns_of(m_before, id) == columns_of(m_after, other)) return other;
          break;
        case Kind::view:
        case Kind::materialized_view:
        case Kind::index:
        case Kind::constraint:
        case Kind::trigger:
        case Kind::policy:
          if (without_name(now) == without_name(properties)) return other;
          break;
        default:
          break;
      }
    }
    return std::nullopt;
  }

  // (kind, table, name) of everything in a schema, for comparing two schemas.
  static std::set<std::tuple<Kind, std::string, std::string>> contents(const SchemaModel& model,
                                                                      const std::string& schema) {
    std::set<std::tuple<Kind, std::string, std::string>> out;
    for (const auto& [id, properties] : model.objects) {
      if (id.schema == schema) out.insert({id.kind, id.table, id.name});
    }
    return out;
  }

  // name → type of a table's columns.
  static std::map<std::string, std::string> columns_of(const SchemaModel& model, const ObjectId& table) {
    std::map<std::string, std::string> out;
    const ObjectId first{Kind::column, table.schema, "", table.name};
    for (auto it = model.objects.lower_bound(first);
         it != model.objects.end() && it->first.schema == table.schema && it->first.table == table.name; ++it) {
      if (it->first.kind == Kind::column) out[it->first.name] = property(it->second, "type");
    }
    return out;
  }

  // The properties that do not spell the object's own name (a trigger's definition does).
  static Properties without_name(Properties properties) {
    properties.erase("comment");
    return properties;
  }

  // Whether the table still has an index or a key constraint defined like `index`.
  bool equivalent_index_remains(const ObjectId& index, const Properties& properties) const {
    const std::string columns = first_group(property(properties, "definition"));
    const bool unique = property(properties, "unique") == "true";
    for (const auto& [other, now] : m_after.objects) {
      if (other.schema != index.schema || other.table != index.table || other == index) continue;
      if (other.kind == Kind::index && property(now, "definition") == property(properties, "definition") &&
          (!unique || property(now, "unique") == "true")) {
        return true;
      }
      const std::string type = property(now, "type");
      if (other.kind == Kind::constraint && (type == "primary key" || type == "unique") &&
          first_group(property(now, "definition")) == columns && util::starts_with(property(properties, "definition"), "USING btree (")) {
        return true;
      }
    }
    return false;
  }

  // Whether the object went away with something already reported: its schema, its table or
  // view, or (an index or constraint) a dropped column it was built on; or whether (a unique
  // index) it lives on as a new constraint.
  bool folded(const ObjectId& id, const Properties& properties) const {
    if (id.kind != Kind::schema && !id.schema.empty() && m_dropped_schemas.count(id.schema) != 0) return true;
    if (id.table.empty()) return false;
    if (m_dropped_owners.count(owner_name(id)) != 0) return true;
    if (id.kind == Kind::index && absorbed(id, properties)) return true;
    if (id.kind != Kind::index && id.kind != Kind::constraint) return false;
    const std::string definition = property(properties, "definition");
    for (auto it = m_dropped_columns.lower_bound({owner_name(id), ""});
         it != m_dropped_columns.end() && it->first == owner_name(id); ++it) {
      if (mentions(definition, it->second)) return true;
    }
    return false;
  }

  // Whether a unique index became a new primary key or unique constraint of its table (ADD
  // CONSTRAINT … USING INDEX renames it and the model shows it as the constraint).
  bool absorbed(const ObjectId& index, const Properties& properties) const {
    if (property(properties, "unique") != "true") return false;
    const std::string columns = first_group(property(properties, "definition"));
    const ObjectId first{Kind::constraint, index.schema, "", index.table};
    for (auto it = m_after.objects.lower_bound(first);
         it != m_after.objects.end() && it->first.schema == index.schema && it->first.table == index.table &&
         it->first.kind == Kind::constraint;
         ++it) {
      const std::string type = property(it->second, "type");
      if ((type == "unique" || type == "primary key") && m_before.objects.count(it->first) == 0 &&
          first_group(property(it->second, "definition")) == columns) {
        return true;
      }
    }
    return false;
  }

  // Whether column `id` is gone from the model only because its table became a partition or a child
  // (ATTACH PARTITION, INHERIT) whose parent has a column of that name: the data stays, the model
  // just shows the column on the parent.
  bool became_inherited(const ObjectId& id) const {
    const auto table = m_after.objects.find(ObjectId{Kind::table, id.schema, id.table, ""});
    if (table == m_after.objects.end()) return false;
    for (const char* relation : {"partition_of", "inherits"}) {
      for (const auto& [schema, parent] : guard::parent_tables(property(table->second, relation))) {
        if (m_after.objects.count(ObjectId{Kind::column, schema, id.name, parent}) != 0) return true;
      }
    }
    return false;
  }

  // A rename keeps the data; what breaks is code using the old name. Index, constraint, trigger
  // and policy names are not used by queries: renaming them loses nothing.
  void renamed(const ObjectId& from, const ObjectId& to) {
    switch (from.kind) {
      case Kind::table:
      case Kind::column:
      case Kind::view:
      case Kind::materialized_view:
      case Kind::schema:
        add("rename", from,
            display(from) + " was renamed to " + to.name + ": its data is kept, but code still using the old name fails",
            from.table.empty() ? std::vector<std::string>{from.name} : std::vector<std::string>{from.name, from.table});
        return;
      default:
        return;
    }
  }

  void dropped(const ObjectId& id, const Properties& properties) {
    const std::string what = display(id);
    switch (id.kind) {
      case Kind::table:
        add("drop-table", id, what + " was dropped: its rows are gone and code still using it fails",
            {id.name});
        return;
      case Kind::column:
        if (became_inherited(id)) return;
        add("drop-column", id,
            what + " (" + property(properties, "type") +
                ") was dropped: its data is gone and code still using it fails",
            {id.name, id.table});
        return;
      case Kind::index:
        if (equivalent_index_remains(id, properties)) {
          add("drop-index", id,
              what + " was dropped; an index or key defined the same way remains, so plans keep an index to use",
              {id.name, id.table}, Severity::notice);
          return;
        }
        add("drop-index", id,
            what + " was dropped: no data is lost, but queries that used it fall back to slower plans" +
                (property(properties, "unique") == "true" ? ", and duplicates are no longer rejected" : ""),
            {id.name, id.table}, Severity::warning);
        return;
      case Kind::constraint: {
        const std::string definition = property(properties, "definition");
        if (not_null_check_column(definition, id) != nullptr) return;  // SET NOT NULL took over its rule
        add("drop-constraint", id,
            what + (definition.empty() ? "" : " (" + definition + ")") +
                " was dropped: what it enforced no longer holds",
            {id.name, id.table});
        return;
      }
      case Kind::view:
      case Kind::materialized_view:
        add("drop-view", id, what + " was dropped: queries that select from it fail", {id.name});
        return;
      case Kind::schema:
        add("drop-object", id, what + " was dropped" + schema_contents(id.name) + ": whatever still uses it fails",
            {id.name});
        return;
      case Kind::function:
      case Kind::procedure:
        add("drop-object", id, what + " was dropped, renamed or its arguments changed: callers of that signature fail",
            {routine_name(id.name)});
        return;
      case Kind::trigger:
        add("drop-object", id,
            what + " was dropped: what it did on every write to " + owner_name(id) + " no longer happens",
            {id.name, id.table});
        return;
      case Kind::policy:
        add("drop-object", id,
            what + " was dropped: the row-level security rule it set on " + owner_name(id) +
                " no longer applies",
            {id.name, id.table});
        return;
      default:
        add("drop-object", id, what + " was dropped: whatever still uses it fails", {id.name});
        return;
    }
  }

  // ", with everything in it (tables app.a, app.b)" for a dropped schema.
  std::string schema_contents(const std::string& schema) const {
    std::vector<std::string> tables;
    std::size_t others = 0;
    for (const auto& [id, properties] : m_before.objects) {
      if (id.schema != schema) continue;
      if (id.kind == Kind::table) {
        tables.push_back(qualified(id));
      } else if (id.table.empty()) {
        ++others;
      }
    }
    if (tables.empty() && others == 0) return "";
    std::string out = " with everything in it";
    if (!tables.empty()) {
      out += " (table" + std::string(tables.size() > 1 ? "s " : " ");
      const std::size_t shown = std::min<std::size_t>(tables.size(), 5);
      out += util::join(std::vector<std::string>(tables.begin(), tables.begin() + static_cast<std::ptrdiff_t>(shown)),
                        ", ");
      if (tables.size() > shown) out += " and " + std::to_string(tables.size() - shown) + " more";
      out += tables.size() > 1 ? ": their rows are gone)" : ": its rows are gone)";
    }
    return out;
  }

  // The column a `CHECK ((col IS NOT NULL))` constraint of `owner`'s table restricts, when the
  // column is NOT NULL after the migration (the check's rule lives on as the column's), else null.
  const Properties* not_null_check_column(const std::string& definition, const ObjectId& owner) const {
    const std::string prefix = "CHECK ((";
    const std::string suffix = " IS NOT NULL))";
    if (!util::starts_with(definition, prefix) || !util::ends_with(definition, suffix)) return nullptr;
    std::string column = definition.substr(prefix.size(), definition.size() - prefix.size() - suffix.size());
    if (column.size() > 1 && column.front() == '"' && column.back() == '"') column = column.substr(1, column.size() - 2);
    const auto found = m_after.objects.find(ObjectId{Kind::column, owner.schema, column, owner.table});
    if (found == m_after.objects.end() || property(found->second, "not_null") != "true") return nullptr;
    return &found->second;
  }

  // Whether a validated CHECK (col IS NOT NULL) already kept NULL out of the column before: the
  // safe recipe (ADD CONSTRAINT … NOT VALID, VALIDATE, SET NOT NULL) restricts nothing new.
  bool checked_not_null_before(const ObjectId& column) const {
    const ObjectId first{Kind::constraint, column.schema, "", column.table};
    for (auto it = m_before.objects.lower_bound(first);
         it != m_before.objects.end() && it->first.schema == column.schema && it->first.table == column.table; ++it) {
      if (it->first.kind != Kind::constraint || property(it->second, "validated") != "true") continue;
      const std::string definition = property(it->second, "definition");
      if (definition == "CHECK ((" + quote_if_needed(column.name) + " IS NOT NULL))") return true;
    }
    return false;
  }

  void compare_column(const ObjectId& id, const Properties& before, const Properties& after) {
    const std::string what = display(id);
    const std::vector<std::string> names{id.name, id.table};
    const std::string old_type = property(before, "type");
    const std::string new_type = property(after, "type");
    if (old_type != new_type) {
      const std::string element = old_type.substr(0, old_type.find('['));
      if (!is_widening(old_type, new_type, m_enums.count(element) != 0)) {
        add("narrow-type", id,
            what + " changed type from " + old_type + " to " + new_type + ": " + narrowing_reason(old_type, new_type) +
                "; on real data the change fails, or values are cut or rounded",
            names);
      }
    }
    if (property(before, "not_null") != "true" && property(after, "not_null") == "true" &&
        !checked_not_null_before(id)) {
      add("add-not-null", id, what + " became NOT NULL: code that inserts or sets NULL there now fails", names);
    }
    std::string old_default = property(before, "default");
    std::string new_default = property(after, "default");
    if (old_type != new_type && !old_default.empty() && !new_default.empty() &&
        without_casts(old_default, {old_type, new_type}) == without_casts(new_default, {old_type, new_type})) {
      new_default = old_default;  // the same value, cast to the new type ('ok'::mood → 'ok'::text)
    }
    const bool not_null = property(after, "not_null") == "true";
    if (!old_default.empty() && old_default != new_default) {
      if (!new_default.empty()) {
        add("change-default", id,
            "the default of " + what + " changed from " + old_default + " to " + new_default +
                ": code that leaves the column out now stores the new value",
            names);
      } else if (property(after, "identity").empty()) {  // serial → identity keeps generating values
        add("change-default", id,
            "the default of " + what + " (" + old_default + ") was removed: code that leaves the column out " +
                (not_null ? "now fails (the column is NOT NULL)" : "now stores NULL"),
            names);
      }
    }
    const std::string old_identity = property(before, "identity");
    const std::string new_identity = property(after, "identity");
    if (!old_identity.empty() && new_identity.empty() && new_default.empty()) {
      add("change-default", id,
          what + " is no longer an identity column: code that leaves the column out " +
              (not_null ? "now fails (the column is NOT NULL)" : "now stores NULL"),
          names);
    } else if (old_identity == "by default" && new_identity == "always") {
      add("change-default", id,
          what + " became GENERATED ALWAYS AS IDENTITY: code that writes its value explicitly now fails", names);
    }
  }

  void compare_enum(const ObjectId& id, const Properties& before, const Properties& after) {
    const auto old_labels = enum_labels(property(before, "labels"));
    const auto remaining = enum_labels(property(after, "labels"));
    const auto has = [](const std::vector<std::string>& labels, const std::string& label) {
      return std::find(labels.begin(), labels.end(), label) != labels.end();
    };
    std::vector<std::string> lost;
    std::vector<std::string> renames;
    for (std::size_t i = 0; i < old_labels.size(); ++i) {
      const std::string& label = old_labels[i];
      if (has(remaining, label)) continue;
      // ALTER TYPE … RENAME VALUE keeps the label's place: the stored values now read as the new one.
      if (old_labels.size() == remaining.size() && !has(old_labels, remaining[i])) {
        renames.push_back("'" + label + "' to '" + remaining[i] + "'");
      } else {
        lost.push_back("'" + label + "'");
      }
    }
    if (!renames.empty()) {
      add("rename", id,
          display(id) + " renamed label" + (renames.size() > 1 ? "s " : " ") + util::join(renames, ", ") +
              ": stored values keep their place, but code writing or comparing the old label fails",
          {id.name});
    }
    if (lost.empty()) return;
    add("narrow-type", id,
        display(id) + " lost label" + (lost.size() > 1 ? "s " : " ") + util::join(lost, ", ") +
            ": values using them can no longer be stored, and code writing them fails",
        {id.name});
  }

  const SchemaModel& m_before;
  const SchemaModel& m_after;
  std::set<std::string> m_dropped_schemas;
  std::set<std::string> m_dropped_owners;                           // "schema.name" of tables and views
  std::set<std::string> m_replaced_by_view;                         // "schema.name" of tables a view replaced
  std::set<std::pair<std::string, std::string>> m_dropped_columns;  // ("schema.table", column)
  std::set<std::string> m_enums;                                    // enum types as format_type prints them
  std::vector<DestructiveChange> m_out;
};

}  // namespace

std::vector<DestructiveChange> destructive_changes(const SchemaModel& before, const SchemaModel& after) {
  return Comparison(before, after).run();
}

}  // namespace pgdrift::lint
