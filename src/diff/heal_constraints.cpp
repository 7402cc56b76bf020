// Table constraints (keys and checks before foreign keys) and indexes. A changed constraint or
// index is dropped and added again, except what Postgres alters in place: VALIDATE CONSTRAINT, a
// foreign key's DEFERRABLE timing, REINDEX of an invalid index, CLUSTER ON, comments.

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

using catalog::quote_name;

bool foreign_key(const Properties& p) { return value(p, "type") == "foreign key"; }

std::string add_constraint(const ObjectId& id, const Properties& p) {
  std::string definition = value(p, "definition");
  if (is_true(p, "deferrable") && definition.find("DEFERRABLE") == std::string::npos) {
    definition +=
        std::string(" DEFERRABLE") + (is_true(p, "deferred") ? " INITIALLY DEFERRED" : "");
  }
  return "ALTER TABLE " + owner_name(id) + " ADD CONSTRAINT " + quote_name(id.name) + " " +
         definition + ";";
}

// Whether a check or foreign key on an existing plain table is added NOT VALID and validated
// after the transaction (pgdrift's constraint-missing-not-valid rule): the ADD then holds its lock
// only for an instant, and the scan of every row runs under a lock that lets writes through.
// Partitioned tables refuse NOT VALID foreign keys; a new table has no rows to scan.
bool added_not_valid(const Plan& plan, const ObjectId& id, const Properties& to) {
  if (plan.owner_created(id)) return false;
  if (value(to, "type") != "check" && !foreign_key(to)) return false;
  if (!is_true(to, "validated") || util::ends_with(value(to, "definition"), " NOT VALID")) return false;
  const Properties* table = plan.in_from(ObjectId{Kind::table, id.schema, id.table, ""});
  return table != nullptr && value(*table, "kind") == "table";
}

void create_constraint(Plan& plan, const ObjectId& id, const Properties& to, bool destructive) {
  const Phase phase = foreign_key(to) ? Phase::foreign_keys : Phase::constraints;
  if (added_not_valid(plan, id, to)) {
    std::string sql = add_constraint(id, to);
    sql.insert(sql.size() - 1, " NOT VALID");
    plan.add(phase, id, sql, destructive);
    plan.add(phase, id,
             "ALTER TABLE " + owner_name(id) + " VALIDATE CONSTRAINT " + quote_name(id.name) + ";",
             destructive, Section::after);
  } else {
    plan.add(phase, id, add_constraint(id, to), destructive);
  }
  heal_metadata(plan, phase, id, nullptr, to, destructive);
}

void drop_constraint(Plan& plan, const ObjectId& id, const Properties& from) {
  plan.add(foreign_key(from) ? Phase::drop_foreign_keys : Phase::drop_constraints, id,
           "ALTER TABLE " + owner_name(id) + " DROP CONSTRAINT " + quote_name(id.name) + ";", true);
}

std::string timing(const Properties& p) {
  if (!is_true(p, "deferrable")) return "NOT DEFERRABLE";
  return is_true(p, "deferred") ? "DEFERRABLE INITIALLY DEFERRED"
                                : "DEFERRABLE INITIALLY IMMEDIATE";
}

// Whether the index belongs to a materialized view (created after it).
bool on_view(const Plan& plan, const ObjectId& id) {
  return plan.to().objects.count(ObjectId{Kind::materialized_view, id.schema, id.table, ""}) != 0;
}

// Whether the index goes on a table or materialized view that holds rows before the script
// (not created by it) and that is not partitioned: it is then built CONCURRENTLY, outside the
// transaction, as pgdrift's non-concurrent-index rule asks (and dropped so before the
// transaction).
bool concurrent(const Plan& plan, const ObjectId& id, const SchemaModel& model) {
  if (plan.owner_created(id) && &model == &plan.to()) return false;
  if (plan.owner_dropped(id) && &model == &plan.from()) return false;
  if (const Properties* table = plan.in_from(ObjectId{Kind::table, id.schema, id.table, ""}))
    return value(*table, "kind") != "partitioned table";
  return plan.in_from(ObjectId{Kind::materialized_view, id.schema, id.table, ""}) != nullptr;
}

void create_index(Plan& plan, const ObjectId& id, const Properties& to, bool destructive) {
  const Phase phase = on_view(plan, id) ? Phase::view_indexes : Phase::indexes;
  const bool outside = concurrent(plan, id, plan.to());
  const Section section = outside ? Section::after : Section::transaction;
  plan.add(phase, id,
           std::string("CREATE ") + (is_true(to, "unique") ? "UNIQUE " : "") + "INDEX " +
               (outside ? "CONCURRENTLY " : "") + quote_name(id.name) + " ON " + owner_name(id) +
               " " + value(to, "definition") + ";",
           destructive, section);
  if (is_true(to, "clustered")) {
    plan.add(Phase::table_options, id,
             "ALTER TABLE " + owner_name(id) + " CLUSTER ON " + quote_name(id.name) + ";",
             destructive, section);
  }
  heal_metadata(plan, phase, id, nullptr, to, destructive);
  // The comment and privileges need the index, which exists only after it.
  if (outside) plan.move_to_section(id, phase, section);
}

void drop_index(Plan& plan, const ObjectId& id) {
  const bool outside = concurrent(plan, id, plan.from());
  plan.add(Phase::drop_indexes, id,
           std::string("DROP INDEX ") + (outside ? "CONCURRENTLY " : "") +
               qualified(id.schema, id.name) + ";",
           true, outside ? Section::before : Section::transaction);
}

}  // namespace

void heal_constraints(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::constraint) continue;
    const Properties* from = plan.in_from(id);
    if (plan.owner_created(id)) {
      create_constraint(plan, id, to, plan.owner_recreated(id));
    } else if (from == nullptr) {
      create_constraint(plan, id, to, false);
    } else if (plan.rebuilt(id)) {
      drop_constraint(plan, id, *from);
      create_constraint(plan, id, to, true);
    } else {
      const std::string alter = "ALTER TABLE " + owner_name(id);
      if (foreign_key(to) && timing(*from) != timing(to)) {
        plan.add(Phase::foreign_keys, id,
                 alter + " ALTER CONSTRAINT " + quote_name(id.name) + " " + timing(to) + ";",
                 false);
      }
      if (!is_true(*from, "validated") && is_true(to, "validated")) {
        // Checks every row: fails when one breaks it.
        plan.add(foreign_key(to) ? Phase::foreign_keys : Phase::constraints, id,
                 alter + " VALIDATE CONSTRAINT " + quote_name(id.name) + ";", true);
      }
      heal_metadata(plan, foreign_key(to) ? Phase::foreign_keys : Phase::constraints, id, from, to);
    }
  }
  for (const auto& [id, from] : plan.from().objects) {
    if (id.kind != Kind::constraint || (plan.in_to(id) != nullptr && !plan.owner_dropped(id)))
      continue;
    // A dropped table's foreign keys go first: the keys they reference may change before it goes.
    if (plan.owner_dropped(id) && !foreign_key(from)) continue;
    drop_constraint(plan, id, from);
  }
}

void heal_indexes(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::index) continue;
    const Properties* from = plan.in_from(id);
    if (plan.owner_created(id)) {
      create_index(plan, id, to, plan.owner_recreated(id));
    } else if (from == nullptr) {
      create_index(plan, id, to, false);
    } else if (plan.rebuilt(id)) {
      drop_index(plan, id);
      create_index(plan, id, to, true);
    } else {
      if (value(*from, "valid") == "false" && value(to, "valid") == "true") {
        plan.add(Phase::indexes, id, "REINDEX INDEX " + qualified(id.schema, id.name) + ";", false);
      }
      if (is_true(*from, "clustered") != is_true(to, "clustered")) {
        plan.add(Phase::table_options, id,
                 "ALTER TABLE " + owner_name(id) +
                     (is_true(to, "clustered") ? " CLUSTER ON " + quote_name(id.name)
                                               : " SET WITHOUT CLUSTER") +
                     ";",
                 false);
      }
      heal_metadata(plan, on_view(plan, id) ? Phase::view_indexes : Phase::indexes, id, from, to);
    }
  }
  for (const auto& [id, from] : plan.from().objects) {
    if (id.kind != Kind::index || plan.in_to(id) != nullptr || plan.owner_dropped(id)) continue;
    drop_index(plan, id);
  }
}

}  // namespace pgdrift::diff::healing
