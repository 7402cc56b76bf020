#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

TEST(LintLinter, SyntaxErrorsAreReportedWhereTheParserStoppedAndTheRestIsStillLinted) {
  const std::vector<LintCase> cases = {
      {"SET lock_timeout = '1s';\nSELEC 1;\n", {"2:1"}},
      {"SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN x int DEFAULT;\n", {"2:43"}},
      {"SELECT 1;\n", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("syntax-error", cases);
  const LintCase around = {"DROP TABLE a;\nSELEC 1;\nDROP TABLE b;\n", {"1:1", "3:1"}};
  EXPECT_EQ(lint_positions("drop-table", around), around.expected);
}

TEST(LintLinter, SyntaxErrorsCanBeLeftToTheReplay) {
  lint::Options options;
  options.report_syntax_errors = false;
  const auto findings = lint::check(lint_migration("SELEC 1;\n"), options);
  EXPECT_TRUE(findings.empty());
}

TEST(LintLinter, FindingsPointIntoTheFileThroughTheUpSectionAndPlaceholders) {
  // A goose-like file: the up SQL starts after a header line, and ${table} became "users".
  migrations::Migration m = lint_migration("");
  m.source = "-- +goose Up\nDROP TABLE ${table};\n";
  m.up_offset = 13;
  m.up_sql = "DROP TABLE users;\n";
  m.substitutions = {{11, 5, 24, 8}};
  const auto findings = lint::check(m, lint::Options{});
  ASSERT_FALSE(findings.empty());
  const auto& f = findings.front();
  ASSERT_TRUE(f.location.has_value());
  EXPECT_EQ(f.location->file, "V1__test.sql");
  EXPECT_EQ(f.location->line, 2);
  EXPECT_EQ(f.location->column, 1);
}

}  // namespace
}  // namespace pgdrift::test
