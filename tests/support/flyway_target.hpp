#pragma once

// A "target" database for e2e tests: what Flyway would have left after applying migrations, made
// in a database of a sandbox started through pgdrift's own sandbox module.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/history/history.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/sandbox/backend.hpp"

namespace pgdrift::testing {

// A new database of `backend` with the first `applied` of `migrations` applied and recorded in
// Flyway's history table (with Flyway's checksums), then `extra` SQL run on it.
inline db::ConnectionInfo flyway_target(sandbox::Backend& backend, const std::vector<migrations::Migration>& migrations,
                                        std::size_t applied, const std::string& extra = "") {
  const auto info = backend.create_database("target");
  auto connection = db::Connection::open(info, "pgdrift-test");
  std::string sql =
      "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description "
      "varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by "
      "varchar(100) NOT NULL DEFAULT 'ci', installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT "
      "NULL DEFAULT 1, success boolean NOT NULL);\n";
  for (std::size_t i = 0; i < applied && i < migrations.size(); ++i) {
    const auto& m = migrations[i];
    sql += m.up_sql + "\n";
    const auto checksum = history::tool_checksum(m, migrations::Format::flyway);
    sql += "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
           "success) VALUES (" + std::to_string(i + 1) + ", " + db::quote_literal(m.version) + ", " +
           db::quote_literal(m.name) + ", 'SQL', " + db::quote_literal(m.path.filename().string()) + ", " +
           (checksum ? *checksum : "NULL") + ", true);\n";
  }
  sql += extra;
  const auto result = connection->execute(sql);
  EXPECT_TRUE(result.ok) << (result.error ? result.error->message : "");
  return info;
}

}  // namespace pgdrift::testing
