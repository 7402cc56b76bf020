#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

constexpr int k_pg10 = 100000;
constexpr int k_pg11 = 110000;

// The message of the one finding of `rule`; "" (and a test failure) when there is not exactly one.
std::string only_message(const std::string& rule, const std::string& sql,
                         int pg_version_num = 150000) {
  const auto findings = findings_of(rule, sql, pg_version_num);
  EXPECT_EQ(findings.size(), 1u) << rule << " on:\n" << sql;
  return findings.size() == 1 ? findings[0].message : "";
}

TEST(LintTypeRules, ChangeColumnType) {
  const std::vector<LintCase> cases = {
      // The old type is unknown (set by an earlier migration): reported at the new type.
      {"ALTER TABLE users ALTER COLUMN id TYPE bigint;", {"1:40"}},
      {"ALTER TABLE users ALTER COLUMN bio TYPE text;", {"1:41"}},
      {"ALTER TABLE users\n"
       "  ALTER COLUMN id SET DATA TYPE bigint,\n"
       "  ALTER COLUMN total TYPE numeric(12,2);",
       {"2:33", "3:27"}},
      // The old type is known from the same file: a rewrite…
      {"ALTER TABLE users ADD COLUMN n int;\n"
       "ALTER TABLE users ALTER COLUMN n TYPE bigint;",
       {"2:39"}},
      {"ALTER TABLE events ADD COLUMN at timestamp;\n"
       "ALTER TABLE events ALTER COLUMN at TYPE timestamptz;",
       {"2:41"}},
      // …or binary-coercible, which is safe: widening a varchar, varchar → text, more numeric
      // precision, cidr → inet (the first statement of the chain is reported: old type unknown).
      {"ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n"
       "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);",
       {"1:42"}},
      {"ALTER TABLE users ADD COLUMN nick varchar(20);\n"
       "ALTER TABLE users ALTER COLUMN nick TYPE varchar(40);",
       {}},
      {"ALTER TABLE users ADD COLUMN nick varchar(20);\n"
       "ALTER TABLE users ALTER COLUMN nick TYPE text;",
       {}},
      {"ALTER TABLE users ADD COLUMN nick varchar(20);\n"
       "ALTER TABLE users ALTER COLUMN nick TYPE varchar;",
       {}},
      {"ALTER TABLE t ADD COLUMN p numeric(10,2);\n"
       "ALTER TABLE t ALTER COLUMN p TYPE numeric(12,2);",
       {}},
      {"ALTER TABLE t ADD COLUMN p numeric(10,2);\n"
       "ALTER TABLE t ALTER COLUMN p TYPE numeric;",
       {}},
      {"ALTER TABLE t ADD COLUMN a cidr;\n"
       "ALTER TABLE t ALTER COLUMN a TYPE inet;",
       {}},
      // A USING expression that computes new values always rewrites.
      {"ALTER TABLE users ADD COLUMN nick varchar(20);\n"
       "ALTER TABLE users ALTER COLUMN nick TYPE text USING lower(nick);",
       {"2:42"}},
      {"ALTER TABLE users ADD COLUMN nick varchar(20);\n"
       "ALTER TABLE users ALTER COLUMN nick TYPE text USING nick::text;",
       {}},
      // Narrowing is narrowing-type's alone (also any change to char(n)).
      {"ALTER TABLE users ADD COLUMN code text;\n"
       "ALTER TABLE users ALTER COLUMN code TYPE varchar(5);",
       {}},
      {"ALTER TABLE users ALTER COLUMN country TYPE char(2);", {}},
      // A table created earlier in the same migration is empty: nothing to rewrite.
      {"CREATE TABLE t (id int);\n"
       "ALTER TABLE t ALTER COLUMN id TYPE bigint;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("change-column-type", cases);

  EXPECT_EQ(only_message("change-column-type", "ALTER TABLE users ALTER COLUMN id TYPE bigint;"),
            "ALTER COLUMN id TYPE bigint rewrites table users and all its indexes under an ACCESS "
            "EXCLUSIVE lock");
  EXPECT_EQ(only_message("change-column-type", "ALTER TABLE users ALTER COLUMN bio TYPE text;"),
            "ALTER COLUMN bio TYPE text rewrites table users and all its indexes under an ACCESS "
            "EXCLUSIVE lock, unless the column is varchar already");
  EXPECT_EQ(
      only_message("change-column-type", "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);"),
      "ALTER COLUMN name TYPE varchar(100) rewrites table users and all its indexes under an "
      "ACCESS EXCLUSIVE lock, unless the column is a varchar of at most 100 characters");
  EXPECT_EQ(only_message("change-column-type",
                         "ALTER TABLE users ADD COLUMN n int;\n"
                         "ALTER TABLE users ALTER COLUMN n TYPE bigint;"),
            "ALTER COLUMN n TYPE bigint rewrites table users and all its indexes under an ACCESS "
            "EXCLUSIVE lock (integer to bigint)");
  EXPECT_EQ(only_message("change-column-type",
                         "ALTER TABLE users ALTER COLUMN bio TYPE text USING trim(bio);"),
            "ALTER COLUMN bio TYPE text rewrites table users and all its indexes under an ACCESS "
            "EXCLUSIVE lock; the USING expression computes every value anew");
  const auto findings =
      findings_of("change-column-type", "ALTER TABLE app.users ALTER COLUMN id TYPE bigint;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].object, "column app.users.id");
}

TEST(LintTypeRules, NarrowingType) {
  const std::vector<LintCase> cases = {
      // The old type is known from the same file.
      {"ALTER TABLE users ADD COLUMN code text;\n"
       "ALTER TABLE users ALTER COLUMN code TYPE varchar(5);",
       {"2:42"}},
      {"ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n"
       "  ALTER TABLE users ALTER COLUMN name TYPE varchar(50);",
       {"2:44"}},
      {"ALTER TABLE t ALTER COLUMN n TYPE bigint;\n"
       "ALTER TABLE t ALTER COLUMN n TYPE int;",
       {"2:35"}},
      {"ALTER TABLE t ALTER COLUMN p TYPE numeric(12,4);\n"
       "ALTER TABLE t ALTER COLUMN p TYPE numeric(12,2);",
       {"2:35"}},
      {"ALTER TABLE t ALTER COLUMN p TYPE numeric(12,2);\n"
       "ALTER TABLE t ALTER COLUMN p TYPE numeric(12,4);",
       {"2:35"}},
      {"ALTER TABLE t ALTER COLUMN f TYPE double precision;\n"
       "ALTER TABLE t ALTER COLUMN f TYPE real;",
       {"2:35"}},
      {"ALTER TABLE t ALTER COLUMN at TYPE timestamptz;\n"
       "ALTER TABLE t ALTER COLUMN at TYPE timestamp;",
       {"2:36"}},
      // char(n) cuts or pads whatever the old type was ("character" is char(1)).
      {"ALTER TABLE users ALTER COLUMN country TYPE char(2);", {"1:45"}},
      {"ALTER TABLE users\n"
       "    ALTER COLUMN country SET DATA TYPE character;",
       {"2:40"}},
      // Safe: widening, an unknown old type (change-column-type reports it), a table of this
      // migration.
      {"ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\n"
       "ALTER TABLE users ALTER COLUMN name TYPE varchar(200);",
       {}},
      {"ALTER TABLE t ALTER COLUMN n TYPE int;\n"
       "ALTER TABLE t ALTER COLUMN n TYPE bigint;",
       {}},
      {"ALTER TABLE t ALTER COLUMN p TYPE numeric(10,2);\n"
       "ALTER TABLE t ALTER COLUMN p TYPE numeric(12,2);",
       {}},
      {"ALTER TABLE users ALTER COLUMN name TYPE varchar(50);", {}},
      {"CREATE TABLE t (code text);\n"
       "ALTER TABLE t ALTER COLUMN code TYPE varchar(5);",
       {}},
      {"CREATE TABLE t (country text);\n"
       "ALTER TABLE t ALTER COLUMN country TYPE char(2);",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("narrowing-type", cases);

  const std::string narrowing =
      "ALTER TABLE users ADD COLUMN code text;\n"
      "ALTER TABLE users ALTER COLUMN code TYPE varchar(5);";
  EXPECT_EQ(only_message("narrowing-type", narrowing),
            "ALTER COLUMN code TYPE varchar(5) on table users may cut, round or reject existing "
            "values: the column was text");
  // Reported as narrowing only, not also as a type change.
  EXPECT_TRUE(findings_of("change-column-type", narrowing).empty());
  const auto findings =
      findings_of("narrowing-type", "ALTER TABLE users ALTER COLUMN country TYPE char(2);");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].object, "column users.country");
  EXPECT_EQ(findings[0].message,
            "ALTER COLUMN country TYPE char(2) on table users pads every value to 2 characters and "
            "fails on longer ones (an explicit cast cuts them)");
}

TEST(LintTypeRules, AddColumnVolatileDefault) {
  const std::string volatile_default =
      "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();";
  const std::string constant_default = "ALTER TABLE users ADD COLUMN active bool DEFAULT true;";
  const std::string stable_default =
      "ALTER TABLE users ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();";
  const std::string mixed =
      "ALTER TABLE users\n"
      "  ADD COLUMN a int DEFAULT 0,\n"
      "  ADD COLUMN b timestamptz DEFAULT clock_timestamp();";
  const std::vector<LintCase> cases = {
      // A volatile default rewrites on every version.
      {volatile_default, {"1:30"}, k_pg10},
      {volatile_default, {"1:30"}, k_pg11},
      {volatile_default, {"1:30"}},
      // A constant or stable default rewrites only before PostgreSQL 11.
      {constant_default, {"1:30"}, k_pg10},
      {constant_default, {}, k_pg11},
      {stable_default, {"1:30"}, k_pg10},
      {stable_default, {}, k_pg11},
      {"ALTER TABLE users ADD COLUMN day date DEFAULT CURRENT_DATE;", {}, k_pg11},
      {mixed, {"2:14", "3:14"}, k_pg10},
      {mixed, {"3:14"}, k_pg11},
      // An explicit nextval() and a function pgdrift does not know (reported "if volatile").
      {"ALTER TABLE users ADD COLUMN n bigint DEFAULT nextval('users_n_seq');", {"1:30"}},
      {"ALTER TABLE users ADD COLUMN code text DEFAULT make_code();", {"1:30"}},
      {"ALTER TABLE users ADD COLUMN code text DEFAULT upper(app.make_code(8));", {"1:30"}},
      // Safe: no default, a NULL default (also before 11), a table of this migration.
      {"ALTER TABLE users ADD COLUMN token uuid;", {}, k_pg10},
      {"ALTER TABLE users ADD COLUMN note text DEFAULT NULL;", {}, k_pg10},
      {"CREATE TABLE t (id int);\n"
       "ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();",
       {},
       k_pg10},
      {"CREATE TABLE t (id int);\n"
       "ALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();",
       {}},
      // Serial, identity and generated columns are other rules'.
      {"ALTER TABLE users ADD COLUMN id bigserial;", {}, k_pg10},
      {"ALTER TABLE users ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;", {}},
      {"ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS (a + 1) STORED;", {}, k_pg10},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-column-volatile-default", cases);

  EXPECT_EQ(only_message("add-column-volatile-default", volatile_default),
            "ADD COLUMN token with the volatile DEFAULT gen_random_uuid() rewrites table users "
            "under an ACCESS EXCLUSIVE lock to store a value in every row");
  EXPECT_EQ(only_message("add-column-volatile-default", constant_default, k_pg10),
            "ADD COLUMN active with a DEFAULT rewrites table users under an ACCESS EXCLUSIVE lock: "
            "before PostgreSQL 11 every non-NULL default is written into every row");
  EXPECT_EQ(only_message("add-column-volatile-default",
                         "ALTER TABLE users ADD COLUMN code text DEFAULT make_code();"),
            "ADD COLUMN code with DEFAULT make_code() rewrites table users under an ACCESS "
            "EXCLUSIVE lock if make_code is volatile");
  EXPECT_EQ(only_message("add-column-volatile-default",
                         "ALTER TABLE users ADD COLUMN code text DEFAULT upper(app.make_code(8));"),
            "ADD COLUMN code with DEFAULT app.make_code() rewrites table users under an ACCESS "
            "EXCLUSIVE lock if app.make_code is volatile");
  const auto findings = findings_of("add-column-volatile-default", volatile_default);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].object, "column users.token");
}

TEST(LintTypeRules, AddGeneratedStoredColumn) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;",
       {"1:31"}},
      {"SELECT 1;\n"
       "ALTER TABLE orders\n"
       "  ADD COLUMN a int,\n"
       "  ADD b int GENERATED ALWAYS AS (a * 2) STORED;",
       {"4:7"}},
      // Safe: a plain column; a table of this migration.
      {"ALTER TABLE orders ADD COLUMN total_cents bigint;", {}},
      {"CREATE TABLE t (a int);\n"
       "ALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;",
       {}},
      {"CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-generated-stored-column", cases);
  const auto findings = findings_of(
      "add-generated-stored-column",
      "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].object, "column orders.total_cents");
}

TEST(LintTypeRules, AddSerialColumnToExistingTable) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE users ADD COLUMN id bigserial;", {"1:30"}},
      {"ALTER TABLE users\n"
       "  ADD COLUMN n serial4,\n"
       "  ADD COLUMN m bigint GENERATED BY DEFAULT AS IDENTITY;",
       {"2:14", "3:14"}},
      {"ALTER TABLE users ADD COLUMN n smallserial;", {"1:30"}, k_pg10},
      // Safe: a plain bigint column, a table of this migration.
      {"ALTER TABLE users ADD COLUMN n bigint;", {}},
      {"CREATE TABLE t (a int);\n"
       "ALTER TABLE t ADD COLUMN id bigserial;",
       {}},
      {"CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-serial-column-to-existing-table", cases);
  EXPECT_EQ(only_message("add-serial-column-to-existing-table",
                         "ALTER TABLE users ADD COLUMN id bigserial;"),
            "ADD COLUMN id (bigserial) numbers every existing row of table users, rewriting it "
            "under an ACCESS EXCLUSIVE lock");
}

TEST(LintTypeRules, JsonColumn) {
  const std::vector<LintCase> cases = {
      // New tables too: the type is a design choice, not about existing data.
      {"CREATE TABLE events (id bigint, payload json);", {"1:41"}},
      {"CREATE TABLE events (\n"
       "  id bigint,\n"
       "  payload json,\n"
       "  tags json[]\n"
       ");",
       {"3:11", "4:8"}},
      {"ALTER TABLE events ADD COLUMN meta json, ALTER COLUMN payload TYPE pg_catalog.json;",
       {"1:36", "1:68"}},
      // Safe: jsonb.
      {"CREATE TABLE events (id bigint, payload jsonb);", {}},
      {"ALTER TABLE events ADD COLUMN meta jsonb, ALTER COLUMN payload TYPE jsonb;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("json-column", cases);
  const auto findings =
      findings_of("json-column", "CREATE TABLE events (id bigint, payload json);");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::notice);
  EXPECT_EQ(findings[0].object, "column events.payload");
  EXPECT_EQ(findings[0].message,
            "column events.payload is json: jsonb supports equality, indexing and faster access");
}

}  // namespace
}  // namespace pgdrift::test
