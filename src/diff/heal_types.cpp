// Schemas, extensions, enums, domains, composite types and standalone sequences.

#include <algorithm>
#include <map>

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

using catalog::quote_name;

// Objects of `kind` only in `from`, each dropped with `sql` in `phase` (or early when a new
// object of another kind takes its name).
template <typename Sql>
void drop_removed(Plan& plan, Kind kind, Phase phase, Sql sql) {
  for (const auto& [id, p] : plan.from().objects) {
    if (id.kind != kind || plan.in_to(id) != nullptr) continue;
    plan.add(plan.early_drops.count(id) != 0 ? Phase::drop_early : phase, id, sql(id, p), true);
  }
}

void schemas(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::schema) continue;
    const Properties* from = plan.in_from(id);
    if (from == nullptr)
      plan.add(Phase::schemas, id, "CREATE SCHEMA " + quote_name(id.name) + ";", false);
    heal_metadata(plan, Phase::schemas, id, from, to);
  }
  drop_removed(plan, Kind::schema, Phase::drop_schemas, [](const ObjectId& id, const Properties&) {
    return "DROP SCHEMA " + quote_name(id.name) + ";";
  });
}

void extensions(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::extension) continue;
    const std::string name = quote_name(id.name);
    const Properties* from = plan.in_from(id);
    if (from == nullptr) {
      std::string sql = "CREATE EXTENSION " + name;
      if (const auto* schema = get(to, "schema")) sql += " WITH SCHEMA " + quote_name(*schema);
      if (const auto* version = get(to, "version")) sql += " VERSION " + literal(*version);
      plan.add(Phase::extensions, id, sql + ";", false);
      continue;
    }
    if (!same(from, to, "schema") && get(to, "schema") != nullptr) {
      plan.add(Phase::extensions, id,
               "ALTER EXTENSION " + name + " SET SCHEMA " + quote_name(value(to, "schema")) + ";",
               false);
    }
    if (!same(from, to, "version") && get(to, "version") != nullptr) {
      plan.add(Phase::extensions, id,
               "ALTER EXTENSION " + name + " UPDATE TO " + literal(value(to, "version")) + ";",
               false);
    }
  }
  drop_removed(plan, Kind::extension, Phase::drop_extensions,
               [](const ObjectId& id, const Properties&) {
                 return "DROP EXTENSION " + quote_name(id.name) + ";";
               });
}

void create_enum(Plan& plan, const ObjectId& id, const Properties& to, bool destructive) {
  plan.add(
      Phase::enums, id,
      "CREATE TYPE " + qualified(id.schema, id.name) + " AS ENUM (" + value(to, "labels") + ");",
      destructive);
  heal_metadata(plan, Phase::enums, id, nullptr, to, destructive);
}

void enums(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::enum_type) continue;
    const Properties* from = plan.in_from(id);
    const std::string name = qualified(id.schema, id.name);
    if (from == nullptr) {
      create_enum(plan, id, to, false);
    } else if (plan.rebuilt(id)) {
      // Labels removed or reordered: the old type is renamed, its columns move to the new one
      // (heal_columns), then it is dropped.
      const std::string old_name = "pgdrift_old_" + id.name;
      plan.add(Phase::enums, id, "ALTER TYPE " + name + " RENAME TO " + quote_name(old_name) + ";",
               true);
      create_enum(plan, id, to, true);
      plan.add(Phase::drop_types, id, "DROP TYPE " + qualified(id.schema, old_name) + ";", true);
    } else {
      const auto old_labels = split_top_level(value(*from, "labels"), ',');
      const auto new_labels = split_top_level(value(to, "labels"), ',');
      for (std::size_t i = 0; i < new_labels.size(); ++i) {
        if (std::find(old_labels.begin(), old_labels.end(), new_labels[i]) != old_labels.end())
          continue;
        std::string position;
        if (i > 0) {
          position = " AFTER " + new_labels[i - 1];
        } else if (!old_labels.empty()) {
          position = " BEFORE " + old_labels.front();
        }
        // Before the transaction: a value added in one is unusable until it commits (pgdrift's
        // enum-add-value-in-transaction), and the script's defaults and views may use it.
        plan.add(Phase::enums, id,
                 "ALTER TYPE " + name + " ADD VALUE " + new_labels[i] + position + ";", false,
                 Section::before);
      }
      heal_metadata(plan, Phase::enums, id, from, to);
    }
  }
}

std::string create_domain(const ObjectId& id, const Properties& p) {
  std::string sql = "CREATE DOMAIN " + qualified(id.schema, id.name) + " AS " + value(p, "type");
  if (const auto* collation = get(p, "collation")) sql += " COLLATE " + *collation;
  if (const auto* def = get(p, "default")) sql += " DEFAULT " + *def;
  if (is_true(p, "not_null")) sql += " NOT NULL";
  if (const auto* checks = get(p, "checks")) {
    for (const auto& check : util::split(*checks, '\n')) sql += " " + check;
  }
  return sql + ";";
}

// A domain's checks by constraint name (quoted as written) → "CHECK (…)".
std::map<std::string, std::string> domain_checks(const Properties* p) {
  std::map<std::string, std::string> out;
  const auto* checks = p == nullptr ? nullptr : get(*p, "checks");
  if (checks == nullptr) return out;
  for (const auto& line : util::split(*checks, '\n')) {
    const std::string k_prefix = "CONSTRAINT ";
    if (!util::starts_with(line, k_prefix)) continue;
    out.insert(leading_identifier(line.substr(k_prefix.size())));
  }
  return out;
}

void domains(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::domain) continue;
    const Properties* from = plan.in_from(id);
    const std::string name = qualified(id.schema, id.name);
    if (from == nullptr || !same(from, to, "type") || !same(from, to, "collation")) {
      // ALTER DOMAIN cannot change the base type or collation: drop and create again.
      const bool recreate = from != nullptr;
      if (recreate) plan.add(Phase::drop_early, id, "DROP DOMAIN " + name + ";", true);
      plan.add(Phase::domains, id, create_domain(id, to), recreate);
      heal_metadata(plan, Phase::domains, id, nullptr, to, recreate);
      continue;
    }
    const std::string alter = "ALTER DOMAIN " + name;
    if (!same(from, to, "default")) {
      const auto* def = get(to, "default");
      plan.add(Phase::domains, id,
               alter + (def == nullptr ? " DROP DEFAULT;" : " SET DEFAULT " + *def + ";"), false);
    }
    if (is_true(*from, "not_null") != is_true(to, "not_null")) {
      const bool set = is_true(to, "not_null");
      plan.add(Phase::domains, id, alter + (set ? " SET NOT NULL;" : " DROP NOT NULL;"), set);
    }
    const auto old_checks = domain_checks(from);
    const auto new_checks = domain_checks(&to);
    for (const auto& [check, definition] : old_checks) {
      const auto it = new_checks.find(check);
      if (it == new_checks.end() || it->second != definition) {
        plan.add(Phase::domains, id, alter + " DROP CONSTRAINT " + check + ";", true);
      }
    }
    for (const auto& [check, definition] : new_checks) {
      const auto it = old_checks.find(check);
      if (it == old_checks.end() || it->second != definition) {
        plan.add(Phase::domains, id, alter + " ADD CONSTRAINT " + check + " " + definition + ";",
                 it != old_checks.end());
      }
    }
    heal_metadata(plan, Phase::domains, id, from, to);
  }
}

// A composite type's attributes in order: (name as written, "type [COLLATE …]").
std::vector<std::pair<std::string, std::string>> attributes(const Properties& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& attribute : split_top_level(value(p, "attributes"), ',')) {
    out.push_back(leading_identifier(attribute));
  }
  return out;
}

void composite_types(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::composite_type) continue;
    const Properties* from = plan.in_from(id);
    const std::string name = qualified(id.schema, id.name);
    if (from == nullptr) {
      plan.add(Phase::composite_types, id,
               "CREATE TYPE " + name + " AS (" + value(to, "attributes") + ");", false);
      heal_metadata(plan, Phase::composite_types, id, nullptr, to);
      continue;
    }
    const auto old_attributes = attributes(*from);
    const auto new_attributes = attributes(to);
    auto find = [](const auto& list, const std::string& attribute) {
      return std::find_if(list.begin(), list.end(),
                          [&](const auto& a) { return a.first == attribute; });
    };
    for (const auto& [attribute, type] : old_attributes) {
      const auto it = find(new_attributes, attribute);
      if (it == new_attributes.end()) {
        plan.add(Phase::composite_types, id,
                 "ALTER TYPE " + name + " DROP ATTRIBUTE " + attribute + ";", true);
      } else if (it->second != type) {
        plan.add(
            Phase::composite_types, id,
            "ALTER TYPE " + name + " ALTER ATTRIBUTE " + attribute + " TYPE " + it->second + ";",
            true);
      }
    }
    for (const auto& [attribute, type] : new_attributes) {
      if (find(old_attributes, attribute) == old_attributes.end()) {
        plan.add(Phase::composite_types, id,
                 "ALTER TYPE " + name + " ADD ATTRIBUTE " + attribute + " " + type + ";", false);
      }
    }
    heal_metadata(plan, Phase::composite_types, id, from, to);
  }
}

}  // namespace

void heal_namespaces(Plan& plan) {
  schemas(plan);
  extensions(plan);
}

void heal_types(Plan& plan) {
  enums(plan);
  domains(plan);
  composite_types(plan);
  // Dependents first: composite attributes may use domains, domains may be over enums.
  auto drop_type = [](const ObjectId& id, const Properties&) {
    return "DROP TYPE " + qualified(id.schema, id.name) + ";";
  };
  drop_removed(plan, Kind::composite_type, Phase::drop_types, drop_type);
  drop_removed(plan, Kind::domain, Phase::drop_types, [](const ObjectId& id, const Properties&) {
    return "DROP DOMAIN " + qualified(id.schema, id.name) + ";";
  });
  drop_removed(plan, Kind::enum_type, Phase::drop_types, drop_type);
}

void heal_sequences(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::sequence) continue;
    const Properties* from = plan.in_from(id);
    const std::string name = qualified(id.schema, id.name);
    const auto settings = sequence_settings(to);
    if (from == nullptr) {
      const std::string clause = create_sequence_clause(settings);
      plan.add(Phase::sequences, id,
               std::string("CREATE ") + (is_true(to, "unlogged") ? "UNLOGGED " : "") + "SEQUENCE " +
                   name + (clause.empty() ? "" : " " + clause) + ";",
               false);
    } else {
      const auto old_settings = sequence_settings(*from);
      if (!(old_settings == settings)) {
        plan.add(Phase::sequences, id,
                 "ALTER SEQUENCE " + name + " " + sequence_clause(old_settings, settings, "") + ";",
                 narrows(old_settings, settings));
      }
      if (is_true(*from, "unlogged") != is_true(to, "unlogged")) {
        plan.add(Phase::sequences, id,
                 "ALTER SEQUENCE " + name +
                     (is_true(to, "unlogged") ? " SET UNLOGGED;" : " SET LOGGED;"),
                 false);
      }
    }
    if (!same(from, to, "owned_by")) {
      const auto* owner = get(to, "owned_by");
      plan.add(Phase::owned_by, id,
               "ALTER SEQUENCE " + name + " OWNED BY " + (owner ? *owner : "NONE") + ";", false);
    }
    heal_metadata(plan, Phase::sequences, id, from, to);
  }
  for (const auto& [id, from] : plan.from().objects) {
    if (id.kind != Kind::sequence || plan.in_to(id) != nullptr) continue;
    // A sequence owned by a column that goes away goes with it.
    if (const auto* owner = get(from, "owned_by")) {
      const bool owner_stays =
          std::any_of(plan.to().objects.begin(), plan.to().objects.end(), [&](const auto& entry) {
            return entry.first.kind == Kind::column &&
                   owner_name(entry.first) + "." + catalog::quote_name(entry.first.name) == *owner;
          });
      if (!owner_stays) continue;
    }
    plan.add(plan.early_drops.count(id) != 0 ? Phase::drop_early : Phase::drop_sequences, id,
             "DROP SEQUENCE " + qualified(id.schema, id.name) + ";", true);
  }
}

}  // namespace pgdrift::diff::healing
