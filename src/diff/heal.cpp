#include "pgdrift/diff/heal.hpp"

#include <algorithm>
#include <sstream>

#include "heal_plan.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff {

namespace healing {

const Properties* Plan::in_from(const ObjectId& id) const {
  const auto it = m_from.objects.find(id);
  return it == m_from.objects.end() ? nullptr : &it->second;
}

const Properties* Plan::in_to(const ObjectId& id) const {
  const auto it = m_to.objects.find(id);
  return it == m_to.objects.end() ? nullptr : &it->second;
}

void Plan::add(Phase phase, const ObjectId& id, std::string sql, bool destructive) {
  m_entries.push_back({phase, m_entries.size(), HealStep{id, std::move(sql), destructive}});
}

std::vector<HealStep> Plan::steps() const {
  std::vector<const Entry*> sorted;
  sorted.reserve(m_entries.size());
  for (const auto& entry : m_entries) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return a->phase != b->phase ? a->phase < b->phase : a->order < b->order;
  });
  std::vector<HealStep> out;
  out.reserve(sorted.size());
  for (const Entry* entry : sorted) out.push_back(entry->step);
  return out;
}

namespace {

// The table or materialized view owning sub-object `id`, as an id of either kind in `model`.
const ObjectId* owner_in(const SchemaModel& model, const ObjectId& id, ObjectId& scratch) {
  for (Kind kind : {Kind::table, Kind::materialized_view, Kind::view}) {
    scratch = ObjectId{kind, id.schema, id.table, ""};
    if (model.objects.count(scratch) != 0) return &scratch;
  }
  return nullptr;
}

}  // namespace

bool Plan::owner_created(const ObjectId& id) const {
  ObjectId scratch;
  const ObjectId* owner = owner_in(m_from, id, scratch);
  return owner == nullptr || rebuilt(*owner) || early_drops.count(*owner) != 0;
}

bool Plan::owner_recreated(const ObjectId& id) const {
  ObjectId scratch;
  const ObjectId* owner = owner_in(m_from, id, scratch);
  return owner != nullptr && (rebuilt(*owner) || early_drops.count(*owner) != 0);
}

bool Plan::owner_dropped(const ObjectId& id) const {
  ObjectId scratch;
  const ObjectId* owner = owner_in(m_to, id, scratch);
  if (owner == nullptr) return true;
  return rebuilt(*owner) || early_drops.count(*owner) != 0 || in_from(*owner) == nullptr;
}

}  // namespace healing

std::vector<HealStep> heal(const catalog::SchemaModel& from, const catalog::SchemaModel& to,
                           const HealOptions& /*options: every step is returned, marked*/) {
  healing::Plan plan(from, to);
  healing::analyze(plan);
  healing::heal_namespaces(plan);
  healing::heal_types(plan);
  healing::heal_sequences(plan);
  healing::heal_tables(plan);
  healing::heal_columns(plan);
  healing::heal_constraints(plan);
  healing::heal_indexes(plan);
  healing::heal_views(plan);
  healing::heal_triggers(plan);
  healing::heal_policies(plan);
  return plan.steps();
}

std::string render_script(const std::vector<HealStep>& steps, const HealOptions& options) {
  const auto destructive = std::count_if(steps.begin(), steps.end(),
                                         [](const HealStep& step) { return step.destructive; });
  std::ostringstream out;
  out << "-- pgdrift: the SQL that turns the first schema into the second (" << steps.size()
      << (steps.size() == 1 ? " statement, " : " statements, ") << destructive
      << " destructive).\n";
  if (steps.empty()) {
    out << "-- The schemas are the same: nothing to do.\n";
    return out.str();
  }
  if (destructive > 0 && options.allow_destructive) {
    out << "-- Destructive statements (drops, type changes, SET NOT NULL, …) are included: review "
           "them.\n";
  } else if (destructive > 0) {
    out << "-- Destructive statements (drops, type changes, SET NOT NULL, …) are commented out;\n"
           "-- review them and use --allow-destructive to include them.\n";
  }
  // As pg_dump does: routine bodies may name tables and views created further down.
  const bool routines = std::any_of(steps.begin(), steps.end(), [&](const HealStep& step) {
    return (step.id.kind == catalog::Kind::function || step.id.kind == catalog::Kind::procedure) &&
           (!step.destructive || options.allow_destructive);
  });
  if (routines) out << "SET check_function_bodies = false;\n";
  out << "\n";
  for (const auto& step : steps) {
    if (!step.destructive) {
      out << step.sql << "\n";
    } else if (options.allow_destructive) {
      out << "-- destructive: " << step.id.display() << "\n" << step.sql << "\n";
    } else {
      out << "-- WARNING: destructive, not applied (use --allow-destructive): " << step.id.display()
          << "\n";
      for (const auto& line : util::split(step.sql, '\n')) out << "-- " << line << "\n";
    }
  }
  return out.str();
}

}  // namespace pgdrift::diff
