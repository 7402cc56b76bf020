#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgdrift/sql/statement.hpp"

namespace pgdrift::sql {
namespace {

const char* name_of(TransactionNeed need) {
  switch (need) {
    case TransactionNeed::any:
      return "any";
    case TransactionNeed::outside_transaction:
      return "outside";
    case TransactionNeed::transaction_control:
      return "control";
  }
  return "?";
}

// "<need>" or "<need>: <description>" for the single statement in `sql`.
std::string render(const std::string& sql, int server_version_num) {
  const std::vector<Statement> statements = split(sql);
  if (statements.size() != 1)
    return "expected one statement, got " + std::to_string(statements.size());
  const std::string description = describe_need(statements[0]);
  std::string out = name_of(transaction_need(statements[0], server_version_num));
  if (!description.empty()) out += ": " + description;
  return out;
}

struct Case {
  const char* sql;
  int server_version_num;
  const char* expected;
};

TEST(TransactionNeed, ClassifiesStatements) {
  const std::vector<Case> cases = {
      {"CREATE TABLE t (a int)", 150000, "any"},
      {"CREATE INDEX i ON t (a)", 150000, "any"},
      {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)", 150000,
       "outside: CREATE INDEX CONCURRENTLY"},
      {"DROP INDEX i", 150000, "any"},
      {"DROP INDEX CONCURRENTLY IF EXISTS i", 150000, "outside: DROP INDEX CONCURRENTLY"},
      {"REINDEX TABLE t", 150000, "any"},
      {"REINDEX INDEX CONCURRENTLY i", 150000, "outside: REINDEX CONCURRENTLY"},
      {"REINDEX (CONCURRENTLY) TABLE t", 150000, "outside: REINDEX CONCURRENTLY"},
      {"REINDEX (VERBOSE) TABLE CONCURRENTLY t", 150000, "outside: REINDEX CONCURRENTLY"},
      {"REINDEX (CONCURRENTLY false) TABLE t", 150000, "any"},
      {"REINDEX (CONCURRENTLY 0) TABLE t", 150000, "any"},
      {"REINDEX DATABASE d", 150000, "outside: REINDEX DATABASE"},
      {"REINDEX SCHEMA s", 150000, "outside: REINDEX SCHEMA"},
      {"ALTER TABLE p DETACH PARTITION c", 150000, "any"},
      {"ALTER TABLE p DETACH PARTITION c CONCURRENTLY", 150000,
       "outside: DETACH PARTITION CONCURRENTLY"},
      {"ALTER TABLE p DETACH PARTITION c FINALIZE", 150000, "any"},
      {"ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1)", 150000, "any"},
      {"ANALYZE t", 150000, "any"},
      {"VACUUM t", 150000, "outside: VACUUM"},
      {"VACUUM (ANALYZE) t", 150000, "outside: VACUUM"},
      {"CREATE DATABASE d", 150000, "outside: CREATE DATABASE"},
      {"DROP DATABASE d", 150000, "outside: DROP DATABASE"},
      {"CREATE TABLESPACE ts LOCATION '/x'", 150000, "outside: CREATE TABLESPACE"},
      {"DROP TABLESPACE ts", 150000, "outside: DROP TABLESPACE"},
      {"ALTER SYSTEM SET work_mem = '64MB'", 150000, "outside: ALTER SYSTEM"},
      {"ALTER TYPE mood ADD VALUE 'meh'", 110000, "outside: ALTER TYPE … ADD VALUE"},
      {"ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'", 119999,
       "outside: ALTER TYPE … ADD VALUE"},
      // The description does not depend on the server; the need does.
      {"ALTER TYPE mood ADD VALUE 'meh'", 120000, "any: ALTER TYPE … ADD VALUE"},
      {"ALTER TYPE mood RENAME VALUE 'a' TO 'b'", 110000, "any"},
      {"CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", 150000,
       "outside: CREATE SUBSCRIPTION"},
      {"ALTER SUBSCRIPTION s REFRESH PUBLICATION", 150000,
       "outside: ALTER SUBSCRIPTION … REFRESH PUBLICATION"},
      {"ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false)", 150000, "any"},
      {"ALTER DATABASE d SET TABLESPACE ts", 150000, "outside: ALTER DATABASE … SET TABLESPACE"},
      {"ALTER DATABASE d CONNECTION LIMIT 5", 150000, "any"},
      {"ALTER DATABASE d SET work_mem = '1MB'", 150000, "any"},
      {"CLUSTER", 150000, "outside: CLUSTER"},
      {"CLUSTER t USING i", 150000, "any"},
      {"DISCARD ALL", 150000, "outside: DISCARD ALL"},
      {"DISCARD PLANS", 150000, "any"},
      {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 150000, "any"},
      {"CREATE INDEX CONCURRENTLY ON", 150000, "any"},  // does not parse
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    EXPECT_EQ(c.expected, render(c.sql, c.server_version_num));
  }
}

TEST(TransactionNeed, RecognisesTransactionControl) {
  const std::vector<Case> cases = {
      {"BEGIN", 150000, "control: BEGIN"},
      {"BEGIN ISOLATION LEVEL SERIALIZABLE", 150000, "control: BEGIN"},
      {"START TRANSACTION", 150000, "control: START TRANSACTION"},
      {"COMMIT", 150000, "control: COMMIT"},
      {"END", 150000, "control: COMMIT"},
      {"COMMIT AND CHAIN", 150000, "control: COMMIT"},
      {"ROLLBACK", 150000, "control: ROLLBACK"},
      {"ABORT", 150000, "control: ROLLBACK"},
      {"SAVEPOINT a", 150000, "control: SAVEPOINT"},
      {"RELEASE a", 150000, "control: RELEASE SAVEPOINT"},
      {"ROLLBACK TO a", 150000, "control: ROLLBACK TO SAVEPOINT"},
      {"PREPARE TRANSACTION 'x'", 150000, "control: PREPARE TRANSACTION"},
      {"COMMIT PREPARED 'x'", 150000, "control: COMMIT PREPARED"},
      {"ROLLBACK PREPARED 'x'", 150000, "control: ROLLBACK PREPARED"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    EXPECT_EQ(c.expected, render(c.sql, c.server_version_num));
  }
}

TEST(TransactionNeed, StatementWithoutTreeNeedsNothing) {
  const Statement statement;
  EXPECT_EQ(TransactionNeed::any, transaction_need(statement, 110000));
  EXPECT_EQ("", describe_need(statement));
}

}  // namespace
}  // namespace pgdrift::sql
