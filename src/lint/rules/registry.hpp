#pragma once

// Private to lint: where the static rules are listed. Each category file adds a fresh instance
// of each of its rules (one rule per file under lint/rules/), in README order.

#include "support.hpp"

namespace pgdrift::lint::rules {

void add_drop_and_rename_rules(RuleList& out);   // category_drops.cpp
void add_type_and_data_rules(RuleList& out);     // category_types.cpp
void add_constraint_and_lock_rules(RuleList& out);  // category_constraints.cpp
void add_robustness_rules(RuleList& out);        // category_robustness.cpp
void add_hygiene_rules(RuleList& out);           // category_hygiene.cpp

}  // namespace pgdrift::lint::rules

namespace pgdrift::lint {

// Infos of the rules the replay observers report (dynamic tracing, destructive guard).
std::vector<RuleInfo> dynamic_rule_infos();      // trace.cpp
std::vector<RuleInfo> destructive_rule_infos();  // guard.cpp

}  // namespace pgdrift::lint
