#include "registry.hpp"

namespace pgdrift::lint::rules {

std::unique_ptr<Rule> make_change_column_type();
std::unique_ptr<Rule> make_narrowing_type();
std::unique_ptr<Rule> make_add_column_volatile_default();
std::unique_ptr<Rule> make_add_generated_stored_column();
std::unique_ptr<Rule> make_add_serial_column_to_existing_table();
std::unique_ptr<Rule> make_json_column();

void add_type_and_data_rules(RuleList& out) {
  out.push_back(make_change_column_type());
  out.push_back(make_narrowing_type());
  out.push_back(make_add_column_volatile_default());
  out.push_back(make_add_generated_stored_column());
  out.push_back(make_add_serial_column_to_existing_table());
  out.push_back(make_json_column());
}

}  // namespace pgdrift::lint::rules
