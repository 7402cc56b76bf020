#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

TEST(LintRobustnessRules, MissingLockTimeout) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE users ADD COLUMN email text;", {"1:30"}},
      // Safe: a lock_timeout set first; a timeout of 0 (off), '0s' or RESET does not count.
      {"SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN email text;", {}},
      {"SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN email text;", {"2:30"}},
      {"SET lock_timeout = '5s';\nSET lock_timeout = '0s';\nALTER TABLE users ADD COLUMN email "
       "text;",
       {"3:30"}},
      {"SET lock_timeout = '5s';\nRESET lock_timeout;\nDROP TABLE users;", {"3:1"}},
      {"SELECT set_config('lock_timeout', '3s', false);\nTRUNCATE users;", {}},
      // Once per file, at the first blocking statement.
      {"CREATE INDEX users_email_idx ON users (email);\n  TRUNCATE orders;", {"1:33"}},
      {"SELECT 1;\n  ALTER TABLE app.users\n    ALTER COLUMN email SET NOT NULL;", {"2:15"}},
      // A timeout set after the blocking statement is too late.
      {"LOCK TABLE users;\nSET lock_timeout = '5s';", {"1:12"}},
      // Tables created in the migration are nobody else's yet; CONCURRENTLY and VALIDATE block no
      // traffic.
      {"CREATE TABLE t (id bigint);\nCREATE INDEX t_idx ON t (id);\nALTER TABLE t ADD COLUMN x "
       "int;",
       {}},
      {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", {}},
      {"ALTER TABLE users VALIDATE CONSTRAINT users_age_check;", {}},
      {"LOCK TABLE users IN ROW EXCLUSIVE MODE;", {}},
      {"LOCK TABLE users IN SHARE MODE;", {"1:12"}},
      {"DROP INDEX users_email_idx;", {"1:1"}},
      {"DROP INDEX CONCURRENTLY users_email_idx;", {}},
      // ATTACH PARTITION locks the parent ACCESS EXCLUSIVE before PG 12, SHARE UPDATE EXCLUSIVE
      // since.
      {"CREATE TABLE p1 (id int);\nALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1);",
       {"2:32"},
       110000},
      {"CREATE TABLE p1 (id int);\nALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1);",
       {},
       120000},
      // The table altered comes first; then the one its new foreign key references.
      {"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users "
       "(id) "
       "NOT VALID;",
       {"1:24"}},
      {"CREATE TABLE orders (id bigint);\nALTER TABLE orders ADD FOREIGN KEY (id) REFERENCES "
       "users;",
       {"2:52"}},
      // A new table's foreign key locks the existing table it references.
      {"CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));", {"1:59"}},
      // SET LOCAL does nothing outside a transaction, and expires at the COMMIT of its BEGIN.
      {"SET LOCAL lock_timeout = '5s';\nALTER TABLE users DROP COLUMN x;", {"2:13"}, 150000, true},
      {"SET LOCAL lock_timeout = '5s';\nALTER TABLE users DROP COLUMN x;", {}},
      {"BEGIN;\nSET LOCAL lock_timeout = '5s';\nALTER TABLE users DROP COLUMN x;\nCOMMIT;\nLOCK "
       "TABLE users;",
       {"5:12"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("missing-lock-timeout", cases);
}

TEST(LintRobustnessRules, MissingLockTimeoutNamesLockAndTable) {
  const auto findings =
      of_rule(lint_all("CREATE INDEX users_email_idx ON users (email);"), "missing-lock-timeout");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].object, "table users");
  EXPECT_EQ(
      findings[0].message,
      "CREATE INDEX users_email_idx takes a SHARE lock on table users with no lock_timeout set "
      "before it: while it waits for the lock, every later query on the table waits behind it");
}

TEST(LintRobustnessRules, MissingLockTimeoutReindex) {
  const auto findings = of_rule(lint_all("REINDEX TABLE users;"), "missing-lock-timeout");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "REINDEX TABLE users takes a SHARE lock on table users (and ACCESS EXCLUSIVE on its "
            "indexes) with no lock_timeout set before it: while it waits for the lock, every later "
            "query on the table waits behind it");
  EXPECT_EQ(of_rule(lint_all("REINDEX TABLE CONCURRENTLY users;"), "missing-lock-timeout").size(),
            0u);
}

TEST(LintRobustnessRules, MissingStatementTimeout) {
  const std::vector<LintCase> cases = {
      {"CREATE INDEX users_email_idx ON users (email);", {"1:33"}},
      {"SET statement_timeout = '1min';\nCREATE INDEX users_email_idx ON users (email);", {}},
      {"SET statement_timeout = 0;\nCREATE INDEX users_email_idx ON users (email);", {"2:33"}},
      // Safe: CONCURRENTLY blocks no traffic (and a timeout would leave an invalid index).
      {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", {}},
      // NOT VALID skips the scan; the VALIDATE that follows does it.
      {"ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID;\nALTER TABLE users VALIDATE "
       "CONSTRAINT c;",
       {"2:13"}},
      {"ALTER TABLE users ADD COLUMN email text;", {}},
      {"UPDATE users SET active = true;", {"1:8"}},
      {"UPDATE users SET active = true WHERE id = 1;", {}},
      {"  ALTER TABLE users\n    ALTER COLUMN age TYPE bigint;", {"2:18"}},
      {"ALTER TABLE users ADD PRIMARY KEY (id);", {"1:23"}},
      {"ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey_idx;", {}},
      {"CREATE TABLE t (id int);\nCREATE INDEX ON t (id);\nUPDATE t SET id = 1;", {}},
      // Once per file.
      {"VACUUM FULL users;\nCLUSTER orders;", {"1:13"}},
      // An option spelled out as off is off.
      {"VACUUM (FULL false) users;", {}},
      {"VACUUM (FULL true) users;", {"1:20"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("missing-statement-timeout", cases);
  const auto findings =
      of_rule(lint_all("UPDATE users SET active = true;"), "missing-statement-timeout");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::notice);
  EXPECT_EQ(findings[0].object, "table users");
  EXPECT_EQ(findings[0].message,
            "UPDATE users without WHERE scans or rewrites all of table users with no "
            "statement_timeout set before it: on a big table it runs for minutes, holding row "
            "locks on every row all along");
}

TEST(LintRobustnessRules, TransactionNesting) {
  const std::vector<LintCase> cases = {
      {"BEGIN;\nCREATE TABLE t (id bigint);\n  BEGIN;\nCOMMIT;", {"3:3"}},
      {"START TRANSACTION;\nCOMMIT AND CHAIN;\nBEGIN;\nCOMMIT;", {"3:1"}},
      // Safe: one transaction after the other.
      {"BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;\nBEGIN;\nCOMMIT;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("transaction-nesting", cases);
}

TEST(LintRobustnessRules, TransactionNestingInsideTheToolsTransaction) {
  const std::string sql = "BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;";
  // goose runs the file in its own transaction: the file's BEGIN nests.
  EXPECT_EQ(positions_for("transaction-nesting", sql, migrations::Format::goose),
            std::vector<std::string>{"1:1"});
  EXPECT_EQ(positions_for("transaction-nesting", sql, migrations::Format::dbmate),
            std::vector<std::string>{"1:1"});
  // The file's COMMIT ended goose's transaction: a later BEGIN starts a real one.
  EXPECT_EQ(
      positions_for("transaction-nesting", sql + "\nBEGIN;\nCOMMIT;", migrations::Format::goose),
      std::vector<std::string>{"1:1"});
  // Not when the file opts out of the tool's transaction, nor when the tool does not wrap it.
  EXPECT_EQ(positions_for("transaction-nesting", sql, migrations::Format::goose, true),
            std::vector<std::string>{});
  EXPECT_EQ(positions_for("transaction-nesting", sql, migrations::Format::plain),
            std::vector<std::string>{});
  EXPECT_EQ(positions_for("transaction-nesting", "CREATE TABLE t (id bigint);",
                          migrations::Format::goose),
            std::vector<std::string>{});

  lint::Options options;
  options.format = migrations::Format::goose;
  auto migration = lint_migration(sql);
  migrations::set_tool(migrations::Format::goose, migration);
  const auto findings = of_rule(lint::check(migration, options), "transaction-nesting");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warning);
  EXPECT_EQ(findings[0].message,
            "BEGIN in a migration the migration tool already runs in a transaction: Postgres "
            "ignores it, and the file's COMMIT commits the tool's transaction early");
}

TEST(LintRobustnessRules, UncommittedTransaction) {
  const std::vector<LintCase> cases = {
      // Reported at the statement that opened the transaction.
      {"SELECT 1;\n  BEGIN;\nCREATE TABLE t (id bigint);\n  ALTER TABLE t ADD COLUMN x int;", {"2:3"}},
      {"BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;", {"3:1"}},
      // Safe: committed, rolled back; a nested BEGIN is transaction-nesting's (the COMMIT ends
      // both).
      {"BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;", {}},
      {"BEGIN;\nSELECT 1;\nROLLBACK;", {}},
      {"BEGIN;\nBEGIN;\nCOMMIT;", {}},
      {"CREATE TABLE t (id bigint);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("uncommitted-transaction", cases);

  const auto findings =
      of_rule(lint_all("SELECT 1;\nBEGIN;\nSELECT 2;"), "uncommitted-transaction");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].message,
            "the transaction opened here is never committed: the file ends with it still open");
  EXPECT_EQ(findings[0].location->line, 2);
}

TEST(LintRobustnessRules, UncommittedTransactionInsideTheToolsTransaction) {
  // goose commits its transaction after the file, the file's BEGIN included.
  const std::string sql = "BEGIN;\nCREATE TABLE t (id bigint);";
  EXPECT_EQ(positions_for("uncommitted-transaction", sql, migrations::Format::goose),
            std::vector<std::string>{});
  EXPECT_EQ(positions_for("transaction-nesting", sql, migrations::Format::goose),
            std::vector<std::string>{"1:1"});
  EXPECT_EQ(positions_for("uncommitted-transaction", sql, migrations::Format::goose, true),
            std::vector<std::string>{"1:1"});
  EXPECT_EQ(positions_for("uncommitted-transaction", sql, migrations::Format::plain),
            std::vector<std::string>{"1:1"});
}

TEST(LintRobustnessRules, PreferRobustStatements) {
  const int pg15 = 150000;
  const std::vector<LintCase> cases = {
      {"CREATE TABLE t (id bigint);", {"1:1"}, pg15, true},
      // Safe: inside a transaction a failure rolls everything back.
      {"CREATE TABLE t (id bigint);", {}},
      {"CREATE TABLE IF NOT EXISTS t (id bigint);", {}, pg15, true},
      // CONCURRENTLY takes the file out of the transaction.
      {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", {"1:1"}},
      {"CREATE INDEX CONCURRENTLY ON users (email);", {"1:1"}},
      {"CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);", {"1:1"}},
      {"DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n  CREATE INDEX CONCURRENTLY "
       "users_email_idx ON users (email);",
       {}},
      {"ALTER TABLE users ADD COLUMN email text, DROP COLUMN IF EXISTS old;", {"1:30"}, pg15, true},
      {"ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;", {}, pg15, true},
      {"ALTER TABLE users\n  DROP CONSTRAINT users_age_check;", {"1:1"}, pg15, true},
      {"DROP TABLE old_users;", {"1:1"}, pg15, true},
      {"DROP TABLE IF EXISTS old_users;", {}, pg15, true},
      {"ALTER TYPE mood ADD VALUE 'meh';", {"1:1"}, pg15, true},
      {"ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';", {}, pg15, true},
      {"CREATE VIEW v AS SELECT 1;", {"1:1"}, pg15, true},
      {"CREATE OR REPLACE VIEW v AS SELECT 1;", {}, pg15, true},
      // Only what runs outside the file's own BEGIN … COMMIT.
      {"BEGIN;\nCREATE TABLE t (id bigint);\nCOMMIT;\nCREATE SCHEMA s;", {"4:1"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("prefer-robust-statements", cases);
  EXPECT_EQ(positions_for("prefer-robust-statements", "CREATE TABLE t (id bigint);",
                          migrations::Format::goose),
            std::vector<std::string>{});

  const auto findings =
      of_rule(lint_all("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"),
              "prefer-robust-statements");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::notice);
  EXPECT_EQ(findings[0].object, "index users_email_idx");
  EXPECT_EQ(findings[0].message,
            "CREATE INDEX CONCURRENTLY users_email_idx has no IF NOT EXISTS: re-running the "
            "migration after a partial failure fails because the index exists");
}

TEST(LintRobustnessRules, IdentifierTooLong) {
  const std::string long64(64, 'a');
  const std::string max63(63, 'a');
  const std::vector<LintCase> cases = {
      {"CREATE TABLE " + long64 + " (id bigint);", {"1:14"}},
      {"CREATE TABLE " + max63 + " (id bigint);", {}},
      {"CREATE TABLE t (id bigint);\nALTER TABLE t\n  ADD CONSTRAINT \"" + long64 +
           "\" CHECK (id > 0);",
       {"3:18"}},
      {"ALTER TABLE t ADD COLUMN " + long64 + " int;", {"1:26"}},
      {"ALTER TABLE t RENAME TO " + long64 + ";", {"1:25"}},
      // Comments, strings and function bodies are not identifiers.
      {"-- " + long64 + "\nCOMMENT ON TABLE t IS '" + long64 + "';", {}},
      {"SELECT 1 /* " + long64 + " */, E'\\'" + long64 + "';", {}},
      {"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1 AS " + long64 + " $body$;",
       {}},
      // Once per identifier and file; names that differ only after 63 bytes collide: both reported.
      {"CREATE TABLE " + long64 + " (id bigint);\nDROP TABLE " + long64 + ";", {"1:14"}},
      {"CREATE INDEX " + max63 + "_a ON t (a);\nCREATE INDEX " + max63 + "_b ON t (b);",
       {"1:14", "2:14"}},
  };
  PGDRIFT_EXPECT_LINT_CASES("identifier-too-long", cases);

  // 32 two-byte characters: 64 bytes, cut back to a whole character.
  std::string accents;
  for (int i = 0; i < 32; ++i) accents += "\xc3\xa9";
  const auto findings =
      of_rule(lint_all("CREATE TABLE \"" + accents + "\" (id bigint);"), "identifier-too-long");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::error);
  EXPECT_EQ(findings[0].message, "identifier " + accents +
                                     " is 64 bytes long: Postgres silently truncates it to " +
                                     accents.substr(0, 62));
}

}  // namespace
}  // namespace pgdrift::test
