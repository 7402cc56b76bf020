#pragma once

// Private to lint: where the static rules are listed. Each category file adds a fresh instance
// of each of its rules (one rule per file under lint/rules/), in README order.

#include "pgdrift/lint/lint.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {

void add_drop_and_rename_rules(RuleList& out);   // category_drops.cpp
void add_type_and_data_rules(RuleList& out);     // category_types.cpp
void add_constraint_and_lock_rules(RuleList& out);  // category_constraints.cpp
void add_robustness_rules(RuleList& out);        // category_robustness.cpp
void add_hygiene_rules(RuleList& out);           // category_hygiene.cpp

}  // namespace pgdrift::lint::rules

