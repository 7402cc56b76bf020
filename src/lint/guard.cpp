#include "rules/registry.hpp"

namespace pgdrift::lint {

std::vector<RuleInfo> destructive_rule_infos() { return {}; }

}  // namespace pgdrift::lint
