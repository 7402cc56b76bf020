#include <gtest/gtest.h>

#include <algorithm>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

// The ids of this category's rules that report on `sql`, one per finding.
std::vector<std::string> drop_rules_reporting(const std::string& sql) {
  static const std::vector<std::string> k_category = {
      "lint/drop-table",    "lint/drop-column",      "lint/drop-schema",  "lint/drop-database",
      "lint/truncate",      "lint/truncate-cascade", "lint/rename-table", "lint/rename-column",
      "lint/drop-not-null", "lint/drop-foreign-key"};
  std::vector<std::string> out;
  for (const auto& f : lint_all(sql)) {
    if (std::find(k_category.begin(), k_category.end(), f.rule) != k_category.end())
      out.push_back(f.rule);
  }
  return out;
}

TEST(LintDropRules, DropTable) {
  const std::vector<LintCase> cases = {
      {"DROP TABLE users;", {"1:1"}},
      {"SELECT 1;\n"
       "  DROP TABLE IF EXISTS app.users, orders CASCADE;",
       {"2:3", "2:3"}},
      // Safe: a table created earlier in the same migration (a scratch table) may be dropped.
      {"CREATE TABLE tmp (id int);\n"
       "DROP TABLE tmp;",
       {}},
      {"SELECT * INTO tmp FROM users;\n"
       "DROP TABLE tmp;",
       {}},
      {"DROP VIEW users;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-table", cases);
}

TEST(LintDropRules, DropTableNamesTheTable) {
  const auto findings = findings_of("drop-table", "DROP TABLE app.users;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].object, "table app.users");
  EXPECT_EQ(findings[0].message, "DROP TABLE app.users deletes the table and all its rows");
  EXPECT_NE(findings[0].hint, "");
  const auto cascade = findings_of("drop-table", "DROP TABLE users CASCADE;");
  ASSERT_EQ(cascade.size(), 1u);
  EXPECT_NE(cascade[0].message.find("with CASCADE the views and foreign keys"), std::string::npos);
}

TEST(LintDropRules, DropColumn) {
  const std::vector<LintCase> cases = {
      // The command has no location in the parse tree: reported at the table's name.
      {"ALTER TABLE users DROP COLUMN email;", {"1:13"}},
      {"SELECT 1;\n"
       "  ALTER TABLE app.users\n"
       "    DROP COLUMN IF EXISTS email CASCADE,\n"
       "    DROP name;",
       {"2:15", "2:15"}},
      // Safe: a table of this migration, a column this migration added, other ALTER commands.
      {"CREATE TABLE tmp (id int, x int);\n"
       "ALTER TABLE tmp DROP COLUMN x;",
       {}},
      {"ALTER TABLE users ADD COLUMN x int;\n"
       "ALTER TABLE users DROP COLUMN x;",
       {}},
      {"ALTER TABLE users ALTER COLUMN email DROP DEFAULT;", {}},
      // Dropped and added back: the second drop deletes no pre-migration data either.
      {"ALTER TABLE users DROP COLUMN x;\n"
       "ALTER TABLE users ADD COLUMN x int;\n"
       "ALTER TABLE users DROP COLUMN x;",
       {"1:13"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-column", cases);
  const auto findings = findings_of("drop-column", "ALTER TABLE app.users DROP COLUMN email;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].object, "column app.users.email");
  EXPECT_EQ(findings[0].message,
            "DROP COLUMN email on table app.users deletes the column and its data in every row");
}

TEST(LintDropRules, DropSchema) {
  const std::vector<LintCase> cases = {
      {"DROP SCHEMA app;", {"1:1"}},
      {"SELECT 1;\n"
       "  DROP SCHEMA IF EXISTS app, billing CASCADE;",
       {"2:3", "2:3"}},
      // Safe: a schema created earlier in the same migration.
      {"CREATE SCHEMA scratch;\n"
       "DROP SCHEMA scratch CASCADE;",
       {}},
      {"DROP TABLE app;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-schema", cases);
  const auto findings = findings_of("drop-schema", "DROP SCHEMA app CASCADE;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "schema app");
  EXPECT_EQ(findings[0].message,
            "DROP SCHEMA app CASCADE deletes the schema and every object in it, with their data");
}

TEST(LintDropRules, DropDatabase) {
  const std::vector<LintCase> cases = {
      {"DROP DATABASE app;", {"1:1"}},
      {"SELECT 1;\n"
       "   DROP DATABASE IF EXISTS app;",
       {"2:4"}},
      {"DROP SCHEMA app;", {}},
      {"CREATE DATABASE app;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-database", cases);
  const auto findings = findings_of("drop-database", "DROP DATABASE app;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].object, "database app");
}

TEST(LintDropRules, Truncate) {
  const std::vector<LintCase> cases = {
      {"TRUNCATE users;", {"1:10"}},
      {"TRUNCATE TABLE ONLY users, app.orders RESTART IDENTITY;", {"1:21", "1:28"}},
      // CASCADE is truncate-cascade's.
      {"TRUNCATE users CASCADE;", {}},
      // Safe: a table of this migration; deleting chosen rows.
      {"CREATE TABLE tmp (id int);\n"
       "TRUNCATE tmp;",
       {}},
      {"DELETE FROM users WHERE id = 1;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("truncate", cases);
  const auto findings = findings_of("truncate", "TRUNCATE app.users;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "table app.users");
  EXPECT_EQ(findings[0].message, "TRUNCATE app.users deletes every row of the table");
}

TEST(LintDropRules, TruncateCascade) {
  const std::vector<LintCase> cases = {
      {"TRUNCATE users CASCADE;", {"1:10"}},
      {"SELECT 1;\n"
       "  TRUNCATE users, orders CASCADE;",
       {"2:12", "2:19"}},
      {"TRUNCATE users;", {}},
      {"TRUNCATE users RESTRICT;", {}},
      {"CREATE TABLE tmp (id int);\n"
       "TRUNCATE tmp CASCADE;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("truncate-cascade", cases);
  // One finding per table, from truncate-cascade alone (not truncate as well).
  EXPECT_EQ(drop_rules_reporting("TRUNCATE users CASCADE;"),
            std::vector<std::string>{"lint/truncate-cascade"});
  const auto findings = findings_of("truncate-cascade", "TRUNCATE users CASCADE;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_NE(findings[0].message.find("every table that references it"), std::string::npos);
}

TEST(LintDropRules, RenameTable) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE users RENAME TO people;", {"1:13"}},
      {"SELECT 1;\n"
       "  ALTER TABLE IF EXISTS app.users RENAME TO people;",
       {"2:25"}},
      // Safe: a table of this migration; renaming other things.
      {"CREATE TABLE tmp (id int);\n"
       "ALTER TABLE tmp RENAME TO users;",
       {}},
      {"ALTER TABLE users RENAME COLUMN a TO b;", {}},
      {"ALTER INDEX users_email_idx RENAME TO users_mail_idx;", {}},
      {"ALTER VIEW active_users RENAME TO current_users;", {}},
      // Safe: the hint's expand/contract step, a view keeping the old name working.
      {"ALTER TABLE customers RENAME TO clients;\n"
       "CREATE VIEW customers AS SELECT * FROM clients;",
       {}},
      // A view of another name does not help; one created before the rename is not it either.
      {"ALTER TABLE customers RENAME TO clients;\n"
       "CREATE VIEW client_list AS SELECT * FROM clients;",
       {"1:13"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("rename-table", cases);
  const auto findings = findings_of("rename-table", "ALTER TABLE users RENAME TO people;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "table users");
  EXPECT_EQ(findings[0].message,
            "ALTER TABLE users RENAME TO people: queries still naming users fail");
  EXPECT_NE(findings[0].hint.find("CREATE VIEW"), std::string::npos);
}

TEST(LintDropRules, TableCreatedHereStillCountsAfterItsRename) {
  // Built under a scratch name, then renamed: the renamed table holds no pre-migration data.
  const std::string swap =
      "CREATE TABLE users_new (id bigint, email text);\n"
      "ALTER TABLE users_new RENAME TO users;\n";
  EXPECT_EQ(drop_rules_reporting(swap +
                                 "ALTER TABLE users DROP COLUMN email;\n"
                                 "ALTER TABLE users RENAME COLUMN id TO user_id;\n"
                                 "ALTER TABLE users RENAME TO people;\n"
                                 "TRUNCATE people;\n"
                                 "DROP TABLE people;"),
            std::vector<std::string>{});
  const std::vector<LintCase> drop_table = {
      {swap + "DROP TABLE users;", {}},
      // The new name keeps the schema the table was created in.
      {"CREATE TABLE app.users_new (id bigint);\n"
       "ALTER TABLE users_new RENAME TO users;\n"
       "DROP TABLE app.users, billing.users;",
       {"3:1"}},
      // The old name no longer names a table of this migration.
      {swap + "DROP TABLE users_new;", {"3:1"}},
      // Renaming a table that existed before does not make it new.
      {"ALTER TABLE users RENAME TO people;\n"
       "DROP TABLE people;",
       {"2:1"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-table", drop_table);
  const std::vector<LintCase> drop_column = {
      {swap + "ALTER TABLE users DROP COLUMN email;", {}},
      {swap + "ALTER TABLE users_new DROP COLUMN email;", {"3:13"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-column", drop_column);
}

TEST(LintDropRules, RenameColumn) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE users RENAME COLUMN email TO mail;", {"1:13"}},
      {"SELECT 1;\n"
       "  ALTER TABLE users RENAME email TO mail;",
       {"2:15"}},
      // Safe: a table of this migration, a column this migration added (also after renaming the
      // table), a view's column.
      {"CREATE TABLE tmp (id int);\n"
       "ALTER TABLE tmp RENAME COLUMN id TO key;",
       {}},
      {"ALTER TABLE users ADD COLUMN nick text;\n"
       "ALTER TABLE users RENAME COLUMN nick TO nickname;",
       {}},
      {"ALTER TABLE users ADD COLUMN nick text;\n"
       "ALTER TABLE users RENAME TO people;\n"
       "ALTER TABLE people RENAME COLUMN nick TO nickname;",
       {}},
      {"ALTER VIEW active_users RENAME COLUMN a TO b;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("rename-column", cases);
  const auto findings =
      findings_of("rename-column", "ALTER TABLE users RENAME COLUMN email TO mail;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "column users.email");
  EXPECT_EQ(findings[0].message,
            "RENAME COLUMN email TO mail on table users: queries still naming email fail");
}

TEST(LintDropRules, DropNotNull) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", {"1:13"}},
      {"ALTER TABLE\n"
       "    users\n"
       "  ALTER email DROP NOT NULL,\n"
       "  ALTER name DROP NOT NULL;",
       {"2:5", "2:5"}},
      // Safe: the opposite, a table of this migration, a column this migration added.
      {"ALTER TABLE users ALTER COLUMN email SET NOT NULL;", {}},
      {"CREATE TABLE tmp (id int NOT NULL);\n"
       "ALTER TABLE tmp ALTER COLUMN id DROP NOT NULL;",
       {}},
      {"ALTER TABLE users ADD COLUMN nick text NOT NULL DEFAULT '';\n"
       "ALTER TABLE users ALTER COLUMN nick DROP NOT NULL;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-not-null", cases);
  const auto findings =
      findings_of("drop-not-null", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].object, "column users.email");
}

TEST(LintDropRules, DropForeignKey) {
  const std::vector<LintCase> cases = {
      // Postgres's default name for a foreign key.
      {"ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;", {"1:13"}},
      // A custom name: known to be a foreign key because the file added it.
      {"ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id) NOT "
       "VALID;\n"
       "ALTER TABLE orders DROP CONSTRAINT fk_user;",
       {"2:13"}},
      {"ALTER TABLE orders ADD COLUMN shop_id int CONSTRAINT fk_shop REFERENCES shops;\n"
       "  ALTER TABLE orders DROP CONSTRAINT IF EXISTS fk_shop;",
       {"2:15"}},
      // Not reported: other constraints, a custom name pgdrift cannot know is a foreign key, a
      // foreign key of that name on another table, a table of this migration.
      {"ALTER TABLE orders DROP CONSTRAINT orders_amount_check;", {}},
      {"ALTER TABLE orders DROP CONSTRAINT fk_user;", {}},
      {"ALTER TABLE a ADD CONSTRAINT fk_x FOREIGN KEY (x) REFERENCES b;\n"
       "ALTER TABLE c DROP CONSTRAINT fk_x;",
       {}},
      {"CREATE TABLE tmp (user_id int REFERENCES users);\n"
       "ALTER TABLE tmp DROP CONSTRAINT tmp_user_id_fkey;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("drop-foreign-key", cases);
  const auto findings =
      findings_of("drop-foreign-key", "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].object, "constraint orders.orders_user_id_fkey");
}

}  // namespace
}  // namespace pgdrift::test
