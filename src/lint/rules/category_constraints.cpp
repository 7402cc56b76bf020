#include "registry.hpp"

namespace pgdrift::lint::rules {

std::unique_ptr<Rule> make_add_not_null();
std::unique_ptr<Rule> make_add_required_column();
std::unique_ptr<Rule> make_constraint_missing_not_valid();
std::unique_ptr<Rule> make_validate_in_same_transaction();
std::unique_ptr<Rule> make_add_unique_constraint();
std::unique_ptr<Rule> make_add_primary_key_to_existing_table();
std::unique_ptr<Rule> make_add_exclusion_constraint();
std::unique_ptr<Rule> make_non_concurrent_index();
std::unique_ptr<Rule> make_non_concurrent_drop_index();
std::unique_ptr<Rule> make_non_concurrent_reindex();
std::unique_ptr<Rule> make_non_concurrent_detach_partition();
std::unique_ptr<Rule> make_concurrently_in_transaction();
std::unique_ptr<Rule> make_vacuum_full_or_cluster();
std::unique_ptr<Rule> make_enum_add_value_in_transaction();
std::unique_ptr<Rule> make_domain_with_constraint();

void add_constraint_and_lock_rules(RuleList& out) {
  out.push_back(make_add_not_null());
  out.push_back(make_add_required_column());
  out.push_back(make_constraint_missing_not_valid());
  out.push_back(make_validate_in_same_transaction());
  out.push_back(make_add_unique_constraint());
  out.push_back(make_add_primary_key_to_existing_table());
  out.push_back(make_add_exclusion_constraint());
  out.push_back(make_non_concurrent_index());
  out.push_back(make_non_concurrent_drop_index());
  out.push_back(make_non_concurrent_reindex());
  out.push_back(make_non_concurrent_detach_partition());
  out.push_back(make_concurrently_in_transaction());
  out.push_back(make_vacuum_full_or_cluster());
  out.push_back(make_enum_add_value_in_transaction());
  out.push_back(make_domain_with_constraint());
}

}  // namespace pgdrift::lint::rules
