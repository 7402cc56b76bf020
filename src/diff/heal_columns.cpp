// Columns: ADD COLUMN, ALTER COLUMN (type, default, NOT NULL, identity, generation, storage,
// compression, statistics, options), DROP COLUMN, and the sequences of serial columns. Columns of
// new tables are written inline by heal_tables; here they only get what CREATE TABLE cannot say.

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

using catalog::quote_name;

int major_version(const SchemaModel& model) {
  try {
    return model.server_version.empty() ? 0 : std::stoi(model.server_version);
  } catch (...) {
    return 0;
  }
}

// The storage a column of `type` has by default (SET STORAGE DEFAULT needs PostgreSQL 16).
std::string default_storage(const std::string& type) {
  if (util::ends_with(type, "]")) return "extended";
  const std::string base = type.substr(0, type.find('('));
  if (base == "numeric" || base == "inet" || base == "cidr") return "main";
  for (const char* plain : {"smallint", "integer", "bigint", "boolean", "real", "double precision",
                            "date", "uuid", "money", "oid", "\"char\"", "interval", "point"}) {
    if (base == plain) return "plain";
  }
  if (util::starts_with(base, "time")) return "plain";
  return "extended";
}

// The sequence a serial-style default ("nextval('s.t_id_seq'::regclass)") draws from, when it
// is not one of `model`'s standalone sequences; "" otherwise.
std::string serial_sequence(const SchemaModel& model, const Properties& column) {
  const std::string def = value(column, "default");
  const std::string prefix = "nextval('";
  const std::string suffix = "'::regclass)";
  if (!util::starts_with(def, prefix) || !util::ends_with(def, suffix)) return "";
  std::string name = def.substr(prefix.size(), def.size() - prefix.size() - suffix.size());
  for (auto at = name.find("''"); at != std::string::npos; at = name.find("''", at + 1))
    name.erase(at, 1);
  for (const auto& [id, p] : model.objects) {
    if (id.kind == Kind::sequence && qualified(id.schema, id.name) == name) return "";
  }
  return name;
}

// A type name without its modifiers and array brackets: "character varying(20)" → "character
// varying"; the modifiers ("20"), or "" when there are none.
std::string base_type(const std::string& type) {
  const std::string head = type.substr(0, type.find('('));
  return std::string(util::trim(head));
}
std::string type_modifiers(const std::string& type) {
  const auto open = type.find('(');
  const auto close = type.find(')', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return type.substr(open + 1, close - open - 1);
}
bool is_array(const std::string& type) { return util::ends_with(type, "]"); }

// Whether every value of `from` is a value of `to`, unchanged: a longer varchar, varchar to text,
// a larger integer, a numeric with at least as many digits on each side of the point, real to
// double precision. Anything else is destructive (it can fail, round or truncate).
bool widens(const std::string& from, const std::string& to) {
  if (is_array(from) != is_array(to)) return false;
  const std::string a = base_type(from);
  const std::string b = base_type(to);
  const std::string a_mod = type_modifiers(from);
  const std::string b_mod = type_modifiers(to);
  auto number = [](const std::string& text, long fallback) {
    try {
      return text.empty() ? fallback : std::stol(text);
    } catch (...) {
      return fallback;
    }
  };
  if (a == "character varying" && (b == "text" || (b == a && (b_mod.empty() ||
                                                   number(b_mod, 0) >= number(a_mod, 1L << 30)))))
    return true;
  const std::vector<std::string> integers = {"smallint", "integer", "bigint"};
  const auto ai = std::find(integers.begin(), integers.end(), a);
  const auto bi = std::find(integers.begin(), integers.end(), b);
  if (ai != integers.end() && bi != integers.end()) return ai <= bi;
  if (ai != integers.end() && b == "numeric") return b_mod.empty();
  if (a == "real" && b == "double precision") return true;
  if (a == "numeric" && b == "numeric") {
    if (b_mod.empty()) return true;
    if (a_mod.empty()) return false;
    const auto a_parts = split_top_level(a_mod, ',');
    const auto b_parts = split_top_level(b_mod, ',');
    const long a_scale = a_parts.size() > 1 ? number(a_parts[1], 0) : 0;
    const long b_scale = b_parts.size() > 1 ? number(b_parts[1], 0) : 0;
    return b_scale >= a_scale &&
           number(b_parts[0], 0) - b_scale >= number(a_parts[0], 0) - a_scale;
  }
  if (a == "bit varying" && b == a) return b_mod.empty() || number(b_mod, 0) >= number(a_mod, 1L << 30);
  return false;
}

// Whether ALTER COLUMN … TYPE needs USING: the base types differ and the target is not a
// length-limited string or bit type (whose assignment cast from the string types exists).
bool needs_using(const std::string& from, const std::string& to) {
  const std::string a = base_type(from);
  const std::string b = base_type(to);
  if (a == b && is_array(from) == is_array(to)) return false;
  if (widens(from, to)) return false;
  for (const char* limited : {"character varying", "character", "bit", "bit varying"}) {
    if (b == limited && !is_array(to)) return false;
  }
  return true;
}

// Whether `model` has the sequence `name` (as deparsed) as an object of its own.
bool standalone_sequence(const SchemaModel& model, const std::string& name) {
  for (const auto& [id, p] : model.objects) {
    if (id.kind == Kind::sequence && qualified(id.schema, id.name) == name) return true;
  }
  return false;
}

long position(const Properties& p) {
  const auto* text = get(p, "position");
  try {
    return text == nullptr ? 0 : std::stol(*text);
  } catch (...) {
    return 0;
  }
}

class ColumnWriter {
 public:
  explicit ColumnWriter(Plan& plan)
      : m_plan(plan), m_from_tables(tables(plan.from())), m_to_tables(tables(plan.to())) {}

  void run() {
    // In table order, then in column order: added columns are appended in their positions' order.
    std::vector<const std::pair<const ObjectId, Properties>*> columns;
    for (const auto& entry : m_plan.to().objects) {
      if (entry.first.kind == Kind::column) columns.push_back(&entry);
    }
    std::stable_sort(columns.begin(), columns.end(), [](const auto* a, const auto* b) {
      return std::tie(a->first.schema, a->first.table) <
                 std::tie(b->first.schema, b->first.table) ||
             (std::tie(a->first.schema, a->first.table) ==
                  std::tie(b->first.schema, b->first.table) &&
              position(a->second) < position(b->second));
    });
    for (const auto* entry : columns) {
      const ObjectId& id = entry->first;
      const Properties& to = entry->second;
      if (m_plan.owner_created(id)) {
        created_table_column(id, to);
        continue;
      }
      if (m_plan.regenerated_columns.count(id) != 0) {
        m_plan.add(Phase::drop_early, id,
                   "ALTER TABLE " + owner_name(id) + " DROP COLUMN " + quote_name(id.name) + ";",
                   false)
            .caution =
            "a generated column is dropped and added again around the type change of a column "
            "its expression uses: its values are computed again, nothing is lost";
        m_plan.add(Phase::owned_by, id,
                   "ALTER TABLE " + owner_name(id) + " ADD COLUMN " +
                       column_definition(id, to, true) + ";",
                   false);
        extras(id, nullptr, to, false);
        heal_metadata(m_plan, Phase::owned_by, id, nullptr, to);
        continue;
      }
      if (const Properties* from = m_plan.in_from(id)) {
        alter_column(id, *from, to, parent_column(m_plan.to(), m_to_tables, id) != nullptr);
        heal_metadata(m_plan, Phase::columns, id, from, to);
      } else if (const Properties* inherited = parent_column(m_plan.from(), m_from_tables, id)) {
        make_local(id);
        alter_column(id, *inherited, to, true);  // was its parent's column, now changed here
        heal_metadata(m_plan, Phase::columns, id, nullptr, to);
      } else {
        add_column(id, to);
      }
    }
    for (const auto& [id, from] : m_plan.from().objects) {
      if (id.kind != Kind::column || m_plan.in_to(id) != nullptr || m_plan.owner_dropped(id))
        continue;
      if (const Properties* inherited = parent_column(m_plan.to(), m_to_tables, id)) {
        alter_column(id, from, *inherited, true);  // becomes just its parent's column
      } else {
        m_plan.add(Phase::drop_columns, id,
                   "ALTER TABLE " + owner_name(id) + " DROP COLUMN " + quote_name(id.name) + ";",
                   true);
      }
    }
  }

 private:
  using TableIndex = std::map<std::string, ObjectId>;  // qualified name → table

  static TableIndex tables(const SchemaModel& model) {
    TableIndex out;
    for (const auto& [id, p] : model.objects) {
      if (id.kind == Kind::table) out[qualified(id.schema, id.name)] = id;
    }
    return out;
  }

  // The column of the same name in one of the table's parents (or theirs), as that parent shows it.
  static const Properties* parent_column(const SchemaModel& model, const TableIndex& tables,
                                         const ObjectId& column, int depth = 0) {
    const auto table = model.objects.find(ObjectId{Kind::table, column.schema, column.table, ""});
    if (table == model.objects.end() || depth > 64) return nullptr;
    for (const auto& parent : table_parents(table->second)) {
      const auto it = tables.find(parent);
      if (it == tables.end()) continue;
      const ObjectId inherited{Kind::column, it->second.schema, column.name, it->second.name};
      const auto found = model.objects.find(inherited);
      if (found != model.objects.end()) return &found->second;
      if (const Properties* p = parent_column(model, tables, inherited, depth + 1)) return p;
    }
    return nullptr;
  }

  // A column the table only inherited becomes its own (so that it stays when the parent drops
  // it): NO INHERIT makes every inherited column local, and INHERIT again keeps them local.
  // Once per table; only for parents the table keeps (heal_tables detaches the others, which
  // makes their columns local the same way).
  void make_local(const ObjectId& column) {
    const ObjectId table{Kind::table, column.schema, column.table, ""};
    if (!m_made_local.insert(table).second) return;
    const Properties* from = m_plan.in_from(table);
    const Properties* to = m_plan.in_to(table);
    if (from == nullptr || to == nullptr) return;
    const auto before = table_parents(*from);
    const auto after = table_parents(*to);
    if (before != after || value(*from, "kind") == "partition") return;
    const std::string alter_table = "ALTER TABLE " + qualified(table.schema, table.name);
    for (const auto& parent : before)
      m_plan.add(Phase::tables, column, alter_table + " NO INHERIT " + parent + ";", false);
    for (const auto& parent : after)
      m_plan.add(Phase::tables, column, alter_table + " INHERIT " + parent + ";", false);
  }

  std::string alter(const ObjectId& id) const {
    return "ALTER TABLE " + owner_name(id) + " ALTER COLUMN " + quote_name(id.name);
  }

  void created_table_column(const ObjectId& id, const Properties& to) {
    const ObjectId table{Kind::table, id.schema, id.table, ""};
    const bool rebuilt = m_plan.rebuilt(table);
    const Properties* p = m_plan.in_to(table);
    if (p != nullptr && value(*p, "kind") == "partition") {
      // Shown because it differs from the parent's column, which the partition starts with.
      if (const Properties* inherited = parent_column(m_plan.to(), m_to_tables, id)) {
        alter_column(id, *inherited, to, true, rebuilt);
      }
    } else {
      serial(id, nullptr, to, rebuilt);
      extras(id, nullptr, to, rebuilt);
    }
    heal_metadata(m_plan, Phase::columns, id, nullptr, to, rebuilt);
  }

  void add_column(const ObjectId& id, const Properties& to) {
    // A NOT NULL column without a default cannot be added to a table with rows: added nullable,
    // then SET NOT NULL (destructive: it fails on existing rows).
    const bool not_null = is_true(to, "not_null");
    const bool inline_not_null =
        not_null && (get(to, "default") != nullptr || get(to, "identity") != nullptr ||
                     get(to, "generated") != nullptr);
    m_plan.add(Phase::columns, id,
               "ALTER TABLE " + owner_name(id) + " ADD COLUMN " +
                   column_definition(id, to, inline_not_null) + ";",
               false);
    if (not_null && !inline_not_null)
      m_plan.add(Phase::columns, id, alter(id) + " SET NOT NULL;", true);
    serial(id, nullptr, to, false);
    extras(id, nullptr, to, false);
    heal_metadata(m_plan, Phase::columns, id, nullptr, to);
  }

  bool rebuilt_enum(std::string type) const {
    while (util::ends_with(type, "[]")) type.resize(type.size() - 2);
    return m_plan.rebuilt_enums.count(type) != 0;
  }

  // `inherited`: the type comes from a parent table (altered there, never here).
  void alter_column(const ObjectId& id, const Properties& from, const Properties& to,
                    bool inherited, bool destructive = false) {
    const std::string alter_column = alter(id);
    const auto* generated = get(to, "generated");
    if (generated != nullptr && !same(&from, to, "generated")) {
      if (major_version(m_plan.from()) >= 17 && get(from, "generated") != nullptr) {
        m_plan.add(Phase::columns, id,
                   alter_column + " SET EXPRESSION AS " + parenthesized(*generated) + ";", true);
      } else {
        // A generation expression cannot be added before PostgreSQL 17: the column is re-added
        // (last in the table).
        m_plan.add(Phase::columns, id,
                   "ALTER TABLE " + owner_name(id) + " DROP COLUMN " + quote_name(id.name) + ";",
                   true);
        m_plan.add(Phase::columns, id,
                   "ALTER TABLE " + owner_name(id) + " ADD COLUMN " +
                       column_definition(id, to, true) + ";",
                   true);
        extras(id, nullptr, to, true);
        return;
      }
    }
    if (get(from, "generated") != nullptr && generated == nullptr) {
      m_plan.add(Phase::columns, id, alter_column + " DROP EXPRESSION;", destructive);
    }
    const std::string type = value(to, "type");
    const bool enurebuilt_ids = rebuilt_enum(value(from, "type")) && value(from, "type") == type;
    const bool retype =
        !inherited && (!same(&from, to, "type") || !same(&from, to, "collation") || enurebuilt_ids);
    if (retype) {
      // A widening change loses nothing; anything else can fail or change values.
      const bool narrowing = !widens(value(from, "type"), type) || !same(&from, to, "collation") ||
                             enurebuilt_ids;
      // The default goes first because the old one may not cast.
      const bool new_default = !same(&from, to, "default") || narrowing;
      if (get(from, "default") != nullptr && new_default)
        m_plan.add(Phase::columns, id, alter_column + " DROP DEFAULT;", narrowing);
      std::string sql = alter_column + " TYPE " + type;
      if (const auto* collation = get(to, "collation")) sql += " COLLATE " + *collation;
      if (needs_using(value(from, "type"), type) && !enurebuilt_ids) {
        // No assignment cast between different base types (text → integer): an explicit one,
        // which fails on a value that does not convert rather than losing it. Length-limited
        // string and bit types keep the assignment cast, which errors where an explicit cast
        // would silently truncate.
        sql += " USING " + quote_name(id.name) + "::" + type;
      }
      if (enurebuilt_ids) {
        // Through text: the old and the new enum have no cast between them.
        std::string text_type = "text";
        for (std::string rest = type; util::ends_with(rest, "[]"); rest.resize(rest.size() - 2))
          text_type += "[]";
        sql += " USING " + quote_name(id.name) + "::" + text_type + "::" + type;
      }
      m_plan.add(Phase::columns, id, sql + ";", narrowing);
      if (const auto* def = get(to, "default")) {
        if (new_default)
          m_plan.add(Phase::columns, id, alter_column + " SET DEFAULT " + *def + ";", narrowing);
      }
    } else if (!same(&from, to, "default")) {
      const auto* def = get(to, "default");
      m_plan.add(Phase::columns, id,
                 alter_column + (def == nullptr ? " DROP DEFAULT;" : " SET DEFAULT " + *def + ";"),
                 destructive);
    }
    const bool set_not_null = is_true(to, "not_null") && !is_true(from, "not_null");
    if (set_not_null) m_plan.add(Phase::columns, id, alter_column + " SET NOT NULL;", true);
    identity(id, from, to, set_not_null || destructive);
    if (!is_true(to, "not_null") && is_true(from, "not_null")) {
      m_plan.add(Phase::columns, id, alter_column + " DROP NOT NULL;", destructive);
    }
    serial(id, &from, to, destructive);
    extras(id, &from, to, destructive);
  }

  void identity(const ObjectId& id, const Properties& from, const Properties& to,
                bool destructive) {
    const auto* before = get(from, "identity");
    const auto* after = get(to, "identity");
    auto generated = [](const std::string& kind) {
      return kind == "always" ? "ALWAYS" : "BY DEFAULT";
    };
    if (after != nullptr && before == nullptr) {
      const auto* options = get(to, "identity_sequence");
      m_plan.add(Phase::columns, id,
                 alter(id) + " ADD GENERATED " + generated(*after) + " AS IDENTITY" +
                     (options == nullptr ? "" : " (" + *options + ")") + ";",
                 destructive);
    } else if (after == nullptr && before != nullptr) {
      m_plan.add(Phase::columns, id, alter(id) + " DROP IDENTITY;", true);
    } else if (after != nullptr) {
      if (*after != *before) {
        m_plan.add(Phase::columns, id, alter(id) + " SET GENERATED " + generated(*after) + ";",
                   destructive);
      }
      if (!same(&from, to, "identity_sequence")) {
        const auto settings = sequence_settings(value(to, "type"), value(to, "identity_sequence"));
        auto old_settings =
            sequence_settings(value(from, "type"), value(from, "identity_sequence"));
        old_settings.type = settings.type;  // the column's type decides the sequence's
        const std::string clause = sequence_clause(old_settings, settings, "SET ");
        if (!clause.empty())
          m_plan.add(Phase::columns, id, alter(id) + " " + clause + ";", destructive);
      }
    }
  }

  // The sequence of a serial column: created (and owned) with a new column, altered with a changed
  // one.
  void serial(const ObjectId& id, const Properties* from, const Properties& to, bool destructive) {
    const std::string sequence = serial_sequence(m_plan.to(), to);
    if (from != nullptr) {
      // A serial column that no longer draws from its sequence: the sequence (owned by the
      // column, so invisible as an object of its own) goes too, after the default that uses it.
      const std::string old_sequence = serial_sequence(m_plan.from(), *from);
      if (!old_sequence.empty() && old_sequence != sequence &&
          !standalone_sequence(m_plan.to(), old_sequence)) {
        m_plan.add(Phase::drop_sequences, id, "DROP SEQUENCE " + old_sequence + ";", true);
      }
    }
    if (sequence.empty()) return;
    const auto settings = sequence_settings(value(to, "type"), value(to, "serial_sequence"));
    if (from == nullptr || serial_sequence(m_plan.from(), *from) != sequence) {
      const std::string clause = create_sequence_clause(settings);
      m_plan.add(Phase::sequences, id,
                 "CREATE SEQUENCE " + sequence + (clause.empty() ? "" : " " + clause) + ";",
                 destructive);
      m_plan.add(Phase::owned_by, id,
                 "ALTER SEQUENCE " + sequence + " OWNED BY " + owner_name(id) + "." +
                     quote_name(id.name) + ";",
                 destructive);
    } else if (!same(from, to, "serial_sequence")) {
      const auto old_settings =
          sequence_settings(value(*from, "type"), value(*from, "serial_sequence"));
      m_plan.add(
          Phase::sequences, id,
          "ALTER SEQUENCE " + sequence + " " + sequence_clause(old_settings, settings, "") + ";",
          destructive);
    }
  }

  // Storage, compression, statistics target and attribute options.
  void extras(const ObjectId& id, const Properties* from, const Properties& to, bool destructive) {
    const std::string alter_column = alter(id);
    if (!same(from, to, "storage")) {
      std::string storage = value(to, "storage");
      if (storage.empty())
        storage =
            major_version(m_plan.from()) >= 16 ? "DEFAULT" : default_storage(value(to, "type"));
      m_plan.add(Phase::columns, id, alter_column + " SET STORAGE " + storage + ";", destructive);
    }
    if (!same(from, to, "compression")) {
      const auto* compression = get(to, "compression");
      m_plan.add(
          Phase::columns, id,
          alter_column + " SET COMPRESSION " + (compression ? *compression : "default") + ";",
          destructive);
    }
    if (!same(from, to, "statistics")) {
      const auto* statistics = get(to, "statistics");
      m_plan.add(Phase::columns, id,
                 alter_column + " SET STATISTICS " + (statistics ? *statistics : "-1") + ";",
                 destructive);
    }
    heal_column_options(m_plan, id, from, to, destructive);
  }

  Plan& m_plan;
  TableIndex m_from_tables;
  TableIndex m_to_tables;
  std::set<ObjectId> m_made_local;  // tables whose inherited columns were made their own
};

}  // namespace


void heal_columns(Plan& plan) { ColumnWriter(plan).run(); }

}  // namespace pgdrift::diff::healing
