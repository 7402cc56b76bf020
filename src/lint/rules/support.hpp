#pragma once

// Private to lint/rules: what most rules share.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pgdrift/lint/rule.hpp"

namespace pgdrift::lint::rules {

using RuleList = std::vector<std::unique_ptr<Rule>>;

// A rule whose info is fixed at construction.
class BasicRule : public Rule {
 public:
  explicit BasicRule(RuleInfo info) : m_info(std::move(info)) {}
  const RuleInfo& info() const override { return m_info; }

 private:
  RuleInfo m_info;
};

// The AlterTableCmd nodes of an `ALTER TABLE` statement (not ALTER INDEX/VIEW/…); empty for
// any other statement.
std::vector<sql::Node> alter_table_commands(const sql::Node& tree);

// The best offset to report `node` at: its own location, else the first location inside it,
// else the statement's start.
std::size_t offset_of(const sql::Node& node, const StatementView& statement);

// "table users", "table app.users".
std::string table_object(const sql::Node& range_var);

// "users.email" style column object: "column users.email".
std::string column_object(const sql::Node& range_var, const std::string& column);

// Postgres's internal type names shown the way users write them: int4 → integer, int8 → bigint,
// bpchar → char, varchar → varchar, timestamptz → timestamptz, …; modifiers and [] kept.
std::string display_type(const sql::Node& type_name_node);

}  // namespace pgdrift::lint::rules
