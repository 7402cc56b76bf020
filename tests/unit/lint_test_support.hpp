#pragma once

// Shared by the lint rule tests: lint one SQL text as a plain migration and keep one rule's
// findings as compact "line:column" strings.

#include <string>
#include <vector>

#include "pgdrift/lint/lint.hpp"

namespace pgdrift::test {

// One row of a rule's table: SQL, the PostgreSQL version to lint for, and where the rule must
// report ("line:col" per finding, in order; empty = the rule must stay silent).
struct LintCase {
  std::string sql;
  std::vector<std::string> expected;
  int pg_version_num = 150000;
  bool no_transaction = false;  // the file opts out of the wrapping transaction
};

inline migrations::Migration lint_migration(const std::string& sql, bool no_transaction = false) {
  migrations::Migration m;
  m.version = "1";
  m.name = "test";
  m.path = "V1__test.sql";
  m.display_path = "V1__test.sql";
  m.source = sql;
  m.up_sql = sql;
  m.no_transaction = no_transaction;
  if (no_transaction) m.transaction_reason = "test";
  return m;
}

// All findings of linting `sql`.
inline std::vector<Finding> lint_all(const std::string& sql, int pg_version_num = 150000, bool no_transaction = false) {
  lint::Options options;
  options.pg_version_num = pg_version_num;
  return lint::check(lint_migration(sql, no_transaction), options);
}

// "line:col" of each finding of `rule` ("drop-table") when linting the case.
inline std::vector<std::string> lint_positions(const std::string& rule, const LintCase& c) {
  std::vector<std::string> out;
  for (const auto& f : lint_all(c.sql, c.pg_version_num, c.no_transaction)) {
    if (f.rule != lint::finding_rule(rule) || !f.location) continue;
    out.push_back(std::to_string(f.location->line) + ":" + std::to_string(f.location->column));
  }
  return out;
}

// Checks every case of a rule's table; failures name the case's SQL.
#define PGDRIFT_EXPECT_LINT_CASES(rule, cases)                                         \
  for (const auto& lint_case : (cases)) {                                              \
    EXPECT_EQ(::pgdrift::test::lint_positions((rule), lint_case), lint_case.expected)  \
        << "rule " << (rule) << ", PG " << lint_case.pg_version_num << ", SQL:\n"       \
        << lint_case.sql;                                                              \
  }

}  // namespace pgdrift::test
