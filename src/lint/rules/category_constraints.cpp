#include "registry.hpp"

namespace pgdrift::lint::rules {

void add_constraint_and_lock_rules(RuleList& out) {
  (void)out;
}

}  // namespace pgdrift::lint::rules
