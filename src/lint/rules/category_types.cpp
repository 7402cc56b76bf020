#include "registry.hpp"

namespace pgdrift::lint::rules {

void add_type_and_data_rules(RuleList& out) {
  (void)out;
}

}  // namespace pgdrift::lint::rules
