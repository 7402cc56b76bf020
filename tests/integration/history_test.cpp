#include "pgdrift/history/history.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::testing {
namespace {

using history::History;
using migrations::Format;

using Lines = std::vector<std::string>;

// Each tool's history table, created as the tool creates it.
constexpr const char* k_flyway_table = R"sql(
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history"
  ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
)sql";

constexpr const char* k_golang_migrate_table =
    "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (version bigint not null primary key, "
    "dirty boolean not null);\n";

constexpr const char* k_dbmate_table =
    "create table if not exists \"public\".\"schema_migrations\" (version varchar(128) primary "
    "key);\n";

constexpr const char* k_goose_table = R"sql(
CREATE TABLE goose_db_version (
  id serial NOT NULL,
  version_id bigint NOT NULL,
  is_applied boolean NOT NULL,
  tstamp timestamp NULL default now(),
  PRIMARY KEY(id)
);
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);
)sql";

constexpr const char* k_prisma_table = R"sql(
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);
)sql";

constexpr const char* k_drizzle_table = R"sql(
CREATE SCHEMA IF NOT EXISTS "drizzle";
CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (
  id SERIAL PRIMARY KEY,
  hash text NOT NULL,
  created_at bigint
);
)sql";

constexpr const char* k_diesel_table =
    "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT "
    "NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);\n";

class HistoryTest : public SandboxTest {
 protected:
  // The migrations of tests/fixtures/migrations/<dir>.
  const std::vector<migrations::Migration>& discover(const std::string& dir, Format format) {
    m_discovery = migrations::discover(
        {std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "migrations" / dir, format, {}});
    return m_discovery.migrations;
  }
  const migrations::Migration& file(const std::string& version) const {
    for (const auto& m : m_discovery.migrations) {
      if (m.version == version) return m;
    }
    throw std::runtime_error("no fixture migration " + version);
  }
  // A fresh database in which `sql` ran.
  db::ConnectionInfo database_with(const std::string& sql) {
    const auto database = fresh_database();
    run(database, sql);
    return database;
  }
  static void run(const db::ConnectionInfo& database, const std::string& sql) {
    auto connection = db::Connection::open(database, "t");
    const auto result = connection->execute(sql);
    ASSERT_TRUE(result.ok) << (result.error ? result.error->message : "") << "\n" << sql;
  }
  static History read(const db::ConnectionInfo& database, Format format) {
    auto connection = db::Connection::open(database, "pgdrift-test");
    return history::read(*connection, format);
  }
  // "state version" per entry of compare() against the discovered migrations.
  Lines states(const History& history, Format format) const {
    Lines out;
    for (const auto& e : history::compare(m_discovery.migrations, history, format)) {
      out.push_back(history::to_string(e.state) + " " + e.version);
    }
    return out;
  }
  std::string checksum(const std::string& version, Format format) const {
    return *history::tool_checksum(file(version), format);
  }

  migrations::Discovery m_discovery;
};

TEST_F(HistoryTest, FlywayChecksumsFailuresRepeatablesAndUnknownVersions) {
  discover("flyway", Format::flyway);  // V1, V1.1, V2, V10 and R__views
  const auto database = database_with(
      std::string(k_flyway_table) +
      "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
      "checksum, installed_by, execution_time, success) VALUES "
      "(0, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '\"public\"', NULL, 'app', 0, true), "
      "(1, '1', 'init', 'SQL', 'V1__init.sql', " +
      checksum("1", Format::flyway) +
      ", 'app', 12, true), "
      "(2, '1.1', 'add email', 'SQL', 'V1.1__add_email.sql', 123456, 'app', 8, true), "
      "(3, '2', 'create posts', 'SQL', 'V2__create_posts.sql', " +
      checksum("2", Format::flyway) +
      ", 'app', 9, false), "
      "(4, '3', 'hotfix', 'SQL', 'V3__hotfix.sql', 42, 'dba', 3, true), "
      "(5, NULL, 'views', 'SQL', 'R__views.sql', -1, 'app', 4, true);\n");
  const History history = read(database, Format::flyway);
  ASSERT_TRUE(history.found);
  EXPECT_EQ("public.flyway_schema_history", history.table);
  ASSERT_EQ(6u, history.applied.size());
  EXPECT_EQ("SCHEMA", history.applied[0].type);
  EXPECT_EQ("123456", history.applied[2].checksum.value_or(""));
  EXPECT_FALSE(history.applied[3].success);
  EXPECT_TRUE(history.applied[5].repeatable);
  EXPECT_EQ("views", history.applied[5].version);
  // The changed repeatable is pending (Flyway runs it again), not a mismatch.
  EXPECT_EQ(
      (Lines{"checksum-mismatch 1.1", "failed 2", "pending 10", "pending views", "unknown 3"}),
      states(history, Format::flyway));
}

TEST_F(HistoryTest, FlywayBaselineCountsOlderVersionsAsApplied) {
  discover("flyway", Format::flyway);
  const auto database = database_with(
      std::string(k_flyway_table) +
      "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
      "checksum, installed_by, execution_time, success) VALUES "
      "(1, '1.1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'app', 0, "
      "true);\n");
  EXPECT_EQ((Lines{"pending 2", "pending 10", "pending views"}),
            states(read(database, Format::flyway), Format::flyway));
}

TEST_F(HistoryTest, GolangMigrateCurrentVersionAndDirtyState) {
  discover("golang-migrate", Format::golang_migrate);  // 000001, 000002, 000010
  const auto database = database_with(std::string(k_golang_migrate_table) +
                                      "INSERT INTO schema_migrations VALUES (2, false);\n");
  const History clean = read(database, Format::golang_migrate);
  ASSERT_TRUE(clean.found);
  EXPECT_EQ("public.schema_migrations", clean.table);
  EXPECT_EQ(Lines{"pending 000010"}, states(clean, Format::golang_migrate));

  run(database, "UPDATE schema_migrations SET dirty = true;\n");
  EXPECT_EQ((Lines{"failed 000002", "pending 000010"}),
            states(read(database, Format::golang_migrate), Format::golang_migrate));

  run(database, "UPDATE schema_migrations SET version = 11, dirty = false;\n");
  EXPECT_EQ(Lines{"unknown 11"},
            states(read(database, Format::golang_migrate), Format::golang_migrate));
}

TEST_F(HistoryTest, DbmateOneRowPerAppliedVersion) {
  discover("dbmate", Format::dbmate);
  const auto database = database_with(
      std::string(k_dbmate_table) +
      "INSERT INTO schema_migrations (version) VALUES ('20240101000000'), ('20240104000000');\n");
  EXPECT_EQ((Lines{"pending 20240102000000", "pending 20240103000000", "unknown 20240104000000"}),
            states(read(database, Format::dbmate), Format::dbmate));
}

TEST_F(HistoryTest, GooseLatestRowPerVersionDecides) {
  discover("goose", Format::goose);  // 00001, 00002, 00003
  const auto database =
      database_with(std::string(k_goose_table) +
                    "INSERT INTO goose_db_version (version_id, is_applied) VALUES "
                    "(1, true), (2, true), (3, true), (3, false), (4, true);\n");
  const History history = read(database, Format::goose);
  ASSERT_EQ(6u, history.applied.size());
  EXPECT_TRUE(history.applied[4].rolled_back);
  EXPECT_EQ((Lines{"pending 00003", "unknown 4"}), states(history, Format::goose));
}

TEST_F(HistoryTest, PrismaChecksumsFailedAndRolledBackMigrations) {
  discover("prisma", Format::prisma);  // 20240101000000_init, _add_posts, _add_index
  const std::string applied = "now() - interval '1 hour', now() - interval '2 hours'";
  const auto database = database_with(
      std::string(k_prisma_table) +
      "INSERT INTO _prisma_migrations (id, checksum, finished_at, started_at, migration_name, "
      "logs, "
      "rolled_back_at, applied_steps_count) VALUES "
      "('0c0b0a2e-0000-4000-8000-000000000001', '" +
      checksum("20240101000000", Format::prisma) +
      "', now() - interval '3 hours', now() - interval '4 hours', '20240101000000_init', NULL, "
      "NULL, 1), "
      "('0c0b0a2e-0000-4000-8000-000000000002', '" +
      std::string(64, 'e') + "', " + applied +
      ", '20240102000000_add_posts', NULL, NULL, 1), "
      "('0c0b0a2e-0000-4000-8000-000000000003', '" +
      checksum("20240103000000", Format::prisma) +
      "', NULL, now() - interval '1 minute', '20240103000000_add_index', "
      "'Database error code: 42P07\n\nDatabase error:\nERROR: relation \"Post_authorId_idx\" "
      "already exists', NULL, 0), "
      "('0c0b0a2e-0000-4000-8000-000000000004', '" +
      std::string(64, 'f') + "', " + applied + ", '20231215000000_hotfix', NULL, NULL, 1);\n");
  const History history = read(database, Format::prisma);
  ASSERT_TRUE(history.found);
  EXPECT_EQ("public._prisma_migrations", history.table);
  ASSERT_EQ(4u, history.applied.size());
  EXPECT_EQ((Lines{"checksum-mismatch 20240102000000", "failed 20240103000000",
                   "unknown 20231215000000"}),
            states(history, Format::prisma));

  // `prisma migrate resolve --rolled-back`: the failed attempt no longer counts.
  run(database,
      "UPDATE _prisma_migrations SET rolled_back_at = now() WHERE finished_at IS NULL;\n");
  EXPECT_EQ((Lines{"checksum-mismatch 20240102000000", "pending 20240103000000",
                   "unknown 20231215000000"}),
            states(read(database, Format::prisma), Format::prisma));
}

TEST_F(HistoryTest, DrizzleHashesAndJournalTimestamps) {
  discover("drizzle", Format::drizzle);  // 0000_init, 0001_add_posts, 0002_add_index
  const auto database =
      database_with(std::string(k_drizzle_table) +
                    "INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES "
                    "('" +
                    checksum("0000", Format::drizzle) +
                    "', 1704067200000), "
                    "('" +
                    std::string(64, '1') +
                    "', 1704153600000), "
                    "('" +
                    checksum("0002", Format::drizzle) +
                    "', 1704240000000), "
                    "('" +
                    std::string(64, '9') + "', 1704326400000);\n");
  const History history = read(database, Format::drizzle);
  ASSERT_TRUE(history.found);
  EXPECT_EQ("drizzle.__drizzle_migrations", history.table);
  EXPECT_EQ((Lines{"checksum-mismatch 0001", "unknown 1704326400000"}),
            states(history, Format::drizzle));

  run(database, "DELETE FROM drizzle.__drizzle_migrations WHERE created_at > 1704067200000;\n");
  EXPECT_EQ((Lines{"pending 0001", "pending 0002"}),
            states(read(database, Format::drizzle), Format::drizzle));
}

TEST_F(HistoryTest, DieselVersionsWithoutSeparators) {
  discover("diesel", Format::diesel);
  const auto database =
      database_with(std::string(k_diesel_table) +
                    "INSERT INTO __diesel_schema_migrations (version) VALUES "
                    "('00000000000000'), ('20230101000000'), ('20250101000000');\n");
  EXPECT_EQ((Lines{"pending 20240102030405", "unknown 20250101000000"}),
            states(read(database, Format::diesel), Format::diesel));
}

TEST_F(HistoryTest, AMissingTableIsNotFoundAndEverythingIsPending) {
  const auto database = fresh_database();
  for (Format format : {Format::flyway, Format::golang_migrate, Format::dbmate, Format::goose,
                        Format::prisma, Format::drizzle, Format::diesel, Format::plain}) {
    const History history = read(database, format);
    EXPECT_FALSE(history.found) << migrations::to_string(format);
    EXPECT_TRUE(history.applied.empty());
  }
  discover("goose", Format::goose);
  EXPECT_EQ((Lines{"pending 00001", "pending 00002", "pending 00003"}),
            states(read(database, Format::goose), Format::goose));
}

TEST_F(HistoryTest, ATableTheRoleCannotReadIsAnInfrastructureErrorNamingIt) {
  const std::string role = "history_reader_" + std::to_string(::getpid());
  const auto database = database_with(
      std::string(k_flyway_table) + k_drizzle_table + "DROP ROLE IF EXISTS " + role + ";\n" +
      "CREATE ROLE " + role + " LOGIN;\n" + "REVOKE ALL ON SCHEMA drizzle FROM PUBLIC;\n");
  auto restricted = database;
  restricted.user = role;
  const auto error_of = [&](Format format) -> std::string {
    try {
      read(restricted, format);
    } catch (const Error& error) {
      EXPECT_EQ(Error::Kind::infrastructure, error.kind());
      return error.what();
    }
    return "(no error)";
  };
  const std::string flyway = error_of(Format::flyway);
  EXPECT_NE(std::string::npos, flyway.find("public.flyway_schema_history")) << flyway;
  EXPECT_NE(std::string::npos, flyway.find("permission denied")) << flyway;
  const std::string drizzle = error_of(Format::drizzle);
  EXPECT_NE(std::string::npos, drizzle.find("drizzle.__drizzle_migrations")) << drizzle;
  run(database, "DROP OWNED BY " + role + "; DROP ROLE " + role + ";\n");
}

}  // namespace
}  // namespace pgdrift::testing
