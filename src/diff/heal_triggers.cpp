// Triggers (a changed definition is dropped and created again; ENABLE/DISABLE in place) and
// row-level-security policies (ALTER POLICY for roles and expressions; drop and create for a
// changed command or kind, or a removed expression).

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"

namespace pgdrift::diff::healing {

namespace {

using catalog::quote_name;

std::string enable_trigger(const ObjectId& id, const std::string& enabled) {
  std::string action = "ENABLE";
  if (enabled == "disabled") action = "DISABLE";
  if (enabled == "replica") action = "ENABLE REPLICA";
  if (enabled == "always") action = "ENABLE ALWAYS";
  return "ALTER TABLE " + owner_name(id) + " " + action + " TRIGGER " + quote_name(id.name) + ";";
}

void create_trigger(Plan& plan, const ObjectId& id, const Properties& to, bool destructive) {
  plan.add(Phase::triggers, id, without_semicolon(value(to, "definition")) + ";", destructive);
  if (value(to, "enabled") != "origin" && get(to, "enabled") != nullptr) {
    plan.add(Phase::triggers, id, enable_trigger(id, value(to, "enabled")), destructive);
  }
  heal_metadata(plan, Phase::triggers, id, nullptr, to, destructive);
}

void create_policy(Plan& plan, const ObjectId& id, const Properties& to, bool destructive) {
  std::string sql = "CREATE POLICY " + quote_name(id.name) + " ON " + owner_name(id);
  if (value(to, "permissive") == "false") sql += " AS RESTRICTIVE";
  if (const auto* command = get(to, "command")) sql += " FOR " + *command;
  if (const auto* roles = get(to, "roles")) sql += " TO " + *roles;
  if (const auto* expr = get(to, "using")) sql += " USING " + parenthesized(*expr);
  if (const auto* expr = get(to, "with_check")) sql += " WITH CHECK " + parenthesized(*expr);
  plan.add(Phase::policies, id, sql + ";", destructive);
  heal_metadata(plan, Phase::policies, id, nullptr, to, destructive);
}

}  // namespace

void heal_triggers(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::trigger) continue;
    const Properties* from = plan.in_from(id);
    if (plan.owner_created(id) || from == nullptr) {
      create_trigger(plan, id, to, plan.owner_recreated(id));
    } else if (plan.rebuilt(id)) {
      // Dropped only to come back as it was (around a change of what it uses): nothing is lost.
      const bool changed = *from != to;
      plan.add(Phase::drop_triggers, id,
               "DROP TRIGGER " + quote_name(id.name) + " ON " + owner_name(id) + ";", changed);
      create_trigger(plan, id, to, changed);
    } else {
      if (!same(from, to, "enabled"))
        plan.add(Phase::triggers, id, enable_trigger(id, value(to, "enabled")), false);
      heal_metadata(plan, Phase::triggers, id, from, to);
    }
  }
  for (const auto& [id, from] : plan.from().objects) {
    if (id.kind != Kind::trigger || plan.in_to(id) != nullptr || plan.owner_dropped(id)) continue;
    plan.add(Phase::drop_triggers, id,
             "DROP TRIGGER " + quote_name(id.name) + " ON " + owner_name(id) + ";", true);
  }
}

void heal_policies(Plan& plan) {
  for (const auto& [id, to] : plan.to().objects) {
    if (id.kind != Kind::policy) continue;
    const Properties* from = plan.in_from(id);
    if (plan.owner_created(id) || from == nullptr) {
      create_policy(plan, id, to, plan.owner_recreated(id));
    } else if (plan.rebuilt(id)) {
      const bool changed = *from != to;
      plan.add(Phase::drop_policies, id,
               "DROP POLICY " + quote_name(id.name) + " ON " + owner_name(id) + ";", changed);
      create_policy(plan, id, to, changed);
    } else {
      std::string changes;
      if (!same(from, to, "roles") && get(to, "roles") != nullptr)
        changes += " TO " + value(to, "roles");
      if (!same(from, to, "using") && get(to, "using") != nullptr)
        changes += " USING " + parenthesized(value(to, "using"));
      if (!same(from, to, "with_check") && get(to, "with_check") != nullptr) {
        changes += " WITH CHECK " + parenthesized(value(to, "with_check"));
      }
      if (!changes.empty()) {
        plan.add(Phase::policies, id,
                 "ALTER POLICY " + quote_name(id.name) + " ON " + owner_name(id) + changes + ";",
                 false);
      }
      heal_metadata(plan, Phase::policies, id, from, to);
    }
  }
  for (const auto& [id, from] : plan.from().objects) {
    if (id.kind != Kind::policy || plan.in_to(id) != nullptr || plan.owner_dropped(id)) continue;
    plan.add(Phase::drop_policies, id,
             "DROP POLICY " + quote_name(id.name) + " ON " + owner_name(id) + ";", true);
  }
}

}  // namespace pgdrift::diff::healing
