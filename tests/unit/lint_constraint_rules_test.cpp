#include <gtest/gtest.h>

#include "lint_test_support.hpp"

namespace pgdrift::test {
namespace {

constexpr int k_pg11 = 110000;
constexpr int k_pg12 = 120000;
constexpr int k_pg13 = 130000;
constexpr int k_pg14 = 140000;

TEST(LintConstraintRules, AddNotNull) {
  const std::string safe_sequence =
      "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
      "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n"
      "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
      "ALTER TABLE users DROP CONSTRAINT users_email_nn;";
  const std::vector<LintCase> cases = {
      // Reported at the table name: the command itself has no location.
      {"ALTER TABLE users ALTER COLUMN email SET NOT NULL;", {"1:13"}},
      {"ALTER TABLE users ALTER COLUMN email SET NOT NULL;", {"1:13"}, k_pg11},
      {"ALTER TABLE\n"
       "    users\n"
       "  ALTER COLUMN a SET NOT NULL,\n"
       "  ALTER COLUMN b SET NOT NULL;",
       {"2:5", "2:5"}},
      // Safe from 12: a validated CHECK (col IS NOT NULL) spares the scan.
      {safe_sequence, {}, k_pg12},
      {safe_sequence, {}},
      // Before 12 the CHECK does not help.
      {safe_sequence, {"3:13"}, k_pg11},
      // A CHECK added without NOT VALID is validated at once (constraint-missing-not-valid's
      // finding); an AND of IS NOT NULL tests proves each column; a schema-qualified name matches.
      {"ALTER TABLE app.users ADD CONSTRAINT c CHECK (email IS NOT NULL AND users.name IS NOT "
       "NULL);\n"
       "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
       {}},
      // The recommended split: the CHECK was added NOT VALID by an earlier migration; this one
      // validates it first.
      {"ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {}},
      {"ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {"2:13"},
       k_pg11},
      {"ALTER TABLE orders VALIDATE CONSTRAINT orders_email_nn;\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {"2:13"}},
      // A constraint validated here but added elsewhere only proves the column its name names.
      {"ALTER TABLE orders VALIDATE CONSTRAINT orders_coupon_fk;\n"
       "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
       {"2:13"}},
      {"ALTER TABLE orders VALIDATE CONSTRAINT orders_statuses_nn;\n"
       "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
       {"2:13"}},
      // NOT VALID and never validated: the scan still happens.
      {"ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\n"
       "  ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {"2:15"}},
      // A CHECK about another column, on another table, dropped before, or added after.
      {"ALTER TABLE users ADD CONSTRAINT c CHECK (name IS NOT NULL);\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {"2:13"}},
      {"ALTER TABLE orders ADD CONSTRAINT c CHECK (email IS NOT NULL);\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {"2:13"}},
      {"ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);\n"
       "ALTER TABLE users DROP CONSTRAINT c;\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {"3:13"}},
      {"ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
       "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);",
       {"1:13"}},
      // A table of this migration.
      {"CREATE TABLE users (email text);\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
       {}},
      {"ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-not-null", cases);

  const auto old = findings_of("add-not-null", safe_sequence, k_pg11);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].object, "column users.email");
  EXPECT_EQ(old[0].message,
            "ALTER COLUMN email SET NOT NULL scans every row of table users under an ACCESS "
            "EXCLUSIVE lock (before PostgreSQL 12 no CHECK constraint spares the scan)");
  EXPECT_EQ(old[0].severity, Severity::warning);
}

TEST(LintConstraintRules, AddRequiredColumn) {
  const std::vector<LintCase> cases = {
      // Reported at NOT NULL, else at PRIMARY KEY; once per column.
      {"ALTER TABLE users ADD COLUMN age integer NOT NULL;", {"1:42"}},
      {"ALTER TABLE users\n"
       "  ADD COLUMN id bigint PRIMARY KEY;",
       {"2:24"}},
      {"ALTER TABLE users ADD COLUMN id bigint PRIMARY KEY NOT NULL;", {"1:52"}},
      {"ALTER TABLE users ADD COLUMN a int NOT NULL DEFAULT NULL, ADD COLUMN b int NOT NULL;",
       {"1:36", "1:76"}},
      // Safe: existing rows get a value, or the column is nullable, or the table is new.
      {"ALTER TABLE users ADD COLUMN age integer NOT NULL DEFAULT 0;", {}},
      {"ALTER TABLE users ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;", {}},
      {"ALTER TABLE users ADD COLUMN id bigserial NOT NULL;", {}},
      {"ALTER TABLE users ADD COLUMN total int NOT NULL GENERATED ALWAYS AS (a + b) STORED;", {}},
      {"ALTER TABLE users ADD COLUMN age integer;", {}},
      {"CREATE TABLE users (id int);\n"
       "ALTER TABLE users ADD COLUMN age integer NOT NULL;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-required-column", cases);

  const auto found =
      findings_of("add-required-column", "ALTER TABLE app.users ADD COLUMN age int4 NOT NULL;");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::error);
  EXPECT_EQ(found[0].object, "column app.users.age");
  EXPECT_EQ(found[0].message,
            "ADD COLUMN age integer NOT NULL without a DEFAULT fails if table app.users has any "
            "row (they would all get NULL)");
}

TEST(LintConstraintRules, ConstraintMissingNotValid) {
  const std::vector<LintCase> cases = {
      // Reported at the constraint (its CONSTRAINT keyword when named).
      {"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users "
       "(id);",
       {"1:24"}},
      {"ALTER TABLE orders\n"
       "  ADD CHECK (total >= 0);",
       {"2:7"}},
      {"ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id) CHECK (user_id > 0);",
       {"1:46", "1:68"}},
      // The safe alternative: NOT VALID, then VALIDATE in another transaction.
      {"ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users "
       "(id) NOT VALID;\n"
       "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
       {},
       150000,
       true},
      {"ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;", {}},
      // Other constraints, and tables of this migration.
      {"ALTER TABLE orders ADD CONSTRAINT u UNIQUE (code), ADD COLUMN note text NOT NULL DEFAULT "
       "'';",
       {}},
      {"CREATE TABLE orders (id int, user_id int);\n"
       "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id);",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("constraint-missing-not-valid", cases);

  const auto fk = findings_of(
      "constraint-missing-not-valid",
      "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES app.users (id);");
  ASSERT_EQ(fk.size(), 1u);
  EXPECT_EQ(fk[0].object, "table orders");
  EXPECT_EQ(fk[0].message,
            "ADD CONSTRAINT fk FOREIGN KEY without NOT VALID checks every row of table orders "
            "while blocking writes to it and to table app.users (SHARE ROW EXCLUSIVE)");
  const auto check =
      findings_of("constraint-missing-not-valid", "ALTER TABLE orders ADD CHECK (total >= 0);");
  ASSERT_EQ(check.size(), 1u);
  EXPECT_EQ(check[0].message,
            "ADD CONSTRAINT CHECK without NOT VALID checks every row of table orders under an "
            "ACCESS EXCLUSIVE lock, blocking reads and writes");
}

TEST(LintConstraintRules, ValidateInSameTransaction) {
  const std::string add_then_validate =
      "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT "
      "VALID;\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT fk;";
  const std::vector<LintCase> cases = {
      // pgdrift runs the whole file in one transaction.
      {add_then_validate, {"2:13"}},
      // Both inside one explicit BEGIN block.
      {"BEGIN;\n"
       "ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\n"
       "  ALTER TABLE orders VALIDATE CONSTRAINT c;\n"
       "COMMIT;",
       {"3:15"}},
      // Safe: the file runs outside a transaction, or a COMMIT separates them.
      {add_then_validate, {}, 150000, true},
      {"BEGIN;\n"
       "ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\n"
       "COMMIT;\n"
       "ALTER TABLE orders VALIDATE CONSTRAINT c;",
       {}},
      {"BEGIN;\n"
       "ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\n"
       "COMMIT;\n"
       "BEGIN;\n"
       "ALTER TABLE orders VALIDATE CONSTRAINT c;\n"
       "COMMIT;",
       {}},
      // Not added NOT VALID in this file, or added to another table, or to a table of this
      // migration.
      {"ALTER TABLE orders VALIDATE CONSTRAINT fk;", {}},
      {"ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);\n"
       "ALTER TABLE orders VALIDATE CONSTRAINT c;",
       {}},
      {"ALTER TABLE items ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\n"
       "ALTER TABLE orders VALIDATE CONSTRAINT c;",
       {}},
      {"CREATE TABLE orders (total int);\n"
       "ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\n"
       "ALTER TABLE orders VALIDATE CONSTRAINT c;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("validate-in-same-transaction", cases);

  const auto found = findings_of("validate-in-same-transaction", add_then_validate);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "table orders");
  EXPECT_NE(found[0].message.find(
                "VALIDATE CONSTRAINT fk on table orders runs in the transaction that added it"),
            std::string::npos);
}

TEST(LintConstraintRules, AddUniqueConstraint) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", {"1:23"}},
      {"ALTER TABLE users\n"
       "    ADD COLUMN handle text UNIQUE;",
       {"2:28"}},
      // The safe alternative: build the index concurrently, then attach it.
      {"CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n"
       "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
       {},
       150000,
       true},
      {"CREATE TABLE users (email text);\n"
       "ALTER TABLE users ADD UNIQUE (email);",
       {}},
      {"ALTER TABLE users ADD PRIMARY KEY (id);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-unique-constraint", cases);
}

TEST(LintConstraintRules, AddPrimaryKeyToExistingTable) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE users ADD PRIMARY KEY (id);", {"1:23"}},
      {"ALTER TABLE users\n"
       "  ADD CONSTRAINT users_pkey PRIMARY KEY (id);",
       {"2:7"}},
      {"ALTER TABLE users ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;",
       {"1:69"}},
      // Without a value for existing rows the statement fails: add-required-column's finding.
      {"ALTER TABLE users ADD COLUMN id bigint PRIMARY KEY;", {}},
      // The safe alternative: a unique index built concurrently, then attached.
      {"CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users (id);\n"
       "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;",
       {},
       150000,
       true},
      {"CREATE TABLE users (id int);\n"
       "ALTER TABLE users ADD PRIMARY KEY (id);",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-primary-key-to-existing-table", cases);
}

TEST(LintConstraintRules, AddExclusionConstraint) {
  const std::vector<LintCase> cases = {
      {"ALTER TABLE bookings\n"
       "  ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);",
       {"2:7"}},
      {"ALTER TABLE bookings ADD EXCLUDE USING gist (during WITH &&);", {"1:26"}},
      // Safe: the constraint comes with the table.
      {"CREATE TABLE bookings (room int, during tstzrange);\n"
       "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during "
       "WITH &&);",
       {}},
      {"ALTER TABLE bookings ADD CONSTRAINT c CHECK (room > 0);", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("add-exclusion-constraint", cases);
}

TEST(LintConstraintRules, NonConcurrentIndex) {
  const std::vector<LintCase> cases = {
      // Reported at the indexed table.
      {"CREATE INDEX users_email_idx ON users (email);", {"1:33"}},
      {"CREATE UNIQUE INDEX ON\n"
       "  app.users (email);",
       {"2:3"}},
      // Safe: concurrently, or a table of this migration.
      {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", {}},
      {"CREATE TABLE users (email text);\n"
       "CREATE INDEX users_email_idx ON users (email);",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("non-concurrent-index", cases);

  const auto found =
      findings_of("non-concurrent-index", "CREATE UNIQUE INDEX users_email_key ON users (email);");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "table users");
  EXPECT_EQ(found[0].message,
            "CREATE UNIQUE INDEX users_email_key without CONCURRENTLY blocks writes to table users "
            "until the index is built");
}

TEST(LintConstraintRules, NonConcurrentDropIndex) {
  const std::vector<LintCase> cases = {
      // Reported at the statement: the names have no location.
      {"DROP INDEX users_email_idx;", {"1:1"}},
      {"SELECT 1;\n"
       "  DROP INDEX IF EXISTS a_idx, app.b_idx;",
       {"2:3", "2:3"}},
      // Safe: concurrently, or an index created earlier in the file.
      {"DROP INDEX CONCURRENTLY users_email_idx;", {}, 150000, true},
      {"CREATE INDEX tmp_idx ON users (email);\n"
       "DROP INDEX tmp_idx;",
       {}},
      {"CREATE INDEX tmp_idx ON app.users (email);\n"
       "DROP INDEX app.tmp_idx;",
       {}},
      {"CREATE INDEX tmp_idx ON app.users (email);\n"
       "DROP INDEX other.tmp_idx;",
       {"2:1"}},
      {"DROP TABLE users;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("non-concurrent-drop-index", cases);

  const auto found = findings_of("non-concurrent-drop-index", "DROP INDEX app.users_email_idx;");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "index app.users_email_idx");
}

TEST(LintConstraintRules, NonConcurrentReindex) {
  const std::vector<LintCase> cases = {
      {"REINDEX INDEX users_email_idx;", {"1:15"}},
      {"REINDEX INDEX users_email_idx;", {"1:15"}, k_pg11},
      {"REINDEX TABLE\n"
       "  users;",
       {"2:3"}},
      {"REINDEX SCHEMA app;", {"1:1"}},
      {"REINDEX DATABASE app;", {"1:1"}},
      {"REINDEX (CONCURRENTLY false) TABLE users;", {"1:36"}},
      // Safe from 12: concurrently (outside a transaction).
      {"REINDEX INDEX CONCURRENTLY users_email_idx;", {}, k_pg12, true},
      {"REINDEX (VERBOSE, CONCURRENTLY) TABLE users;", {}, 150000, true},
      // Objects of this migration; REINDEX SYSTEM has no concurrent form.
      {"CREATE TABLE users (email text);\n"
       "REINDEX TABLE users;",
       {}},
      {"CREATE INDEX users_email_idx ON users (email);\n"
       "REINDEX INDEX users_email_idx;",
       {}},
      {"REINDEX SYSTEM app;", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("non-concurrent-reindex", cases);

  const auto modern = findings_of("non-concurrent-reindex", "REINDEX TABLE users;", k_pg12);
  ASSERT_EQ(modern.size(), 1u);
  EXPECT_EQ(modern[0].object, "table users");
  EXPECT_EQ(modern[0].message.find("before 12"), std::string::npos);
  const auto old = findings_of("non-concurrent-reindex", "REINDEX TABLE users;", k_pg11);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_NE(old[0].message.find("PostgreSQL before 12 has no REINDEX CONCURRENTLY"),
            std::string::npos);
}

TEST(LintConstraintRules, NonConcurrentDetachPartition) {
  const std::string detach = "ALTER TABLE measurements DETACH PARTITION measurements_2020;";
  const std::vector<LintCase> cases = {
      // Reported at the partition.
      {detach, {"1:43"}, k_pg14},
      {detach, {"1:43"}, k_pg13},
      {"ALTER TABLE measurements\n"
       "  DETACH PARTITION app.m_2020;",
       {"2:20"}},
      // Safe from 14: concurrently (outside a transaction), then FINALIZE if interrupted.
      {"ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;",
       {},
       k_pg14,
       true},
      {"ALTER TABLE measurements DETACH PARTITION measurements_2020 FINALIZE;", {}},
      {"CREATE TABLE measurements (at date) PARTITION BY RANGE (at);\n" + detach, {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("non-concurrent-detach-partition", cases);

  const auto modern = findings_of("non-concurrent-detach-partition", detach, k_pg14);
  ASSERT_EQ(modern.size(), 1u);
  EXPECT_EQ(modern[0].object, "table measurements");
  EXPECT_NE(modern[0].message.find("DETACH PARTITION … CONCURRENTLY does not"), std::string::npos);
  const auto old = findings_of("non-concurrent-detach-partition", detach, k_pg13);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_NE(old[0].message.find("there is no DETACH … CONCURRENTLY before PostgreSQL 14"),
            std::string::npos);
}

TEST(LintConstraintRules, ConcurrentlyInTransaction) {
  const std::vector<LintCase> cases = {
      {"BEGIN;\n"
       "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"
       "COMMIT;",
       {"2:1"}},
      {"BEGIN;\n"
       "  REINDEX TABLE CONCURRENTLY users;\n"
       "  ALTER TABLE p DETACH PARTITION c CONCURRENTLY;\n"
       "  DROP INDEX CONCURRENTLY old_idx;\n"
       "COMMIT;",
       {"2:3", "3:3", "4:3"}},
      // Safe: pgdrift runs a plain file with CONCURRENTLY outside a transaction; after COMMIT.
      {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", {}},
      {"BEGIN;\n"
       "COMMIT;\n"
       "DROP INDEX CONCURRENTLY old_idx;",
       {}},
      {"BEGIN;\n"
       "CREATE INDEX users_email_idx ON users (email);\n"
       "COMMIT;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("concurrently-in-transaction", cases);
}

TEST(LintConstraintRules, ConcurrentlyInAGolangMigrateFileWithOtherStatements) {
  // golang-migrate sends the file as one multi-statement query: an implicit transaction.
  const std::string together = "SET lock_timeout = '5s';\n  CREATE INDEX CONCURRENTLY t_a_idx ON t (a);";
  const std::string alone = "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);";
  EXPECT_EQ(positions_for("concurrently-in-transaction", together, migrations::Format::golang_migrate),
            std::vector<std::string>{"2:3"});
  EXPECT_EQ(positions_for("concurrently-in-transaction", alone, migrations::Format::golang_migrate),
            std::vector<std::string>{});
  EXPECT_EQ(positions_for("concurrently-in-transaction", together, migrations::Format::plain),
            std::vector<std::string>{});
}

TEST(LintConstraintRules, ConcurrentlyInTransactionWhenTheToolWraps) {
  const std::string sql =
      "SELECT 1;\n"
      "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);";
  for (const auto format :
       {migrations::Format::goose, migrations::Format::dbmate, migrations::Format::diesel}) {
    const auto found = findings_of("concurrently-in-transaction", sql, 150000, format);
    ASSERT_EQ(found.size(), 1u) << migrations::to_string(format);
    EXPECT_EQ(found[0].severity, Severity::error);
    EXPECT_EQ(found[0].location->line, 2);
    EXPECT_EQ(found[0].location->column, 1);
    EXPECT_NE(found[0].message.find(" runs this file in a transaction"), std::string::npos);
    EXPECT_NE(found[0].hint.find("-- +goose NO TRANSACTION"), std::string::npos);
  }
  EXPECT_NE(findings_of("concurrently-in-transaction", sql, 150000, migrations::Format::goose)[0].message.find(
                "goose runs this file in a transaction"),
            std::string::npos);
  // The file opts out of the tool's transaction: goose then runs each statement on its own...
  EXPECT_TRUE(findings_of("concurrently-in-transaction", sql, 150000, migrations::Format::goose, true).empty());
  // ...but dbmate (transaction:false) and Diesel (run_in_transaction = false) send the file as one
  // query, one implicit transaction: with another statement in the file it still fails.
  for (const auto format : {migrations::Format::dbmate, migrations::Format::diesel}) {
    const auto found = findings_of("concurrently-in-transaction", sql, 150000, format, true);
    ASSERT_EQ(found.size(), 1u) << migrations::to_string(format);
    EXPECT_NE(found[0].message.find("sends the file's statements as one query"), std::string::npos);
    EXPECT_TRUE(findings_of("concurrently-in-transaction", "CREATE INDEX CONCURRENTLY i ON users (email);", 150000,
                            format, true)
                    .empty())
        << migrations::to_string(format);
  }
  // Tools that do not always wrap (plain SQL, Flyway…) leave it to pgdrift.
  EXPECT_TRUE(
      findings_of("concurrently-in-transaction", sql, 150000, migrations::Format::flyway).empty());
}

TEST(LintConstraintRules, VacuumFullOrCluster) {
  const std::vector<LintCase> cases = {
      {"VACUUM FULL users;", {"1:13"}, 150000, true},
      {"VACUUM (FULL, ANALYZE) users, orders;", {"1:24", "1:31"}, 150000, true},
      {"VACUUM FULL;", {"1:1"}, 150000, true},
      {"CLUSTER users USING users_pkey;", {"1:9"}},
      {"SELECT 1;\n"
       "  CLUSTER;",
       {"2:3"},
       150000,
       true},
      // Safe: plain VACUUM, FULL turned off, or a table of this migration.
      {"VACUUM users;", {}, 150000, true},
      {"VACUUM (FULL false, ANALYZE) users;", {}, 150000, true},
      {"CREATE TABLE users (id int);\n"
       "CLUSTER users USING users_pkey;",
       {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("vacuum-full-or-cluster", cases);
}

TEST(LintConstraintRules, EnumAddValueInTransaction) {
  const std::string add_then_use =
      "ALTER TYPE mood ADD VALUE 'meh';\n"
      "UPDATE people SET current_mood = 'meh' WHERE current_mood = 'sad';";
  const std::string in_block =
      "BEGIN;\n"
      "ALTER TYPE mood ADD VALUE 'meh';\n"
      "COMMIT;";
  const std::vector<LintCase> cases = {
      // Before 12: the ALTER TYPE fails inside a BEGIN block; pgdrift itself runs such a file
      // outside a transaction, so a plain file is fine.
      {in_block, {"2:1"}, k_pg11},
      {"ALTER TYPE mood ADD VALUE 'meh';", {}, k_pg11},
      {add_then_use, {}, k_pg11},
      // From 12: it runs, but using the new value before COMMIT fails (reported at the literal).
      {in_block, {}, k_pg12},
      {add_then_use, {"2:34"}, k_pg12},
      {"BEGIN;\n"
       "ALTER TYPE mood ADD VALUE 'meh';\n"
       "INSERT INTO people (current_mood) VALUES ('sad'), ('meh');\n"
       "COMMIT;",
       {"3:52"},
       k_pg12},
      // Safe: no use, a COMMIT in between, or no transaction at all.
      {"ALTER TYPE mood ADD VALUE 'meh';\n"
       "UPDATE people SET current_mood = 'sad';",
       {},
       k_pg12},
      {"BEGIN;\n"
       "ALTER TYPE mood ADD VALUE 'meh';\n"
       "COMMIT;\n"
       "UPDATE people SET current_mood = 'meh';",
       {},
       k_pg12},
      {add_then_use, {}, k_pg12, true},
      {"ALTER TYPE mood RENAME VALUE 'sad' TO 'meh';\n"
       "UPDATE people SET current_mood = 'meh';",
       {},
       k_pg12},
  };
  PGDRIFT_EXPECT_LINT_CASES("enum-add-value-in-transaction", cases);

  // goose wraps every file (pgdrift's own choice does not matter): fails before 12.
  const std::string add = "ALTER TYPE app.mood ADD VALUE 'meh';";
  const auto old =
      findings_of("enum-add-value-in-transaction", add, k_pg11, migrations::Format::goose);
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].severity, Severity::error);
  EXPECT_EQ(old[0].object, "type app.mood");
  EXPECT_EQ(old[0].message,
            "ALTER TYPE app.mood ADD VALUE 'meh' runs inside a transaction block, which PostgreSQL "
            "before 12 refuses");
  EXPECT_TRUE(
      findings_of("enum-add-value-in-transaction", add, k_pg11, migrations::Format::goose, true)
          .empty());
  EXPECT_TRUE(
      findings_of("enum-add-value-in-transaction", add, k_pg12, migrations::Format::goose).empty());
}

TEST(LintConstraintRules, DomainWithConstraint) {
  const std::vector<LintCase> cases = {
      {"CREATE DOMAIN email AS text CHECK (VALUE ~ '@');", {"1:29"}},
      {"CREATE DOMAIN code AS text NOT NULL\n"
       "  CHECK (length(VALUE) = 3) CHECK (VALUE = upper(VALUE));",
       {"2:3", "2:29"}},
      {"ALTER DOMAIN email\n"
       "  ADD CONSTRAINT email_at CHECK (VALUE ~ '@') NOT VALID;",
       {"2:7"}},
      {"ALTER DOMAIN email SET NOT NULL;", {"1:1"}},
      // Safe: a domain without a CHECK, removing constraints, a CHECK on the table column.
      {"CREATE DOMAIN email AS text;", {}},
      {"ALTER DOMAIN email DROP NOT NULL;", {}},
      {"ALTER DOMAIN email DROP CONSTRAINT email_at;", {}},
      {"CREATE TABLE users (email text CHECK (email ~ '@'));", {}},
  };
  PGDRIFT_EXPECT_LINT_CASES("domain-with-constraint", cases);

  const auto found =
      findings_of("domain-with-constraint", "CREATE DOMAIN app.email AS text CHECK (VALUE ~ '@');");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].object, "domain app.email");
  EXPECT_EQ(found[0].severity, Severity::warning);
}

TEST(LintConstraintRules, EveryRuleHasItsCategoryAndTexts) {
  const std::vector<std::string> ids = {"add-not-null",
                                        "add-required-column",
                                        "constraint-missing-not-valid",
                                        "validate-in-same-transaction",
                                        "add-unique-constraint",
                                        "add-primary-key-to-existing-table",
                                        "add-exclusion-constraint",
                                        "non-concurrent-index",
                                        "non-concurrent-drop-index",
                                        "non-concurrent-reindex",
                                        "non-concurrent-detach-partition",
                                        "concurrently-in-transaction",
                                        "vacuum-full-or-cluster",
                                        "enum-add-value-in-transaction",
                                        "domain-with-constraint"};
  std::vector<std::string> listed;
  for (const auto& info : lint::all_rules()) {
    if (info.category == "constraints and locks") listed.push_back(info.id);
  }
  EXPECT_EQ(listed, ids);  // registered once each, in README order
  for (const auto& id : ids) {
    const auto* info = lint::find_rule(id);
    ASSERT_NE(info, nullptr) << id;
    EXPECT_FALSE(info->why.empty()) << id;
    EXPECT_FALSE(info->hint.empty()) << id;
  }
}

}  // namespace
}  // namespace pgdrift::test
