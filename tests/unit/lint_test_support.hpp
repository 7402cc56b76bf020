#pragma once

// Shared by the lint rule tests: lint one SQL text as a plain migration and keep one rule's
// findings, or their positions as compact "line:column" strings.

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

// All findings of linting `sql` as a migration run by `format`.
inline std::vector<Finding> lint_all(const std::string& sql, int pg_version_num = 150000, bool no_transaction = false,
                                     migrations::Format format = migrations::Format::plain) {
  lint::Options options;
  options.pg_version_num = pg_version_num;
  options.format = format;
  auto migration = lint_migration(sql, no_transaction);
  migrations::set_tool(format, migration);
  return lint::check(migration, options);
}

// The findings of `rule` ("drop-table") among `findings`.
inline std::vector<Finding> of_rule(const std::vector<Finding>& findings, const std::string& rule) {
  std::vector<Finding> out;
  for (const auto& f : findings) {
    if (f.rule == lint::finding_rule(rule)) out.push_back(f);
  }
  return out;
}

// The findings of `rule` when linting `sql` as a migration run by `format`.
inline std::vector<Finding> findings_of(const std::string& rule, const std::string& sql, int pg_version_num = 150000,
                                        migrations::Format format = migrations::Format::plain,
                                        bool no_transaction = false) {
  return of_rule(lint_all(sql, pg_version_num, no_transaction, format), rule);
}

// "line:col" of each finding that has a location.
inline std::vector<std::string> positions(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    if (f.location) out.push_back(std::to_string(f.location->line) + ":" + std::to_string(f.location->column));
  }
  return out;
}

// "line:col" of each finding of `rule` when linting `sql` as a migration run by `format`.
inline std::vector<std::string> positions_for(const std::string& rule, const std::string& sql,
                                              migrations::Format format, bool no_transaction = false) {
  return positions(findings_of(rule, sql, 150000, format, no_transaction));
}

// "line:col" of each finding of `rule` ("drop-table") when linting the case.
inline std::vector<std::string> lint_positions(const std::string& rule, const LintCase& c) {
  return positions(findings_of(rule, c.sql, c.pg_version_num, migrations::Format::plain, c.no_transaction));
}

// Checks every case of a rule's table; failures name the case's SQL.
#define PGDRIFT_EXPECT_LINT_CASES(rule, cases)                                         \
  for (const auto& lint_case : (cases)) {                                              \
    EXPECT_EQ(::pgdrift::test::lint_positions((rule), lint_case), lint_case.expected)  \
        << "rule " << (rule) << ", PG " << lint_case.pg_version_num << ", SQL:\n"       \
        << lint_case.sql;                                                              \
  }

}  // namespace pgdrift::test
