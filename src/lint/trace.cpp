#include "rules/registry.hpp"

namespace pgdrift::lint {

std::vector<RuleInfo> dynamic_rule_infos() { return {}; }

}  // namespace pgdrift::lint
