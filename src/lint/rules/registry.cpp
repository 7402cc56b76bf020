#include "registry.hpp"

#include "pgdrift/lint/lint.hpp"

namespace pgdrift::lint {
namespace {

// The linter's own findings about the migrations and their directives.
std::vector<RuleInfo> own_rule_infos() {
  return {
      {"syntax-error", Severity::error, "linter",
       "the statement does not parse, so Postgres would reject it and nothing after it is checked",
       "fix the statement"},
      {"unknown-rule", Severity::warning, "linter",
       "a `-- pgdrift:ignore` directive names a rule pgdrift does not have, so it suppresses nothing",
       "use an id from the README's rule list (`pgdrift lint --list-rules`)"},
      {"directive-without-reason", Severity::warning, "linter",
       "a suppression without a reason leaves reviewers guessing why the danger is acceptable",
       "write the reason after the rule ids: `-- pgdrift:ignore drop-column column unused since v42`"},
      {"unknown-directive", Severity::warning, "linter",
       "a `-- pgdrift:` comment pgdrift does not understand (a typo?) has no effect",
       "use pgdrift:ignore, pgdrift:ignore-file or pgdrift:allow-destructive"},
  };
}

}  // namespace

std::vector<std::unique_ptr<Rule>> make_rules() {
  rules::RuleList out;
  rules::add_drop_and_rename_rules(out);
  rules::add_type_and_data_rules(out);
  rules::add_constraint_and_lock_rules(out);
  rules::add_robustness_rules(out);
  rules::add_hygiene_rules(out);
  return out;
}

const std::vector<RuleInfo>& all_rules() {
  static const std::vector<RuleInfo> k_all = [] {
    std::vector<RuleInfo> out;
    for (const auto& rule : make_rules()) out.push_back(rule->info());
    for (auto& info : dynamic_rule_infos()) out.push_back(std::move(info));
    for (auto& info : destructive_rule_infos()) out.push_back(std::move(info));
    for (auto& info : own_rule_infos()) out.push_back(std::move(info));
    return out;
  }();
  return k_all;
}

const RuleInfo* find_rule(std::string_view id) {
  if (id.substr(0, 5) == "lint/") id.remove_prefix(5);
  for (const auto& info : all_rules()) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

}  // namespace pgdrift::lint
