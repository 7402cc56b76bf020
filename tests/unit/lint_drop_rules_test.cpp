#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

TEST(LintDropRules, DropTable) {
  const std::vector<LintCase> cases = {
      {"DROP TABLE users;", {"1:1"}},
      {"SELECT 1;\n  DROP TABLE IF EXISTS app.users, orders CASCADE;", {"2:3", "2:3"}},
      // Safe: a table created earlier in the same migration (a scratch table) may be dropped.
      {"CREATE TABLE tmp (id int);\nDROP TABLE tmp;", {}},
      {"DROP VIEW users;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-table", cases);
}

TEST(LintDropRules, DropTableNamesTheTable) {
  const auto findings = lint_all("DROP TABLE app.users;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "lint/drop-table");
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].object, "table app.users");
  EXPECT_NE(findings[0].hint, "");
}

}  // namespace
}  // namespace pgdrift::test
