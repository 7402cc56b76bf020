// sql::blank_psql_commands: what psql consumes itself in a schema dump (meta-commands, COPY data)
// is blanked in place, so offsets and lines of the SQL around it stay.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgdrift/sql/statement.hpp"

namespace pgdrift::sql {
namespace {

std::string blanked(const std::string& text, std::vector<MetaCommand>* unsupported = nullptr) {
  std::vector<MetaCommand> found;
  const auto out = blank_psql_commands(text, found);
  EXPECT_EQ(out.size(), text.size()) << "blanking keeps the length";
  if (unsupported) *unsupported = found;
  return out;
}

TEST(PsqlCommands, RestrictLinesOfTodaysPgDumpAreBlanked) {
  const std::string dump =
      "--\n-- PostgreSQL database dump\n--\n\n\\restrict ShTbFc0zUK27bvtTDDk\n\nSET statement_timeout = 0;\n"
      "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public.t (id int);\n"
      "\\unrestrict ShTbFc0zUK27bvtTDDk\n";
  std::vector<MetaCommand> unsupported;
  const auto out = blanked(dump, &unsupported);
  EXPECT_TRUE(unsupported.empty());
  EXPECT_EQ(out.find("restrict"), std::string::npos);
  EXPECT_EQ(out.find('\\'), std::string::npos);
  // Everything else is where it was.
  EXPECT_EQ(out.find("SET statement_timeout"), dump.find("SET statement_timeout"));
  EXPECT_EQ(out.find("CREATE TABLE public.t"), dump.find("CREATE TABLE public.t"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), std::count(dump.begin(), dump.end(), '\n'));
  EXPECT_EQ(split(out).size(), 3u);
}

TEST(PsqlCommands, CopyFromStdinAndItsDataAreBlankedOtherCopiesStay) {
  const std::string dump =
      "CREATE TABLE public.users (id int, name text);\n"
      "COPY public.users (id, name) FROM stdin;\n1\tAda\n2\tGrace \\\\ Hopper; DROP TABLE x;\n\\.\r\n"
      "ALTER TABLE public.users ADD PRIMARY KEY (id);\n"
      "copy public.users to stdout;\n";
  const auto out = blanked(dump);
  EXPECT_EQ(out.find("Grace"), std::string::npos);
  EXPECT_EQ(out.find("FROM stdin"), std::string::npos);
  EXPECT_EQ(out.find("DROP TABLE"), std::string::npos) << "data is data, never SQL";
  EXPECT_NE(out.find("ALTER TABLE public.users ADD PRIMARY KEY"), std::string::npos);
  EXPECT_NE(out.find("copy public.users to stdout"), std::string::npos);
  const auto statements = split(out);
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[1].node, "AlterTableStmt");
}

TEST(PsqlCommands, BackslashesInStringsBodiesAndCommentsAreSql) {
  const std::string sql =
      "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT E'a\\\\b' $$;\n"
      "-- \\connect other\n"
      "COMMENT ON TABLE t IS 'back\\\\slash';\n";
  std::vector<MetaCommand> unsupported;
  EXPECT_EQ(blanked(sql, &unsupported), sql);
  EXPECT_TRUE(unsupported.empty());
}

TEST(PsqlCommands, CommandsThatChangeWhatIsLoadedAreReported) {
  const std::string dump = "CREATE DATABASE app;\n\\connect app\nCREATE TABLE t (id int);\n\\i more.sql\n";
  std::vector<MetaCommand> unsupported;
  const auto out = blanked(dump, &unsupported);
  ASSERT_EQ(unsupported.size(), 2u);
  EXPECT_EQ(unsupported[0].name, "connect");
  EXPECT_EQ(unsupported[0].offset, dump.find("\\connect"));
  EXPECT_EQ(unsupported[1].name, "i");
}

}  // namespace
}  // namespace pgdrift::sql
