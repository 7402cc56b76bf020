#include "registry.hpp"

namespace pgdrift::lint::rules {

std::unique_ptr<Rule> make_missing_lock_timeout();
std::unique_ptr<Rule> make_missing_statement_timeout();
std::unique_ptr<Rule> make_transaction_nesting();
std::unique_ptr<Rule> make_uncommitted_transaction();
std::unique_ptr<Rule> make_prefer_robust_statements();
std::unique_ptr<Rule> make_identifier_too_long();

void add_robustness_rules(RuleList& out) {
  out.push_back(make_missing_lock_timeout());
  out.push_back(make_missing_statement_timeout());
  out.push_back(make_transaction_nesting());
  out.push_back(make_uncommitted_transaction());
  out.push_back(make_prefer_robust_statements());
  out.push_back(make_identifier_too_long());
}

}  // namespace pgdrift::lint::rules
