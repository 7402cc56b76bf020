// Reading a framework's statements back from a csvlog and cutting them into its migrations.
#include <gtest/gtest.h>

#include "pgdrift/replay/capture.hpp"

namespace pgdrift::replay {
namespace {

// A csvlog row (PostgreSQL 15 columns) for database `db`, session `session`.
std::string row(const std::string& db, const std::string& session, const std::string& severity,
                const std::string& message, const std::string& detail = "", const std::string& app = "") {
  const auto quote = [](const std::string& s) {
    std::string out = "\"";
    for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  return "2026-01-01 00:00:00.000 UTC,\"postgres\"," + quote(db) + ",1,\"[local]\"," + session +
         ",1,\"idle\",2026-01-01 00:00:00 UTC,3/1,0," + severity + ",00000," + quote(message) + "," +
         (detail.empty() ? "" : quote(detail)) + ",,,,,,,," + quote(app) + ",\"client backend\",,0\n";
}

std::vector<std::string> texts(const std::vector<CapturedStatement>& statements) {
  std::vector<std::string> out;
  for (const auto& s : statements) out.push_back(s.text);
  return out;
}

TEST(CaptureTest, ReadsStatementsOfOneDatabaseWithParametersBound) {
  const std::string csv =
      row("app", "s1", "LOG", "statement: CREATE TABLE t (\n  a \"text\"\n)") +
      row("other", "s2", "LOG", "statement: DROP TABLE x") +
      row("app", "s1", "LOG", "execute <unnamed>: insert into \"knex_migrations\" (\"name\", \"batch\") values ($1, $2)",
          "parameters: $1 = 'it''s.js', $2 = '1'") +
      row("app", "s1", "LOG", "statement: SELECT 1/0") + row("app", "s1", "ERROR", "division by zero") +
      row("app", "s3", "LOG", "statement: SELECT 'marker'", "", "pgdrift-capture");
  const auto statements = read_statement_log(csv, "app", "pgdrift-capture");
  EXPECT_EQ(texts(statements),
            (std::vector<std::string>{"CREATE TABLE t (\n  a \"text\"\n)",
                                      "insert into \"knex_migrations\" (\"name\", \"batch\") values ('it''s.js', '1')"}));
  EXPECT_EQ(statements[1].ordinal, 2u);
}

TEST(CaptureTest, BindsParametersOutsideQuotesOnly) {
  EXPECT_EQ(bind_parameters("SELECT $1, '$1', \"$1\", $10 -- $1\n, $2", {{1, "'a'"}, {10, "NULL"}, {2, "'b'"}}),
            "SELECT 'a', '$1', \"$1\", NULL -- $1\n, 'b'");
}

TEST(CaptureTest, LeavesOutTransactionControlAndWhatWasRolledBack) {
  const std::vector<CapturedStatement> in = {
      {1, "s", "BEGIN"},           {2, "s", "CREATE TABLE a ()"}, {3, "s", "SAVEPOINT p"},
      {4, "s", "CREATE TABLE b ()"}, {5, "s", "ROLLBACK TO SAVEPOINT p"}, {6, "s", "COMMIT"},
      {7, "s", "BEGIN"},           {8, "s", "CREATE TABLE c ()"}, {9, "s", "ROLLBACK"},
      {10, "s", "CREATE TABLE d ()"}};
  const auto kept = committed_statements(in);
  EXPECT_EQ(texts(kept), (std::vector<std::string>{"CREATE TABLE a ()", "CREATE TABLE d ()"}));
  EXPECT_EQ(kept[1].ordinal, 10u);
}

TEST(CaptureTest, CutsAlembicStatementsAtItsVersionWrites) {
  const std::vector<CapturedStatement> in = {
      {1, "s", "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"},
      {2, "s", "CREATE TABLE users (id int)"},
      {3, "s", "INSERT INTO alembic_version (version_num) VALUES ('1a2b') RETURNING alembic_version.version_num"},
      {4, "s", "ALTER TABLE users DROP COLUMN nickname"},
      {5, "s", "UPDATE alembic_version SET version_num='9f8e' WHERE alembic_version.version_num = '1a2b'"},
      {6, "s", "SELECT 1"}};
  const auto capture = group_by_migration(in, 8);
  EXPECT_EQ(capture.tool, "alembic");
  ASSERT_EQ(capture.migrations.size(), 2u);
  EXPECT_EQ(capture.migrations[0].display_path, "alembic:1a2b");
  EXPECT_EQ(capture.migrations[1].version, "9f8e");
  // The trailing read joins the last migration.
  EXPECT_NE(capture.migrations[1].source.find("SELECT 1"), std::string::npos);
  EXPECT_EQ(capture.migrations[1].source,
            "-- statement 4\nALTER TABLE users DROP COLUMN nickname\n;\n\n-- statement 5\nUPDATE alembic_version SET "
            "version_num='9f8e' WHERE alembic_version.version_num = '1a2b'\n;\n\n-- statement 6\nSELECT 1\n;\n\n");
  const auto* at = statement_at(capture, "alembic:9f8e", 2);
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(at->ordinal, 4u);
}

TEST(CaptureTest, DjangoKnexAndUnrecordedWork) {
  const auto django = group_by_migration(
      {{1, "s", "ALTER TABLE t ADD COLUMN c int"},
       {2, "s", "INSERT INTO \"django_migrations\" (\"app\", \"name\", \"applied\") VALUES ('shop', '0002_c', now())"}},
      2);
  ASSERT_EQ(django.migrations.size(), 1u);
  EXPECT_EQ(django.migrations[0].display_path, "django:shop.0002_c");

  const auto knex = group_by_migration(
      {{1, "s", "create table t (a int)"},
       {2, "s", "insert into \"knex_migrations\" (\"batch\", \"migration_time\", \"name\") values ('1', now(), '20240101_t.js')"},
       {3, "s", "drop table t"}},
      3);
  ASSERT_EQ(knex.migrations.size(), 2u);
  EXPECT_EQ(knex.migrations[0].display_path, "knex:20240101_t.js");
  EXPECT_EQ(knex.migrations[1].display_path, "knex:(after the last recorded migration)");

  const auto unknown = group_by_migration({{1, "s", "create table t (a int)"}}, 1);
  EXPECT_EQ(unknown.tool, "");
  ASSERT_EQ(unknown.migrations.size(), 1u);
  EXPECT_EQ(unknown.migrations[0].display_path, "framework:(no migration recorded)");
}

}  // namespace
}  // namespace pgdrift::replay
