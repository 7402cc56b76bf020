// `pgdrift lint` and the lint half of `verify` beyond the golden cases: the README's rule table
// is what the binary knows; JUnit shows one test case per lint rule and file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

std::string readme_rule_table() {
  std::ifstream in(std::filesystem::path(PGDRIFT_SOURCE_DIR) / "README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- rules:begin -->\n";
  const auto from = readme.find(begin);
  const auto to = readme.find("<!-- rules:end -->");
  if (from == std::string::npos || to == std::string::npos || to < from) return "";
  return readme.substr(from + begin.size(), to - from - begin.size());
}

TEST(LintCommand, ReadmeListsEveryRuleAsListRulesPrintsIt) {
  const auto run = run_pgdrift({"lint", "--list-rules"}, std::filesystem::temp_directory_path());
  ASSERT_EQ(run.status.code, 0) << run.output;
  // Regenerate with: pgdrift lint --list-rules, pasted between the README's rules markers.
  EXPECT_EQ(readme_rule_table(), run.output);
  EXPECT_NE(run.output.find("| `drop-column` | error |"), std::string::npos) << run.output;
}

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(LintCommand, JUnitHasATestCasePerRuleThatPassedAndPerRuleAndFileWithFindings) {
  TempTree tree({{"migrations/V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n"},
                 {"migrations/V2__drop.sql", "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN email;\n"}});
  const auto run = run_pgdrift({"lint", "migrations", "--junit", "junit.xml"}, tree.path());
  ASSERT_EQ(run.status.code, 1) << run.output;
  const auto junit = slurp(tree.path() / "junit.xml");
  // The rule that fired is a case of the file it fired in, failing and naming the line; every
  // other rule is one passing case (not one per rule and file).
  EXPECT_NE(junit.find("name=\"migrations/V2__drop.sql lint/drop-column\""), std::string::npos) << junit;
  EXPECT_EQ(junit.find("name=\"migrations/V1__users.sql "), std::string::npos) << junit;
  EXPECT_EQ(junit.find("name=\"lint/drop-column\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<testcase classname=\"lint\" name=\"lint/drop-table\""), std::string::npos) << junit;
  EXPECT_EQ(count(junit, "name=\"lint/drop-table\""), 1u) << junit;
  EXPECT_NE(junit.find(">migrations/V2__drop.sql:2: error: DROP COLUMN email"), std::string::npos) << junit;
  EXPECT_EQ(count(junit, "<failure"), 1u) << junit;
}

TEST(LintCommand, SeverityOffRemovesTheRuleAndItsTestCases) {
  TempTree tree({{"migrations/V1__users.sql", "CREATE TABLE users (id int PRIMARY KEY, name varchar(20));\n"},
                 {"pgdrift.yml", "migrations:\n  dir: migrations\nlint:\n  severity: {prefer-text: off, lint/prefer-bigint: error}\n"}});
  const auto run = run_pgdrift({"lint", "--junit", "junit.xml"}, tree.path());
  EXPECT_EQ(run.status.code, 1) << run.output;
  EXPECT_EQ(run.output.find("prefer-text"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("error: "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("[lint/prefer-bigint]"), std::string::npos) << run.output;
  const auto junit = slurp(tree.path() / "junit.xml");
  EXPECT_EQ(junit.find("lint/prefer-text"), std::string::npos);
  EXPECT_NE(junit.find("lint/prefer-bigint"), std::string::npos);
}

TEST(LintCommand, ExcludedFilesAreNotLinted) {
  TempTree tree({{"migrations/V1__baseline.sql", "DROP TABLE legacy;\n"},
                 {"migrations/V2__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"},
                 {"pgdrift.yml", "migrations:\n  dir: migrations\nlint:\n  exclude: [\"*__baseline.sql\"]\n"}});
  const auto run = run_pgdrift({"lint"}, tree.path());
  EXPECT_EQ(run.status.code, 0) << run.output;
  EXPECT_EQ(run.output.find("legacy"), std::string::npos) << run.output;
}

TEST(LintCommand, AllowDestructiveFromTheEnvironment) {
  TempTree tree({{"migrations/V1__drop.sql", "SET lock_timeout = '5s';\nDROP TABLE legacy;\n"}});
  auto env = e2e_environment();
  env["PGDRIFT_ALLOW_DESTRUCTIVE"] = "1";
  const auto run = run_pgdrift({"lint", "migrations"}, tree.path(), env);
  EXPECT_EQ(run.status.code, 0) << run.output;
  EXPECT_NE(run.output.find("notice: DROP TABLE legacy"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("allowed: PGDRIFT_ALLOW_DESTRUCTIVE=1 (a one-off)"), std::string::npos) << run.output;
}

TEST(LintCommand, GooseTreesWithGoMigrationsLintTheirSql) {
  TempTree tree({{"migrations/00001_users.sql", "-- +goose Up\nCREATE TABLE users (id int, email text);\n"},
                 {"migrations/00002_backfill.go", "package migrations\n"},
                 {"migrations/00003_drop.sql", "-- +goose Up\nALTER TABLE users DROP COLUMN email;\n"}});
  for (const std::string target : {"migrations", "migrations/00003_drop.sql"}) {
    const auto run = run_pgdrift({"lint", target, "-v"}, tree.path());
    EXPECT_EQ(run.status.code, 1) << run.output;  // the DROP COLUMN, not exit 2
    EXPECT_NE(run.output.find("migrations/00003_drop.sql:2:"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("[lint/drop-column]"), std::string::npos) << run.output;
    const bool listed = run.output.find("00002_backfill.go is a migration written in code: not linted") !=
                        std::string::npos;
    EXPECT_EQ(listed, target == "migrations") << run.output;
  }
  // verify cannot run it from SQL: it says which file and what to do.
  const auto verify = run_pgdrift({"verify", "--migrations", "migrations", "--base", "none"}, tree.path());
  EXPECT_EQ(verify.status.code, 2) << verify.output;
  EXPECT_NE(verify.output.find("00002_backfill.go: Go migrations can't be replayed from SQL files"), std::string::npos)
      << verify.output;
}

TEST(LintCommand, TooDeepStatementIsASyntaxErrorAtItsLine) {
  std::string chain = "1";
  for (int i = 1; i < 70000; ++i) chain += "+1";
  TempTree tree({{"migrations/V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"},
                 {"migrations/V2__deep.sql", "-- generated\nSELECT " + chain + ";\nSELECT 2;\n"}});
  const auto run = run_pgdrift({"lint", "migrations"}, tree.path());
  EXPECT_EQ(run.status.code, 1) << run.output;  // a finding, not a crash
  EXPECT_NE(run.output.find("migrations/V2__deep.sql:2:1: error: statement nests 70000 levels deep; "
                            "pgdrift parses at most 1000 levels"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("[lint/syntax-error]"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace pgdrift::testing
