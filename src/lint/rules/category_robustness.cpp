#include "registry.hpp"

namespace pgdrift::lint::rules {

void add_robustness_rules(RuleList& out) {
  (void)out;
}

}  // namespace pgdrift::lint::rules
