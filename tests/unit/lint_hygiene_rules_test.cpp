#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

TEST(LintHygieneRules, PreferBigint) {
  const std::vector<LintCase> cases = {
      {"CREATE TABLE users (id int PRIMARY KEY, name text);", {"1:24"}},
      {"CREATE TABLE t (\n  code smallint,\n  n integer,\n  PRIMARY KEY (code)\n);", {"2:8"}},
      {"ALTER TABLE users ADD COLUMN id serial;", {"1:33"}},
      {"ALTER TABLE users ALTER COLUMN id TYPE integer;", {"1:40"}},
      // Safe: bigint keys; integer columns that are not the key; a type of the user's schema.
      {"CREATE TABLE users (id bigint PRIMARY KEY);", {}},
      {"CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, age int);", {}},
      {"CREATE TABLE t (user_id int, count int);", {}},
      {"CREATE TABLE t (id app.int4);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("prefer-bigint", cases);

  const auto findings =
      of_rule(lint_all("CREATE TABLE tags (id smallint PRIMARY KEY);"), "prefer-bigint");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::notice);
  EXPECT_EQ(findings[0].object, "column tags.id");
  EXPECT_EQ(findings[0].message, "column tags.id is smallint: its ids run out at 32,767");
}

TEST(LintHygieneRules, PreferIdentity) {
  const std::vector<LintCase> cases = {
      {"CREATE TABLE users (id bigserial PRIMARY KEY);", {"1:24"}},
      {"ALTER TABLE t\n  ADD COLUMN n smallserial;", {"2:16"}},
      // Before PostgreSQL 10 there are no identity columns.
      {"CREATE TABLE users (id bigserial PRIMARY KEY);", {}, 90600},
      {"CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("prefer-identity", cases);

  // A serial key gets both pieces of advice (bigint, identity): they are different problems.
  const auto findings = lint_all("CREATE TABLE users (id serial PRIMARY KEY);");
  ASSERT_EQ(of_rule(findings, "prefer-identity").size(), 1u);
  ASSERT_EQ(of_rule(findings, "prefer-bigint").size(), 1u);
  EXPECT_EQ(of_rule(findings, "prefer-identity")[0].message,
            "column users.id is serial: an identity column does the same without a separately "
            "owned sequence");
}

TEST(LintHygieneRules, PreferTimestamptz) {
  const std::vector<LintCase> cases = {
      {"CREATE TABLE e (at timestamp);", {"1:20"}},
      {"CREATE TABLE e (at timestamp without time zone, b timestamptz, c timestamp with time "
       "zone);",
       {"1:20"}},
      {"ALTER TABLE e ALTER COLUMN at TYPE timestamp(3);", {"1:36"}},
      {"CREATE TABLE e (at timestamptz(3));", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("prefer-timestamptz", cases);
  const auto findings =
      of_rule(lint_all("CREATE TABLE e (at timestamp(3));"), "prefer-timestamptz");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "column e.at");
  EXPECT_EQ(findings[0].message,
            "column e.at is timestamp(3) (without time zone): it does not record which time zone "
            "its values are in");
}

TEST(LintHygieneRules, PreferText) {
  const std::vector<LintCase> cases = {
      {"CREATE TABLE u (email varchar(255));", {"1:23"}},
      {"CREATE TABLE u (email character varying(255), b varchar, c text);", {"1:23"}},
      {"ALTER TABLE u ADD COLUMN name varchar(50);", {"1:31"}},
      {"CREATE TABLE u (email text CHECK (char_length(email) <= 255));", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("prefer-text", cases);
  const auto findings = of_rule(lint_all("CREATE TABLE u (email varchar(255));"), "prefer-text");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "column u.email is varchar(255): its length limit can only be lowered by rewriting the "
            "table");
}

TEST(LintHygieneRules, BanChar) {
  const std::vector<LintCase> cases = {
      {"CREATE TABLE c (code char(2));", {"1:22"}},
      // "char" (quoted) is Postgres's one-byte type, not char(n).
      {"CREATE TABLE c (code character(2), b character, c \"char\", d varchar(2));",
       {"1:22", "1:38"}},
      {"ALTER TABLE c ALTER COLUMN code TYPE bpchar;", {"1:38"}},
      {"CREATE TABLE c (code text);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("ban-char", cases);
  const auto findings = of_rule(lint_all("CREATE TABLE c (code char(2));"), "ban-char");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "column c.code is char(2): values are padded with spaces to the full length");
}

}  // namespace
}  // namespace pgdrift::test
