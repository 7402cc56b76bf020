#include "registry.hpp"

namespace pgdrift::lint::rules {

std::unique_ptr<Rule> make_prefer_bigint();
std::unique_ptr<Rule> make_prefer_identity();
std::unique_ptr<Rule> make_prefer_timestamptz();
std::unique_ptr<Rule> make_prefer_text();
std::unique_ptr<Rule> make_ban_char();

void add_hygiene_rules(RuleList& out) {
  out.push_back(make_prefer_bigint());
  out.push_back(make_prefer_identity());
  out.push_back(make_prefer_timestamptz());
  out.push_back(make_prefer_text());
  out.push_back(make_ban_char());
}

}  // namespace pgdrift::lint::rules
