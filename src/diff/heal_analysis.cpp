// What the healing script must drop and create again rather than alter, decided once from both
// models before any step is written. Dependencies are not in the model, so they are read from the
// deparsed definitions: with search_path = '' every relation, type and routine in them is
// schema-qualified, and a mention of `schema.name` is a dependency.

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

bool is_routine(Kind kind) { return kind == Kind::function || kind == Kind::procedure; }

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// CREATE OR REPLACE cannot change a routine's result type, parameter names or defaults.
bool routine_needs_recreate(const Properties& from, const Properties& to) {
  return value(from, "returns") != value(to, "returns") ||
         first_line(value(from, "definition")) != first_line(value(to, "definition"));
}

// Whether every label of `from` is in `to`, in the same order (ADD VALUE can add the rest).
bool labels_insertable(const std::string& from, const std::string& to) {
  const auto old_labels = split_top_level(from, ',');
  const auto new_labels = split_top_level(to, ',');
  std::size_t next = 0;
  for (const auto& label : old_labels) {
    while (next < new_labels.size() && new_labels[next] != label) ++next;
    if (next == new_labels.size()) return false;
    ++next;
  }
  return true;
}

// The output columns of a view's query as pg_get_viewdef prints them ("users.id", "sum(x) AS
// total"), or nullopt when it is not one plain SELECT.
std::optional<std::vector<std::string>> select_list(const std::string& definition) {
  const std::string k_select = "SELECT ";
  if (!util::starts_with(definition, k_select) ||
      util::starts_with(definition, "SELECT DISTINCT")) {
    return std::nullopt;
  }
  int depth = 0;
  char quote = 0;
  std::size_t end = definition.size();
  for (std::size_t i = k_select.size(); i < definition.size(); ++i) {
    const char c = definition[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && (c == ' ' || c == '\n')) {
      const std::string rest = definition.substr(i + 1, 10);
      if (util::starts_with(rest, "FROM ") || util::starts_with(rest, "FROM\n")) {
        end = i;
        break;
      }
    }
  }
  for (const char* set_operation : {"UNION", "INTERSECT", "EXCEPT"}) {
    if (mentions(definition.substr(end), set_operation)) return std::nullopt;
  }
  return split_top_level(definition.substr(k_select.size(), end - k_select.size()), ',');
}

// CREATE OR REPLACE VIEW keeps the existing columns and may append more.
bool view_replaceable(const std::string& from, const std::string& to) {
  const auto old_columns = select_list(from);
  const auto new_columns = select_list(to);
  if (!old_columns || !new_columns || new_columns->size() < old_columns->size()) return false;
  return std::equal(old_columns->begin(), old_columns->end(), new_columns->begin());
}

// Normalized constraint definition: without the NOT VALID / DEFERRABLE suffixes
// pg_get_constraintdef appends (they change in place).
std::string constraint_core(std::string definition) {
  for (const char* suffix : {" NOT VALID", " INITIALLY DEFERRED", " DEFERRABLE"}) {
    if (util::ends_with(definition, suffix))
      definition.resize(definition.size() - std::string(suffix).size());
  }
  return definition;
}

bool constraint_needs_rebuild(const Properties& from, const Properties& to) {
  if (constraint_core(value(from, "definition")) != constraint_core(value(to, "definition")))
    return true;
  if (is_true(from, "validated") && !is_true(to, "validated")) return true;
  const bool timing_changed = !same(&from, to, "deferrable") || !same(&from, to, "deferred");
  return timing_changed &&
         value(to, "type") != "foreign key";  // ALTER CONSTRAINT: foreign keys only
}

class Analysis {
 public:
  explicit Analysis(Plan& plan) : m_plan(plan) {}

  void run() {
    routines_and_enums();
    tables();
    name_clashes();
    retyped_columns();
    constraints_and_indexes();
    views();
    triggers_and_policies();
  }

 private:
  template <typename F>
  void for_both(Kind kind, F&& f) {
    for (const auto& [id, from] : m_plan.from().objects) {
      if (id.kind != kind) continue;
      if (const Properties* to = m_plan.in_to(id)) f(id, from, *to);
    }
  }

  void routines_and_enums() {
    for (Kind kind : {Kind::function, Kind::procedure}) {
      for_both(kind, [&](const ObjectId& id, const Properties& from, const Properties& to) {
        if (routine_needs_recreate(from, to)) m_plan.rebuilt_ids.insert(id);
      });
    }
    for_both(Kind::enum_type,
             [&](const ObjectId& id, const Properties& from, const Properties& to) {
               if (labels_insertable(value(from, "labels"), value(to, "labels"))) return;
               m_plan.rebuilt_ids.insert(id);
               m_plan.rebuilt_enums.insert(qualified(id.schema, id.name));
             });
  }

  // Partitioned and plain tables are different things: switching is a new table.
  void tables() {
    for_both(Kind::table, [&](const ObjectId& id, const Properties& from, const Properties& to) {
      const bool was_partitioned = value(from, "kind") == "partitioned table";
      const bool partitioned = value(to, "kind") == "partitioned table";
      if (was_partitioned != partitioned || !same(&from, to, "partition_key"))
        m_plan.rebuilt_ids.insert(id);
    });
    // Dropping a table drops its partitions and needs its inheritance children gone first: they
    // are dropped (and created again when `to` has them) with it.
    std::set<std::string> dropped;
    for (const auto& id : m_plan.rebuilt_ids) {
      if (id.kind == Kind::table) dropped.insert(qualified(id.schema, id.name));
    }
    for (bool changed = !dropped.empty(); changed;) {
      changed = false;
      for (const auto& [id, from] : m_plan.from().objects) {
        if (id.kind != Kind::table || dropped.count(qualified(id.schema, id.name)) != 0) continue;
        const auto parents = table_parents(from);
        if (std::none_of(parents.begin(), parents.end(),
                         [&](const auto& p) { return dropped.count(p) != 0; })) {
          continue;
        }
        (m_plan.in_to(id) != nullptr ? m_plan.rebuilt_ids : m_plan.early_drops).insert(id);
        dropped.insert(qualified(id.schema, id.name));
        changed = true;
      }
    }
  }

  // A removed object whose name a new object of another kind takes is dropped first.
  void name_clashes() {
    auto space = [](Kind kind) { return is_routine(kind) ? 1 : 0; };
    auto top_level = [&](const ObjectId& id) {
      return id.table.empty() && id.kind != Kind::schema && id.kind != Kind::extension;
    };
    std::map<std::tuple<std::string, std::string, int>, ObjectId> removed;
    for (const auto& [id, p] : m_plan.from().objects) {
      if (top_level(id) && m_plan.in_to(id) == nullptr)
        removed[{id.schema, id.name, space(id.kind)}] = id;
    }
    for (const auto& [id, p] : m_plan.to().objects) {
      if (!top_level(id) || m_plan.in_from(id) != nullptr) continue;
      const auto it = removed.find({id.schema, id.name, space(id.kind)});
      if (it != removed.end()) m_plan.early_drops.insert(it->second);
    }
  }

  bool rebuilt_enum_type(std::string type) const {
    while (util::ends_with(type, "[]")) type.resize(type.size() - 2);
    return m_plan.rebuilt_enums.count(type) != 0;
  }

  void retyped_columns() {
    for_both(Kind::column, [&](const ObjectId& id, const Properties& from, const Properties& to) {
      if (m_plan.owner_created(id) || m_plan.owner_dropped(id)) return;
      if (!same(&from, to, "type") || !same(&from, to, "collation") ||
          rebuilt_enum_type(value(from, "type"))) {
        m_plan.retyped_columns[{id.schema, id.table}].insert(id.name);
      }
    });
    // A generated column cannot outlive a type change of a column its expression uses: it is
    // dropped before and added again after (its values are computed again; nothing is lost).
    for_both(Kind::column, [&](const ObjectId& id, const Properties& from, const Properties& to) {
      const auto* generated = get(from, "generated");
      if (generated == nullptr || get(to, "generated") == nullptr) return;
      if (m_plan.owner_created(id) || m_plan.owner_dropped(id)) return;
      const auto table = m_plan.retyped_columns.find({id.schema, id.table});
      if (table == m_plan.retyped_columns.end() || table->second.count(id.name) != 0) return;
      if (uses_retyped(id.schema, id.table, *generated, false))
        m_plan.regenerated_columns.insert(id);
    });
  }

  // Whether `text` (a definition in `from`) uses something that is dropped and created again.
  bool uses_rebuilt(const std::string& text) const {
    for (const auto& id : m_plan.rebuilt_ids) {
      if (is_routine(id.kind) && mentions(text, routine_base_name(id) + "(")) return true;
      if (!is_routine(id.kind) && id.table.empty() && id.kind != Kind::schema &&
          id.kind != Kind::extension && mentions(text, qualified(id.schema, id.name))) {
        return true;
      }
    }
    for (const auto& id : m_plan.early_drops) {
      if (mentions(text, is_routine(id.kind) ? routine_base_name(id) + "("
                                             : qualified(id.schema, id.name)))
        return true;
    }
    return false;
  }

  // Whether `text`, an expression on table (schema, table), uses a column whose type changes.
  bool uses_retyped(const std::string& schema, const std::string& table, const std::string& text,
                    bool qualified_text) const {
    const auto it = m_plan.retyped_columns.find({schema, table});
    if (it == m_plan.retyped_columns.end()) return false;
    if (qualified_text && !mentions(text, qualified(schema, table))) return false;
    for (const auto& column : it->second) {
      if (mentions(text, catalog::quote_name(column), true)) return true;
    }
    return false;
  }

  void constraints_and_indexes() {
    std::set<std::string> keys_changed;  // tables whose keys a foreign key may reference change
    for (const auto& [id, from] : m_plan.from().objects) {
      if (id.kind != Kind::table && id.kind != Kind::constraint && id.kind != Kind::index) continue;
      if (id.kind == Kind::table) {
        if (m_plan.rebuilt(id)) keys_changed.insert(qualified(id.schema, id.name));
        continue;
      }
      if (m_plan.owner_created(id) || m_plan.owner_dropped(id)) continue;
      const Properties* to = m_plan.in_to(id);
      const std::string type = value(from, "type");
      bool rebuild = false;
      if (to != nullptr && id.kind == Kind::constraint) {
        rebuild = constraint_needs_rebuild(from, *to) || uses_rebuilt(value(from, "definition"));
      } else if (to != nullptr) {
        rebuild = !same(&from, *to, "definition") || !same(&from, *to, "unique") ||
                  uses_rebuilt(value(from, "definition"));
      }
      if (rebuild) m_plan.rebuilt_ids.insert(id);
      const bool key = id.kind == Kind::index ? is_true(from, "unique")
                                              : type != "check" && type != "foreign key";
      if (key && (rebuild || to == nullptr)) keys_changed.insert(qualified(id.schema, id.table));
    }
    for_both(Kind::constraint, [&](const ObjectId& id, const Properties& from, const Properties&) {
      if (value(from, "type") != "foreign key" || m_plan.owner_created(id)) return;
      for (const auto& table : keys_changed) {
        if (value(from, "definition").find("REFERENCES " + table + "(") != std::string::npos) {
          m_plan.rebuilt_ids.insert(id);
        }
      }
    });
  }

  void views() {
    std::vector<ObjectId> candidates;
    for (Kind kind : {Kind::view, Kind::materialized_view}) {
      for_both(kind, [&](const ObjectId& id, const Properties& from, const Properties& to) {
        const std::string& definition = value(from, "definition");
        bool rebuild = false;
        if (definition != value(to, "definition")) {
          rebuild = kind == Kind::materialized_view ||
                    !view_replaceable(definition, value(to, "definition"));
        }
        for (const auto& [table, columns] : m_plan.retyped_columns) {
          rebuild = rebuild || uses_retyped(table.first, table.second, definition, true);
        }
        for (const auto& type : m_plan.rebuilt_enums)
          rebuild = rebuild || mentions(definition, type);
        if (rebuild || uses_rebuilt(definition)) {
          m_plan.rebuilt_ids.insert(id);
        } else {
          candidates.push_back(id);
        }
      });
    }
    // Views on views being dropped (removed or rebuilt) are rebuilt too, until nothing changes.
    std::vector<std::string> dropped;
    for (const auto& [id, p] : m_plan.from().objects) {
      if ((id.kind == Kind::view || id.kind == Kind::materialized_view) &&
          m_plan.in_to(id) == nullptr) {
        dropped.push_back(qualified(id.schema, id.name));
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (const auto& id : candidates) {
        if (m_plan.rebuilt(id)) continue;
        const std::string& definition = value(*m_plan.in_from(id), "definition");
        bool rebuild = std::any_of(dropped.begin(), dropped.end(), [&](const std::string& name) {
          return mentions(definition, name);
        });
        rebuild = rebuild || uses_rebuilt(definition);
        if (rebuild) {
          m_plan.rebuilt_ids.insert(id);
          changed = true;
        }
      }
    }
  }

  void triggers_and_policies() {
    for_both(Kind::trigger, [&](const ObjectId& id, const Properties& from, const Properties& to) {
      if (m_plan.owner_created(id) || m_plan.owner_dropped(id)) return;
      const std::string& definition = value(from, "definition");
      if (definition != value(to, "definition") || uses_rebuilt(definition) ||
          uses_retyped(id.schema, id.table, definition, false)) {
        m_plan.rebuilt_ids.insert(id);
      }
    });
    for_both(Kind::policy, [&](const ObjectId& id, const Properties& from, const Properties& to) {
      if (m_plan.owner_created(id) || m_plan.owner_dropped(id)) return;
      const std::string expressions = value(from, "using") + " " + value(from, "with_check");
      const bool removed_expression =
          (get(from, "using") != nullptr && get(to, "using") == nullptr) ||
          (get(from, "with_check") != nullptr && get(to, "with_check") == nullptr);
      if (!same(&from, to, "command") || !same(&from, to, "permissive") || removed_expression ||
          uses_rebuilt(expressions) || uses_retyped(id.schema, id.table, expressions, false)) {
        m_plan.rebuilt_ids.insert(id);
      }
    });
  }

  Plan& m_plan;
};

}  // namespace

void analyze(Plan& plan) { Analysis(plan).run(); }

}  // namespace pgdrift::diff::healing
