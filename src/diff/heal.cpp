#include "pgdrift/diff/heal.hpp"

#include <algorithm>
#include <map>
#include <utility>
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

HealStep& Plan::add(Phase phase, const ObjectId& id, std::string sql, bool destructive,
                    Section section) {
  HealStep step{id, std::move(sql), destructive};
  step.section = section;
  m_entries.push_back({phase, m_entries.size(), std::move(step)});
  return m_entries.back().step;
}

void Plan::move_to_section(const ObjectId& id, Phase phase, Section section) {
  for (auto& entry : m_entries) {
    if (entry.phase == phase && entry.step.id == id) entry.step.section = section;
  }
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

namespace {

// Whether `step` changes a column's type.
bool retypes(const HealStep& step) {
  return step.id.kind == catalog::Kind::column && step.sql.find(" ALTER COLUMN ") != std::string::npos &&
         step.sql.find(" TYPE ") != std::string::npos;
}

// Whether `step` makes its object exist or stop existing (or renames it, or changes a column's
// type): what later steps on the same object, or naming it, depend on.
bool changes_existence(const HealStep& step) {
  const std::string& sql = step.sql;
  if (retypes(step)) return true;
  if (util::starts_with(sql, "CREATE ") || util::starts_with(sql, "DROP ")) return true;
  for (const char* clause : {" ADD COLUMN ", " DROP COLUMN ", " ADD CONSTRAINT ", " DROP CONSTRAINT ",
                             " RENAME "}) {
    if (sql.find(clause) != std::string::npos) return true;
  }
  return false;
}

bool top_level(const catalog::ObjectId& id) {
  return id.table.empty() && id.kind != catalog::Kind::schema && id.kind != catalog::Kind::extension;
}

// The additive script leaves destructive steps out; every step that depends on one (acts on the
// object it creates or drops, or names it) is left out with it, so that what remains applies.
// The expressions of a view, trigger or policy in `model` that a column type change must not
// find in place; "" for other objects.
std::string dependent_text(const catalog::SchemaModel& model, const catalog::ObjectId& id) {
  const auto it = model.objects.find(id);
  if (it == model.objects.end()) return "";
  const auto text = [&](const char* key) {
    const auto found = it->second.find(key);
    return found == it->second.end() ? std::string() : found->second;
  };
  switch (id.kind) {
    case catalog::Kind::view:
    case catalog::Kind::materialized_view:
    case catalog::Kind::trigger: return text("definition");
    case catalog::Kind::policy: return text("using") + " " + text("with_check");
    default: return "";
  }
}

// Whether the view, trigger or policy `dependent` (its text in `from`) uses the column `column`.
bool uses_column(const catalog::ObjectId& dependent, const std::string& text,
                 const catalog::ObjectId& column) {
  if (text.empty()) return false;
  const bool same_table = dependent.schema == column.schema && dependent.table == column.table;
  if (!same_table && !healing::mentions(text, healing::qualified(column.schema, column.table)))
    return false;
  return healing::mentions(text, catalog::quote_name(column.name), true);
}

// A column whose creation, drop or type change is left out that `step` (on another object)
// uses: a constraint, index, trigger or policy of its table naming it, or a statement naming its
// table and it. nullptr when none.
const catalog::ObjectId* uses_left_out_column(
    const HealStep& step, const std::map<catalog::ObjectId, std::string>& skipped) {
  for (const auto& [id, why] : skipped) {
    if (id.kind != catalog::Kind::column || id == step.id) continue;
    const bool same_table = step.id.schema == id.schema && step.id.table == id.table;
    if (!same_table && !healing::mentions(step.sql, healing::qualified(id.schema, id.table)))
      continue;
    if (healing::mentions(step.sql, catalog::quote_name(id.name), true)) return &id;
  }
  return nullptr;
}

void mark_once(std::vector<HealStep>& steps, const catalog::SchemaModel& from) {
  std::map<catalog::ObjectId, std::string> skipped;         // object → why its steps are left out
  std::vector<std::pair<std::string, std::string>> names;  // qualified name → why
  // Views, triggers and policies whose DROP is left out: they keep the type of what they use.
  std::vector<std::pair<const HealStep*, std::string>> kept_dependents;
  for (auto& step : steps) {
    std::string reason;
    if (!step.destructive && step.left_out_because.empty() && retypes(step)) {
      for (const auto& [dependent, why] : kept_dependents) {
        if (uses_column(dependent->id, dependent_text(from, dependent->id), step.id)) {
          step.left_out_because = why;
          break;
        }
      }
    }
    if (step.destructive) {
      reason = step.id.display() + " (" + util::split(step.sql, '\n').front() + ")";
      if (reason.size() > 160) reason = reason.substr(0, 157) + "…)";
    } else if (const auto it = skipped.find(step.id); it != skipped.end()) {
      step.left_out_because = it->second;
    } else if (const auto* column = uses_left_out_column(step, skipped)) {
      step.left_out_because = skipped.at(*column);
    } else {
      for (const auto& [name, why] : names) {
        if (healing::mentions(step.sql, name)) {
          step.left_out_because = why;
          break;
        }
      }
    }
    if (!step.destructive && step.left_out_because.empty()) continue;
    const std::string why = step.destructive ? reason : step.left_out_because;
    if (util::starts_with(step.sql, "DROP ") && !dependent_text(from, step.id).empty())
      kept_dependents.emplace_back(&step, why);
    if (!changes_existence(step)) continue;
    skipped.emplace(step.id, why);
    if (top_level(step.id)) {
      const bool routine =
          step.id.kind == catalog::Kind::function || step.id.kind == catalog::Kind::procedure;
      names.emplace_back(routine ? healing::routine_base_name(step.id) + "("
                                 : healing::qualified(step.id.schema, step.id.name),
                         why);
    }
  }
  // An object dropped only to be created again (around a change of what it uses) stays when its
  // CREATE is left out: its DROP is left out too, for the same reason.
  std::map<catalog::ObjectId, std::string> not_created;
  for (const auto& step : steps) {
    if (!step.left_out_because.empty() && util::starts_with(step.sql, "CREATE "))
      not_created.emplace(step.id, step.left_out_because);
  }
  for (auto& step : steps) {
    if (step.destructive || !step.left_out_because.empty() || !util::starts_with(step.sql, "DROP "))
      continue;
    if (const auto it = not_created.find(step.id); it != not_created.end())
      step.left_out_because = it->second;
  }
}

// Marks the steps the additive script leaves out, until what one leaves out leaves out no more.
void mark_left_out(std::vector<HealStep>& steps, const catalog::SchemaModel& from) {
  const auto marked = [&] {
    return std::count_if(steps.begin(), steps.end(),
                         [](const HealStep& step) { return !step.left_out_because.empty(); });
  };
  for (;;) {
    const auto before = marked();
    mark_once(steps, from);
    if (marked() == before) break;
  }
}

}  // namespace

std::vector<HealStep> heal(const catalog::SchemaModel& from, const catalog::SchemaModel& to,
                           const HealOptions& /*options: every step is returned, marked*/) {
  // Renamed tables and columns are renamed first; the rest is healed from the renamed schema.
  auto renames = healing::apply_renames(from, to);
  healing::Plan plan(renames.from, to);
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
  auto steps = std::move(renames.steps);
  for (auto& step : plan.steps()) steps.push_back(std::move(step));
  mark_left_out(steps, renames.from);
  return steps;
}

namespace {

void write_commented(std::ostringstream& out, const std::string& sql) {
  for (const auto& line : util::split(sql, '\n')) out << "-- " << line << "\n";
}

void write_step(std::ostringstream& out, const HealStep& step, const HealOptions& options) {
  if (step.destructive && !options.allow_destructive) {
    out << "-- WARNING: destructive, not applied (use --allow-destructive): " << step.id.display()
        << "\n";
    write_commented(out, step.sql);
  } else if (!step.left_out_because.empty() && !options.allow_destructive) {
    out << "-- left out: " << step.id.display() << ": it depends on " << step.left_out_because
        << ", a destructive step that is not applied (use --allow-destructive)\n";
    write_commented(out, step.sql);
  } else if (step.destructive) {
    out << "-- destructive: " << step.id.display() << "\n"
        << "-- pgdrift:allow-destructive healing " << step.id.display()
        << " with pgdrift diff --allow-destructive\n"
        << step.sql << "\n";
  } else if (!step.caution.empty()) {
    out << "-- pgdrift:allow-destructive " << step.caution << "\n" << step.sql << "\n";
  } else {
    out << step.sql << "\n";
  }
}

}  // namespace

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
    out << "-- Destructive statements (drops, narrowing type changes, SET NOT NULL, …) are "
           "included: review them.\n";
  } else if (destructive > 0) {
    out << "-- Destructive statements (drops, narrowing type changes, SET NOT NULL, …) and what "
           "depends on them are\n"
           "-- commented out; review them and use --allow-destructive to include them.\n";
  }
  // Each statement waits at most 5 s for its lock, instead of queueing every other session behind
  // it (pgdrift's missing-lock-timeout rule); run the script again when one times out.
  out << "SET lock_timeout = '5s';\n";
  // As pg_dump does: routine bodies may name tables and views created further down.
  const bool routines = std::any_of(steps.begin(), steps.end(), [&](const HealStep& step) {
    return (step.id.kind == catalog::Kind::function || step.id.kind == catalog::Kind::procedure) &&
           (!step.destructive || options.allow_destructive);
  });
  if (routines) out << "SET check_function_bodies = false;\n";
  const auto count = [&](Section section) {
    return std::count_if(steps.begin(), steps.end(),
                         [&](const HealStep& step) { return step.section == section; });
  };
  const bool sections = count(Section::before) > 0 || count(Section::after) > 0;
  if (count(Section::before) > 0) {
    out << "\n-- Outside a transaction, first: new enum values (unusable in the transaction that "
           "adds them)\n-- and DROP INDEX CONCURRENTLY (which cannot run in one).\n";
    for (const auto& step : steps)
      if (step.section == Section::before) write_step(out, step, options);
  }
  if (count(Section::transaction) > 0) {
    out << "\n";
    if (sections) out << "BEGIN;\n";
    for (const auto& step : steps)
      if (step.section == Section::transaction) write_step(out, step, options);
    if (sections) out << "COMMIT;\n";
  }
  if (count(Section::after) > 0) {
    out << "\n-- Outside a transaction, after it: CREATE INDEX CONCURRENTLY (which cannot run in "
           "one; if it\n-- fails it leaves an INVALID index: drop it and run the statement "
           "again) and VALIDATE CONSTRAINT\n-- (which scans the table without blocking "
           "writes).\n";
    for (const auto& step : steps)
      if (step.section == Section::after) write_step(out, step, options);
  }
  return out.str();
}

}  // namespace pgdrift::diff
