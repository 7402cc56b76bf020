// lint::Knowledge: what earlier migrations (the history) built, read statically, so the type rules
// know a column's old type across files. Safe and dangerous changes side by side.
#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

struct Case {
  std::string history;  // earlier migrations, one string
  std::string change;   // the migration judged
  std::vector<std::string> narrowing;  // "line:col" of narrowing-type findings
  std::vector<std::string> retype;     // "line:col" of change-column-type findings
};

std::vector<Finding> lint_with_history(const std::string& history, const std::string& change) {
  lint::Knowledge known;
  known.learn(lint_migration(history), lint::altered_tables(lint_migration(change)));
  lint::Options options;
  options.known = &known;
  return lint::check(lint_migration(change), options);
}

TEST(LintKnowledge, TypeRulesKnowOldTypesFromEarlierFiles) {
  const std::vector<Case> cases = {
      // Created as varchar(20) earlier: to text is free (no rewrite), to varchar(10) cuts.
      {"CREATE TABLE users (id int, email varchar(20));", "ALTER TABLE users ALTER COLUMN email TYPE text;", {}, {}},
      {"CREATE TABLE users (id int, email varchar(20));", "ALTER TABLE users ALTER COLUMN email TYPE varchar(10);",
       {"1:43"}, {}},
      // Added by ALTER TABLE earlier, in another schema spelling.
      {"CREATE TABLE app.orders (id int);\nALTER TABLE app.orders ADD COLUMN total numeric(12,2);",
       "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);", {}, {}},
      {"CREATE TABLE app.orders (id int);\nALTER TABLE app.orders ADD COLUMN total numeric(12,2);",
       "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,0);", {"1:44"}, {}},
      // Retyped earlier: the latest type counts.
      {"CREATE TABLE t (n int);\nALTER TABLE t ALTER COLUMN n TYPE bigint;", "ALTER TABLE t ALTER COLUMN n TYPE int;",
       {"1:35"}, {}},
      {"CREATE TABLE t (n int);\nALTER TABLE t ALTER COLUMN n TYPE bigint;", "ALTER TABLE t ALTER COLUMN n TYPE bigint;",
       {}, {}},
      // Renamed earlier: the type follows the column.
      {"CREATE TABLE t (a text);\nALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t ALTER COLUMN b TYPE varchar(5);",
       {"1:35"}, {}},
      // Dropped and re-created with another type: the new type counts.
      {"CREATE TABLE t (a text);\nDROP TABLE t;\nCREATE TABLE t (a int);", "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
       {}, {"1:35"}},
      // Unknown column: the hedged warning of today, no narrowing claim.
      {"CREATE TABLE other (a text);", "ALTER TABLE t ALTER COLUMN a TYPE bigint;", {}, {"1:35"}},
  };
  for (const auto& c : cases) {
    const auto findings = lint_with_history(c.history, c.change);
    EXPECT_EQ(positions(of_rule(findings, "narrowing-type")), c.narrowing) << c.history << "\n-- then --\n" << c.change;
    EXPECT_EQ(positions(of_rule(findings, "change-column-type")), c.retype) << c.history << "\n-- then --\n" << c.change;
  }
}

TEST(LintKnowledge, AFreeRetypeIsNoScanButARealOneIs) {
  const std::string history = "CREATE TABLE invoices (number varchar(20));";
  EXPECT_TRUE(of_rule(lint_with_history(history, "ALTER TABLE invoices ALTER COLUMN number TYPE text;"),
                      "missing-statement-timeout")
                  .empty());
  EXPECT_EQ(positions(of_rule(lint_with_history(history, "ALTER TABLE invoices ALTER COLUMN number TYPE int USING "
                                                         "number::int;"),
                              "missing-statement-timeout")),
            std::vector<std::string>{"1:35"});
  // Without history the retype may rewrite: the safety net stays.
  EXPECT_EQ(findings_of("missing-statement-timeout", "ALTER TABLE invoices ALTER COLUMN number TYPE text;").size(), 1u);
}

TEST(LintKnowledge, TheNarrowingMessageNamesTheOldType) {
  const auto findings = of_rule(
      lint_with_history("CREATE TABLE users (email text);", "ALTER TABLE users ALTER COLUMN email TYPE varchar(255);"),
      "narrowing-type");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("the column was text"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[0].severity, Severity::error);
}

TEST(LintKnowledge, WithoutHistoryTheOldTypeIsUnknown) {
  // Today's behaviour without Knowledge: no narrowing claim for text → varchar(255) ...
  EXPECT_TRUE(findings_of("narrowing-type", "ALTER TABLE users ALTER COLUMN email TYPE varchar(255);").empty());
  // ... and a hedged change-column-type warning.
  EXPECT_EQ(findings_of("change-column-type", "ALTER TABLE users ALTER COLUMN email TYPE text;").size(), 1u);
}

TEST(LintKnowledge, TheTableFilterReadsOnlyWhatTheChangeAlters) {
  const auto change = lint_migration("ALTER TABLE Users ALTER COLUMN email TYPE text;\nCREATE INDEX ON orders (id);");
  EXPECT_EQ(lint::altered_tables(change), std::set<std::string>{"users"});
  lint::Knowledge known;
  known.learn(lint_migration("CREATE TABLE users (email varchar(20));\nCREATE TABLE orders (total int);"),
              {"users"});
  EXPECT_FALSE(known.type_of("users", "email").is_null());
  EXPECT_TRUE(known.type_of("orders", "total").is_null());
}

}  // namespace
}  // namespace pgdrift::test
