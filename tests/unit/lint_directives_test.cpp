#include <gtest/gtest.h>

#include <algorithm>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

// The findings these tests are about (other rules, e.g. missing-lock-timeout, also fire on
// DROP TABLE) as "rule line:col severity".
std::vector<std::string> summary(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    if (f.rule == "lint/missing-lock-timeout" || f.rule == "lint/missing-statement-timeout") continue;
    out.push_back(f.rule + " " + std::to_string(f.location ? f.location->line : 0) + ":" +
                  std::to_string(f.location ? f.location->column : 0) + " " + std::string(to_string(f.severity)));
  }
  return out;
}

// Lints `sql` as one migration and applies its directives.
std::vector<Finding> lint_with_directives(const std::string& sql, const lint::AllowDestructive& allow = {},
                                          std::vector<Finding> extra = {}) {
  const auto migration = lint_migration(sql);
  auto findings = lint::check(migration, lint::Options{});
  findings.insert(findings.end(), extra.begin(), extra.end());
  lint::apply_directives(findings, {migration}, allow);
  return findings;
}

// What the destructive guard would report for a dropped table at `line`.
Finding destructive_at(int line) {
  Finding f;
  f.rule = "destructive/drop-table";
  f.severity = Severity::error;
  f.message = "table public.users was dropped: its rows are gone";
  f.location = Location{"V1__test.sql", line, 1, 0, 0};
  return f;
}

TEST(LintDirectives, IgnoreAppliesToTheWholeNextStatementOnly) {
  const auto found = lint_with_directives(
      "-- pgdrift:ignore drop-table the table moved to the archive database in v41\n"
      "DROP TABLE\n"
      "  users;\n"
      "DROP TABLE orders;\n");
  EXPECT_EQ(summary(found), (std::vector<std::string>{"lint/drop-table 4:1 error"}));
}

TEST(LintDirectives, IgnoreWithPrefixAndSeveralRules) {
  const auto found = lint_with_directives(
      "SELECT 1;\n"
      "DROP TABLE users; -- pgdrift:ignore lint/drop-table, drop-column scratch tables\n"
      "DROP TABLE orders;\n");
  // A trailing comment belongs to the statement after it, not the one it follows.
  EXPECT_EQ(summary(found), (std::vector<std::string>{"lint/drop-table 2:1 error"}));
}

TEST(LintDirectives, IgnoreFileAppliesEverywhere) {
  const auto found = lint_with_directives(
      "DROP TABLE users;\n"
      "-- pgdrift:ignore-file drop-table cleanup migration, tables unused since 2024\n"
      "DROP TABLE orders;\n");
  EXPECT_TRUE(summary(found).empty()) << ::testing::PrintToString(summary(found));
}

TEST(LintDirectives, UnknownRuleAndMissingReasonAreWarnings) {
  const auto found = lint_with_directives(
      "-- pgdrift:ignore drop-tabel because\n"
      "DROP TABLE users;\n"
      "  -- pgdrift:ignore drop-table\n"
      "DROP TABLE orders;\n"
      "-- pgdrift:ignroe drop-table typo\n");
  EXPECT_EQ(summary(found), (std::vector<std::string>{"lint/drop-table 2:1 error", "lint/unknown-rule 1:1 warning",
                                                       "lint/directive-without-reason 3:3 warning",
                                                       "lint/unknown-directive 5:1 warning"}));
  const auto unknown = std::find_if(found.begin(), found.end(), [](const Finding& f) { return f.rule == "lint/unknown-rule"; });
  ASSERT_NE(unknown, found.end());
  EXPECT_NE(unknown->message.find("'drop-tabel'"), std::string::npos) << unknown->message;
}

TEST(LintDirectives, AllowDestructiveTurnsDestructiveFindingsIntoNoticesWithTheReason) {
  const auto found = lint_with_directives(
      "-- pgdrift:allow-destructive users moved to the accounts service (ticket OPS-12)\n"
      "DROP TABLE users;\n",
      {}, {destructive_at(2)});
  ASSERT_EQ(summary(found), (std::vector<std::string>{"lint/drop-table 2:1 notice", "destructive/drop-table 2:1 notice"}));
  EXPECT_EQ(found.front().detail, found.back().detail);
  EXPECT_EQ(found.back().detail, "allowed: users moved to the accounts service (ticket OPS-12) (pgdrift:allow-destructive at line 1)");
}

// Below the first statement the directive is about the next statement only; above it, the file.
TEST(LintDirectives, AllowDestructiveForOneStatementOrTheWholeFile) {
  const std::string two_drops =
      "SET lock_timeout = '2s';\n"
      "-- pgdrift:allow-destructive archive moved to the warehouse (OPS-7)\n"
      "DROP TABLE orders_archive;\n"
      "DROP TABLE users;\n";
  auto found = lint_with_directives(two_drops, {}, {destructive_at(3), destructive_at(4)});
  EXPECT_EQ(summary(found), (std::vector<std::string>{"lint/drop-table 3:1 notice", "lint/drop-table 4:1 error",
                                                      "destructive/drop-table 3:1 notice",
                                                      "destructive/drop-table 4:1 error"}));
  const std::string file_wide =
      "-- pgdrift:allow-destructive both tables moved to the warehouse (OPS-7)\n"
      "SET lock_timeout = '2s';\n"
      "DROP TABLE orders_archive;\n"
      "DROP TABLE users;\n";
  found = lint_with_directives(file_wide, {}, {destructive_at(3), destructive_at(4)});
  EXPECT_EQ(summary(found), (std::vector<std::string>{"lint/drop-table 3:1 notice", "lint/drop-table 4:1 notice",
                                                      "destructive/drop-table 3:1 notice",
                                                      "destructive/drop-table 4:1 notice"}));
}

TEST(LintDirectives, DestructiveFindingsStayErrorsWithoutAnAllowance) {
  const auto found = lint_with_directives("SELECT 1;\n", {}, {destructive_at(1)});
  EXPECT_EQ(summary(found), (std::vector<std::string>{"destructive/drop-table 1:1 error"}));
}

TEST(LintDirectives, AllowDestructiveFromTheEnvironmentOrConfig) {
  lint::AllowDestructive by_env;
  by_env.reason = "PGDRIFT_ALLOW_DESTRUCTIVE=1 (a one-off)";
  auto found = lint_with_directives("SELECT 1;\n", by_env, {destructive_at(1)});
  ASSERT_EQ(summary(found), (std::vector<std::string>{"destructive/drop-table 1:1 notice"}));
  EXPECT_EQ(found.back().detail, "allowed: PGDRIFT_ALLOW_DESTRUCTIVE=1 (a one-off)");

  lint::AllowDestructive by_config;
  by_config.files["V1__*.sql"] = "legacy cleanup";
  found = lint_with_directives("SELECT 1;\n", by_config, {destructive_at(1)});
  ASSERT_EQ(summary(found), (std::vector<std::string>{"destructive/drop-table 1:1 notice"}));
  EXPECT_EQ(found.back().detail, "allowed: legacy cleanup (lint.allow_destructive in pgdrift.yml)");

  lint::AllowDestructive other_file;
  other_file.files["V2__*.sql"] = "legacy cleanup";
  found = lint_with_directives("SELECT 1;\n", other_file, {destructive_at(1)});
  EXPECT_EQ(summary(found), (std::vector<std::string>{"destructive/drop-table 1:1 error"}));
}

TEST(LintDirectives, ProseAfterTheMarkerIsNoDirective) {
  const auto found = lint_with_directives("-- pgdrift: this migration is checked in CI\nSELECT 1;\n");
  EXPECT_EQ(summary(found), std::vector<std::string>{});
}

TEST(LintDirectives, OnlyRealCommentsAreDirectives) {
  const auto found = lint_with_directives(
      "COMMENT ON TABLE users IS 'see -- pgdrift:ignore drop-table in the runbook';\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n"
      "  -- pgdrift:ignore-file drop-table inside a function body\n"
      "  SELECT 1 $$;\n"
      "DROP TABLE users; /* -- pgdrift:ignore drop-table in a block comment */\n"
      "DROP TABLE orders;\n");
  EXPECT_EQ(summary(found), (std::vector<std::string>{"lint/drop-table 5:1 error", "lint/drop-table 6:1 error"}));
}

TEST(LintDirectives, AllowDestructiveLeavesLockRulesAlone) {
  const auto found = lint_with_directives(
      "-- pgdrift:allow-destructive the column is unused since v3\n"
      "ALTER TABLE users DROP COLUMN legacy;\n"
      "CREATE INDEX users_email_idx ON users (email);\n");
  EXPECT_EQ(summary(found), (std::vector<std::string>{"lint/drop-column 2:13 notice", "lint/non-concurrent-index 3:33 warning"}));
}

TEST(LintDirectives, StaticFindingsTheGuardConfirmedAreDroppedOnce) {
  std::vector<Finding> findings = lint_all("DROP TABLE users;\nDROP TABLE orders;\n");
  findings.push_back(destructive_at(1));
  lint::drop_static_duplicates(findings);
  EXPECT_EQ(summary(findings), (std::vector<std::string>{"lint/drop-table 2:1 error", "destructive/drop-table 1:1 error"}));
}

TEST(LintDirectives, FindingsOfOtherFilesAreUntouched) {
  Finding elsewhere = destructive_at(1);
  elsewhere.location->file = "V2__other.sql";
  const auto found = lint_with_directives("-- pgdrift:ignore-file destructive/drop-table fine here\nSELECT 1;\n", {},
                                          {elsewhere});
  EXPECT_EQ(summary(found), (std::vector<std::string>{"destructive/drop-table 1:1 error"}));
}

}  // namespace
}  // namespace pgdrift::test
