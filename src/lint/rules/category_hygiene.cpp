#include "registry.hpp"

namespace pgdrift::lint::rules {

void add_hygiene_rules(RuleList& out) {
  (void)out;
}

}  // namespace pgdrift::lint::rules
