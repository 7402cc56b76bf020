#include "registry.hpp"

namespace pgdrift::lint::rules {

std::unique_ptr<Rule> make_drop_table();

void add_drop_and_rename_rules(RuleList& out) {
  out.push_back(make_drop_table());
}

}  // namespace pgdrift::lint::rules
