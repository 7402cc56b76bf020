#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/db/connection.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::testing {
namespace {

class ConnectionTest : public SandboxTest {
 protected:
  // The names of the session's prepared statements, sorted, comma-separated.
  static std::string prepared(db::Connection& connection) {
    const auto rows = connection.query(
        "SELECT coalesce(string_agg(name, ',' ORDER BY name), '') AS names FROM "
        "pg_prepared_statements");
    return rows.at(0, "names").value_or("?");
  }
};

TEST_F(ConnectionTest, PreparedStatementRunsWithTextParametersUntilDeallocated) {
  auto connection = db::Connection::open(fresh_database(), "pgdrift-test");
  ASSERT_TRUE(connection->execute("CREATE TABLE t (id int, name text)").ok);
  ASSERT_TRUE(connection->execute("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, NULL)").ok);
  connection->prepare("pgdrift_test_names",
                      "SELECT id, name FROM t WHERE id >= $1 AND id <= $2 ORDER BY id");
  EXPECT_EQ("pgdrift_test_names", prepared(*connection));

  // More executions than the server needs to switch to a generic plan: the rows follow the values.
  for (int from = 1; from <= 8; ++from) {
    SCOPED_TRACE(from);
    const auto rows = connection->query_prepared("pgdrift_test_names", {std::to_string(from), "3"});
    ASSERT_EQ(from <= 3 ? 4u - static_cast<unsigned>(from) : 0u, rows.size());
    if (rows.size() == 0) continue;
    EXPECT_EQ(std::to_string(from), rows.at(0, "id").value_or(""));
    EXPECT_FALSE(rows.at(rows.size() - 1, "name").has_value()) << "row 3 has a NULL name";
  }
  // A NULL parameter compares as NULL: no row.
  EXPECT_EQ(0u, connection->query_prepared("pgdrift_test_names", {std::nullopt, "3"}).size());

  // It outlives a rolled-back transaction that prepared and ran it.
  ASSERT_TRUE(connection->execute("BEGIN").ok);
  connection->prepare("pgdrift_test_in_tx", "SELECT $1::int + 1 AS n");
  EXPECT_EQ("42", connection->query_prepared("pgdrift_test_in_tx", {"41"}).at(0, "n").value_or(""));
  ASSERT_TRUE(connection->execute("ROLLBACK").ok);
  EXPECT_EQ("pgdrift_test_in_tx,pgdrift_test_names", prepared(*connection));

  connection->deallocate("pgdrift_test_names");
  connection->deallocate("pgdrift_test_in_tx");
  EXPECT_EQ("", prepared(*connection));
  EXPECT_FALSE(connection->in_transaction());
}

TEST_F(ConnectionTest, PreparedStatementErrorsAreInfrastructureErrorsNamingTheStatement) {
  auto connection = db::Connection::open(fresh_database(), "pgdrift-test");
  struct Case {
    std::string what;
    std::function<void()> run;
    std::string expected;  // part of the message
  };
  const std::vector<Case> cases = {
      {"invalid SQL", [&] { connection->prepare("pgdrift_bad", "SELEC 1"); },
       "preparing statement pgdrift_bad failed on "},
      {"unknown table", [&] { connection->prepare("pgdrift_bad", "SELECT * FROM no_such_table"); },
       "relation \"no_such_table\" does not exist"},
      {"no such statement", [&] { connection->query_prepared("pgdrift_missing", {"1"}); },
       "prepared statement pgdrift_missing failed on "},
      {"wrong parameter count",
       [&] {
         connection->prepare("pgdrift_one", "SELECT $1::int AS n");
         connection->query_prepared("pgdrift_one", {"1", "2"});
       },
       "prepared statement pgdrift_one failed on "},
      {"bad parameter value", [&] { connection->query_prepared("pgdrift_one", {"x"}); },
       "invalid input syntax for type integer"},
      {"name in use", [&] { connection->prepare("pgdrift_one", "SELECT 2"); }, "already exists"},
      {"deallocating twice",
       [&] {
         connection->deallocate("pgdrift_one");
         connection->deallocate("pgdrift_one");
       },
       "deallocating statement pgdrift_one failed on "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    try {
      c.run();
      ADD_FAILURE() << "no error";
    } catch (const Error& e) {
      EXPECT_EQ(Error::Kind::infrastructure, e.kind());
      EXPECT_NE(std::string::npos, std::string(e.what()).find(c.expected)) << e.what();
    }
  }
  // The connection is still usable after each failure.
  EXPECT_EQ("1", connection->query("SELECT 1 AS n").at(0, "n").value_or(""));
}

}  // namespace
}  // namespace pgdrift::testing
