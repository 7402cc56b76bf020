#include "registry.hpp"

namespace pgdrift::lint::rules {

std::unique_ptr<Rule> make_drop_table();
std::unique_ptr<Rule> make_drop_column();
std::unique_ptr<Rule> make_drop_schema();
std::unique_ptr<Rule> make_drop_database();
std::unique_ptr<Rule> make_truncate();
std::unique_ptr<Rule> make_truncate_cascade();
std::unique_ptr<Rule> make_rename_table();
std::unique_ptr<Rule> make_rename_column();
std::unique_ptr<Rule> make_drop_not_null();
std::unique_ptr<Rule> make_drop_foreign_key();

void add_drop_and_rename_rules(RuleList& out) {
  out.push_back(make_drop_table());
  out.push_back(make_drop_column());
  out.push_back(make_drop_schema());
  out.push_back(make_drop_database());
  out.push_back(make_truncate());
  out.push_back(make_truncate_cascade());
  out.push_back(make_rename_table());
  out.push_back(make_rename_column());
  out.push_back(make_drop_not_null());
  out.push_back(make_drop_foreign_key());
}

}  // namespace pgdrift::lint::rules
