#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/lint/guard.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/replay.hpp"

namespace pgdrift::testing {
namespace {

// The schema every test starts from (V1.sql), with a few rows.
const char* const k_setup =
    "CREATE TABLE users (id int PRIMARY KEY, email text, name varchar(50), nick varchar(10), age int,\n"
    "                    status text DEFAULT 'open');\n"
    "CREATE INDEX users_email_idx ON users (email);\n"
    "INSERT INTO users VALUES (1, 'ann@example.com', 'Ann', NULL, 30, 'open'),\n"
    "                         (2, 'bob@example.com', 'Bob', 'b', 41, 'open');\n"
    "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users (id), total int DEFAULT 0);\n"
    "CREATE INDEX orders_user_id_idx ON orders (user_id);\n"
    "INSERT INTO orders VALUES (1, 1, 10), (2, 2, 20);\n"
    "CREATE TABLE schema_migrations (version text PRIMARY KEY);\n";

migrations::Migration migration(int version, const std::string& sql) {
  migrations::Migration m;
  m.version = std::to_string(version);
  m.name = "step " + m.version;
  m.display_path = "V" + m.version + ".sql";
  m.path = m.display_path;
  m.source = sql;
  m.up_sql = sql;
  return m;
}

// "drop-column V2.sql:1:1 column public.users.email": rule without "destructive/", file:line:col, object.
std::string summary(const Finding& f) {
  std::string out = f.rule.substr(f.rule.find('/') + 1);
  if (f.location) {
    out += " " + f.location->file + ":" + std::to_string(f.location->line) + ":" + std::to_string(f.location->column);
  }
  return out + " " + f.object;
}

using Summaries = std::vector<std::string>;

// Every case runs twice: with pgdrift's change journal in the database (the guard re-reads only
// what the journal says changed) and without (whole-schema reads around each migration). Both must
// find the same.
class GuardTest : public SandboxTest, public ::testing::WithParamInterface<bool> {
 protected:
  virtual bool journaled() const { return GetParam(); }
  virtual void add_observers(replay::Options& options) { (void)options; }

  // Replays the setup (V1.sql) then `steps` (V2.sql, V3.sql, …) on a fresh database with a
  // DestructiveGuard; keeps the result and returns the findings' summaries.
  Summaries replay(const std::vector<std::string>& steps) {
    m_migrations.clear();
    m_migrations.push_back(migration(1, k_setup));
    int version = 2;
    for (const auto& step : steps) m_migrations.push_back(migration(version++, step));
    m_database = fresh_database();
    auto connection = db::Connection::open(m_database, "pgdrift-test");
    m_guard = std::make_unique<lint::DestructiveGuard>();
    replay::Options options;
    options.statement_timeout = std::chrono::seconds{60};
    options.observers = {m_guard.get()};
    options.journal = journaled();
    add_observers(options);
    m_result = replay::run(*connection, m_migrations, options);
    if (!journaled()) {
      EXPECT_FALSE(m_guard->journaled());
    }
    m_findings = m_guard->findings();
    Summaries out;
    for (const auto& f : m_findings) out.push_back(summary(f));
    return out;
  }
  // replay() expecting every migration to apply.
  Summaries guard(const std::vector<std::string>& steps) {
    auto out = replay(steps);
    const auto failures = replay::findings(m_result);
    EXPECT_TRUE(m_result.ok()) << (failures.empty() ? "" : failures.front().message);
    return out;
  }

  std::vector<migrations::Migration> m_migrations;
  db::ConnectionInfo m_database;
  std::unique_ptr<lint::DestructiveGuard> m_guard;
  replay::ReplayResult m_result;
  std::vector<Finding> m_findings;
};

TEST_P(GuardTest, PlainDropColumnIsOneFindingWithoutItsIndex) {
  EXPECT_EQ((Summaries{"drop-column V2.sql:2:3 column public.users.email"}),
            guard({"CREATE TABLE audit (id int, email text);\n"
                   "  ALTER TABLE users DROP COLUMN email;\n"}));
  ASSERT_EQ(1u, m_findings.size());
  const auto& f = m_findings[0];
  EXPECT_EQ("destructive/drop-column", f.rule);
  EXPECT_EQ(Severity::error, f.severity);
  EXPECT_EQ("column public.users.email (text) was dropped: its data is gone and code still using it fails",
            f.message);
  EXPECT_NE(f.hint.find("-- pgdrift:allow-destructive"), std::string::npos) << f.hint;
  EXPECT_EQ(2, f.location->end_line);
  EXPECT_EQ(38, f.location->end_column);  // the (excluded) ";"
}

TEST_P(GuardTest, DropTableHiddenInADoBlockIsCaughtOnce) {
  // orders' columns, primary key, foreign key and index go with it: one finding.
  EXPECT_EQ((Summaries{"drop-table V2.sql:2:1 table public.orders"}),
            guard({"SELECT 1;\n"
                   "DO $$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident('orders'); END $$;\n"}));
}

TEST_P(GuardTest, DropThroughAFunctionCallPointsAtTheFirstStatement) {
  EXPECT_EQ((Summaries{"drop-table V3.sql:2:3 table public.orders"}),
            guard({"CREATE FUNCTION cleanup() RETURNS void LANGUAGE plpgsql AS $$\n"
                   "BEGIN EXECUTE format('DROP TABLE %I', 'ord' || 'ers'); END $$;\n",
                   "\n  SELECT cleanup();\nSELECT 2;\n"}));
}

TEST_P(GuardTest, DroppedTableTakesItsDependentsAlongButTheyAreReported) {
  // CASCADE drops orders' foreign key to users: a constraint of a table that still exists.
  EXPECT_EQ((Summaries{"drop-table V2.sql:1:1 table public.users",
                       "drop-constraint V2.sql:1:1 constraint public.orders.orders_user_id_fkey"}),
            guard({"DROP TABLE users CASCADE;\n"}));
}

TEST_P(GuardTest, ARenameIsReportedAsARenameNotAsLostData) {
  EXPECT_EQ((Summaries{"rename V2.sql:1:1 table public.orders"}), guard({"ALTER TABLE orders RENAME TO purchases;\n"}));
  EXPECT_EQ("table public.orders was renamed to purchases: its data is kept, but code still using the old name fails",
            m_findings[0].message);
  EXPECT_EQ((Summaries{"rename V2.sql:2:1 column public.users.name"}),
            guard({"SET lock_timeout = '2s';\nALTER TABLE users RENAME COLUMN name TO full_name;\n"}));
  // Renaming an index loses nothing; the twin, a real drop of a table, is still a drop.
  EXPECT_EQ((Summaries{}), guard({"ALTER INDEX users_email_idx RENAME TO users_email_lookup;\n"}));
  EXPECT_EQ((Summaries{"drop-table V2.sql:1:1 table public.orders"}), guard({"DROP TABLE orders;\n"}));
}

// ADD CONSTRAINT … CHECK (c IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, DROP CONSTRAINT: the
// documented way to add NOT NULL without a long lock is not destructive at any step.
TEST_P(GuardTest, TheSafeNotNullRecipeIsNotReported) {
  EXPECT_EQ((Summaries{}), guard({"ALTER TABLE users ADD CONSTRAINT users_age_nn CHECK (age IS NOT NULL) NOT VALID;\n",
                                  "ALTER TABLE users VALIDATE CONSTRAINT users_age_nn;\n",
                                  "ALTER TABLE users ALTER COLUMN age SET NOT NULL;\n",
                                  "ALTER TABLE users DROP CONSTRAINT users_age_nn;\n"}));
}

TEST_P(GuardTest, NarrowingTypeIsReportedWideningIsNot) {
  // text → varchar(200) narrows too: a longer text would not fit.
  EXPECT_EQ((Summaries{"narrow-type V2.sql:4:1 column public.users.email",
                       "narrow-type V2.sql:2:1 column public.users.name"}),
            guard({"ALTER TABLE users ALTER COLUMN nick TYPE varchar(50);\n"
                   "ALTER TABLE users ALTER COLUMN name TYPE varchar(10);\n"
                   "ALTER TABLE users ALTER COLUMN age TYPE bigint;\n"
                   "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n"}));
  EXPECT_EQ(
      "column public.users.name changed type from character varying(50) to character varying(10): character "
      "varying(10) holds at most 10 characters; character varying(50) values run to 50; on real data the change "
      "fails, or values are cut or rounded",
      m_findings[1].message);
  EXPECT_EQ((Summaries{}),
            guard({"ALTER TABLE users ALTER COLUMN nick TYPE varchar(50), ALTER COLUMN age TYPE bigint;\n"
                   "ALTER TABLE users ALTER COLUMN name TYPE text;\n"
                   "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);\n"}));
}

TEST_P(GuardTest, EnumBecomingTextKeepsItsDefaultButDroppingTheTypeIsReported) {
  EXPECT_EQ((Summaries{"drop-object V4.sql:2:1 enum public.mood"}),
            guard({"CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
                   "ALTER TABLE users ADD COLUMN mood mood NOT NULL DEFAULT 'ok';\n",
                   "ALTER TABLE users ALTER COLUMN mood DROP DEFAULT, ALTER COLUMN mood TYPE text USING mood::text,\n"
                   "  ALTER COLUMN mood SET DEFAULT 'ok';\n",
                   "SELECT 1;\nDROP TYPE mood;\n"}));
}

TEST_P(GuardTest, NotNullAddedIsReported) {
  EXPECT_EQ((Summaries{"add-not-null V2.sql:3:1 column public.users.age"}),
            guard({"CREATE INDEX users_email_lower ON users (lower(email));\n"
                   "UPDATE users SET name = 'x' WHERE false;\n"
                   "ALTER TABLE users ALTER COLUMN age SET NOT NULL;\n"}));
  EXPECT_EQ("column public.users.age became NOT NULL: code that inserts or sets NULL there now fails",
            m_findings[0].message);
}

TEST_P(GuardTest, DefaultChangedOrRemovedIsReported) {
  EXPECT_EQ((Summaries{"change-default V2.sql:2:1 column public.orders.total",
                       "change-default V2.sql:1:1 column public.users.status"}),
            guard({"ALTER TABLE users ALTER COLUMN status SET DEFAULT 'new';\n"
                   "ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;\n"
                   "ALTER TABLE users ALTER COLUMN age SET DEFAULT 18;\n"}));  // a new default is fine
  EXPECT_EQ(
      "the default of column public.orders.total (0) was removed: code that leaves the column out now stores "
      "NULL",
      m_findings[0].message);
  EXPECT_EQ(
      "the default of column public.users.status changed from 'open'::text to 'new'::text: code that leaves "
      "the column out now stores the new value",
      m_findings[1].message);
}

TEST_P(GuardTest, DroppedIndexIsReported) {
  EXPECT_EQ((Summaries{"drop-index V2.sql:2:5 index public.users.users_email_idx"}),
            guard({"SELECT 1;\n    DROP INDEX users_email_idx;\n"}));
  EXPECT_EQ(Severity::warning, m_findings[0].severity) << "dropping an index loses no data";
}

// Widenings a team does every day are not narrowings: to text, citext ↔ text, a longer varchar,
// more numeric digits. The twins narrow.
TEST_P(GuardTest, WideningsToTextAndLongerTypesAreNotReported) {
  EXPECT_EQ((Summaries{}), guard({"ALTER TABLE users ALTER COLUMN age TYPE text;\n"
                                  "ALTER TABLE users ALTER COLUMN nick TYPE varchar(21);\n"
                                  "ALTER TABLE orders ALTER COLUMN total TYPE numeric(15,5);\n"}));
  EXPECT_EQ((Summaries{"narrow-type V2.sql:1:1 column public.users.email"}),
            guard({"ALTER TABLE users ALTER COLUMN email TYPE varchar(100);\n"}));
}

TEST_P(GuardTest, WhatAMigrationCreatesAndDropsIsNotReportedNorAreHistoryTables) {
  EXPECT_EQ((Summaries{}), guard({"CREATE TABLE scratch (id int PRIMARY KEY, v text);\n"
                                  "CREATE INDEX scratch_v ON scratch (v);\n"
                                  "DROP TABLE scratch;\n"
                                  "DROP TABLE schema_migrations;\n"}));
}

TEST_P(GuardTest, EachMigrationIsComparedWithTheOneBeforeFromOneSnapshotEach) {
  // None of them only adds, so each is snapshotted after, and its "after" is the next one's "before".
  EXPECT_EQ(
      (Summaries{"drop-column V2.sql:1:1 column public.users.nick", "drop-column V3.sql:1:1 column public.users.age",
                 "drop-object V4.sql:2:1 function public.cleanup()"}),
      guard({"ALTER TABLE users DROP COLUMN nick;\n"
             "CREATE FUNCTION cleanup() RETURNS void LANGUAGE sql AS 'SELECT 1';\n",
             "ALTER TABLE users DROP COLUMN age;\n", "SELECT 1;\nDROP FUNCTION cleanup();\n"}));
  if (journaled()) {
    // One whole read before V2, then after each of V2…V4 only what the journal names.
    EXPECT_EQ(1u, m_guard->snapshots());
    EXPECT_EQ(3u, m_guard->focused_reads());
  } else {
    EXPECT_EQ(4u, m_guard->snapshots());  // before V2, then after each of V2…V4 (V1 only adds)
    EXPECT_EQ(0u, m_guard->focused_reads());
  }
  std::cout << "[ guard    ] " << m_guard->snapshots() << " whole and " << m_guard->focused_reads()
            << " focused reads, " << m_guard->snapshot_ms() << " ms\n";
}

TEST_P(GuardTest, MigrationsThatOnlyAddAreNotSnapshottedYetWhatTheyAddIsGuarded) {
  EXPECT_EQ((Summaries{"drop-table V4.sql:1:1 table public.tags"}),
            guard({"CREATE TABLE tags (id int PRIMARY KEY, label text);\n"
                   "CREATE INDEX tags_label ON tags (lower(label));\n"
                   "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();\n",
                   "COMMENT ON TABLE tags IS 'labels';\n", "DROP TABLE tags;\n"}));
  // Only around V4: no trigger or user function runs on V1's INSERTs. With the journal, after V4
  // only tags is read again.
  EXPECT_EQ(journaled() ? 1u : 2u, m_guard->snapshots());
  EXPECT_EQ(journaled() ? 1u : 0u, m_guard->focused_reads());
}

TEST_P(GuardTest, WritesAreSnapshottedWhenUserCodeRunsOnThem) {
  // A trigger drops orders when a user is inserted.
  EXPECT_EQ((Summaries{"drop-table V3.sql:1:1 table public.orders"}),
            guard({"CREATE FUNCTION trap() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   "BEGIN EXECUTE 'DROP TABLE IF EXISTS ' || 'ord' || 'ers CASCADE'; RETURN NEW; END $$;\n"
                   "CREATE TRIGGER trap AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION trap();\n",
                   "INSERT INTO users (id, email) VALUES (3, 'eve@example.com');\n"}));
}

TEST_P(GuardTest, WritesRunningATriggerAddedInTheSameMigrationAreSnapshotted) {
  EXPECT_EQ((Summaries{"drop-table V2.sql:1:1 table public.orders"}),
            guard({"CREATE FUNCTION trap() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   "BEGIN EXECUTE 'DROP TABLE IF EXISTS ' || 'ord' || 'ers CASCADE'; RETURN NEW; END $$;\n"
                   "CREATE TRIGGER trap AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION trap();\n"
                   "INSERT INTO users (id, email) VALUES (3, 'eve@example.com');\n"}));
}

TEST_P(GuardTest, EventTriggersMakeEveryMigrationSnapshotted) {
  // An event trigger drops orders behind an innocent CREATE TABLE.
  EXPECT_EQ(
      (Summaries{"drop-table V3.sql:1:1 table public.orders"}),
      guard({"CREATE FUNCTION trap() RETURNS event_trigger LANGUAGE plpgsql AS $$\n"
             "BEGIN EXECUTE 'DROP TABLE IF EXISTS ' || 'ord' || 'ers'; END $$;\n"
             "CREATE EVENT TRIGGER trap ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION trap();\n",
             "CREATE TABLE innocent (id int);\n"}));
}

TEST_P(GuardTest, FailedMigrationIsNotCompared) {
  EXPECT_EQ((Summaries{}), replay({"ALTER TABLE users DROP COLUMN email;\n"
                                   "SELECT 1 / 0;\n"}));
  ASSERT_EQ(2u, m_result.migrations.size());
  EXPECT_EQ(replay::Status::failed, m_result.migrations[1].status);
  EXPECT_EQ(1u, m_guard->snapshots());  // before V2 (V1 only adds); none after it
}

// What the journal cannot follow is still caught: a rename built at run time in a DO block, a
// drop while the session is a replica (where event triggers do not fire).
TEST_P(GuardTest, ChangesHiddenFromTheJournalAreStillCaught) {
  EXPECT_EQ((Summaries{"rename V2.sql:1:1 column public.users.nick"}),
            guard({"DO $$ BEGIN EXECUTE 'ALTER TABLE users RENA' || 'ME COLUMN nick TO handle'; END $$;\n"}));
  EXPECT_EQ((Summaries{"drop-column V3.sql:1:1 column public.users.age"}),
            guard({"SET session_replication_role = replica;\nCREATE TABLE notes (id int);\n",
                   "ALTER TABLE users DROP COLUMN age;\n"}));
  // The twin: the same session setting, then a migration that only adds.
  EXPECT_EQ((Summaries{}), guard({"SET session_replication_role = replica;\nCREATE TABLE notes (id int);\n",
                                  "ALTER TABLE users ADD COLUMN bio text;\n"}));
}

// Checks the guard's model after each migration against a whole read of the database (observers
// run in order: the guard first).
struct Checker : lint::ReplayObserver {
  lint::DestructiveGuard* guard = nullptr;
  std::vector<std::string> mismatches;
  std::size_t checked = 0;
  void before_migration(db::Connection&, const migrations::Migration&) override {}
  void after_statement(db::Connection&, const migrations::Migration&, const sql::Statement&, std::size_t,
                       std::string_view) override {}
  void after_migration(db::Connection& connection, const migrations::Migration& m, bool applied) override {
    if (!applied) return;
    const auto* tracked = guard->tracked_model(connection);
    if (tracked == nullptr) return;
    ++checked;
    const auto whole = catalog::introspect(connection);
    if (tracked->objects != whole.objects) mismatches.push_back(m.display_path);
  }
  void finish(db::Connection&) override {}
  std::vector<Finding> findings() const override { return {}; }
};

// Cases about the journal itself; the guard's model is checked against a whole read after each
// migration.
class JournalGuardTest : public GuardTest {
 protected:
  bool journaled() const override { return true; }
  void add_observers(replay::Options& options) override {
    m_checker.guard = m_guard.get();
    options.observers.push_back(&m_checker);
  }
  Checker m_checker;
};

// A table attached as a partition shows its columns on the parent from then on: nothing is lost.
// The twin detaches and drops it.
TEST_P(GuardTest, AttachingAPartitionLosesNoColumn) {
  const std::string setup =
      "CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);\n"
      "CREATE TABLE events_2026 (id int, at date NOT NULL);\n"
      "INSERT INTO events_2026 VALUES (1, '2026-03-01');\n";
  const std::string attach = "ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n";
  EXPECT_EQ((Summaries{}), guard({setup, attach}));
  EXPECT_EQ((Summaries{"drop-table V4.sql:2:1 table public.events_2026"}),
            guard({setup, attach, "ALTER TABLE events DETACH PARTITION events_2026;\nDROP TABLE events_2026;\n"}));
}

INSTANTIATE_TEST_SUITE_P(Reads, GuardTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "journal" : "whole";
                         });

// A migration that switches the journal off: the guard notices and reads whole schemas from then on.
TEST_F(JournalGuardTest, AJournalSwitchedOffFallsBackToWholeReads) {
  EXPECT_EQ((Summaries{"drop-column V3.sql:1:1 column public.users.age"}),
            guard({"ALTER EVENT TRIGGER pgdrift_journal_drop DISABLE;\nALTER TABLE users ADD COLUMN bio text;\n",
                   "ALTER TABLE users DROP COLUMN age;\n"}));
  EXPECT_FALSE(m_guard->journaled());
  EXPECT_EQ(std::vector<std::string>{}, m_checker.mismatches);
}

// Code the guard only learns about from the journal: a table renamed by a DO block (a foreign key
// of another table now names it), a partition attached by one. The model stays the database's.
TEST_F(JournalGuardTest, CodeThatRenamesOrAttachesKeepsTheModelTrue) {
  EXPECT_EQ((Summaries{"rename V2.sql:1:1 table public.users"}),
            guard({"DO $$ BEGIN EXECUTE format('ALTER TABLE %I RENAME TO %I', 'users', 'people'); END $$;\n"}));
  EXPECT_EQ(std::vector<std::string>{}, m_checker.mismatches);
  EXPECT_TRUE(m_guard->journaled());
  EXPECT_EQ((Summaries{}),
            guard({"CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);\n"
                   "CREATE TABLE events_2026 (id int, at date NOT NULL);\n",
                   "DO $$ BEGIN EXECUTE 'ALTER TABLE events ATTACH PARTITION events_2026'\n"
                   "  || ' FOR VALUES FROM (''2026-01-01'') TO (''2027-01-01'')'; END $$;\n",
                   "ALTER TABLE users ADD COLUMN bio text;\nALTER TABLE events ADD COLUMN note text;\n"}));
  EXPECT_EQ(std::vector<std::string>{}, m_checker.mismatches);
}

// The model the guard keeps from the journal equals a whole read of the database after every
// migration of a 54-migration history (creates, renames, drops, retypes, enums, views, functions),
// and the findings equal those of whole reads.
TEST_F(JournalGuardTest, TheTrackedModelIsTheDatabasesAfterEveryMigrationOfALongHistory) {
  const auto discovery = migrations::discover(
      {std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "long-history", migrations::Format::automatic, {}});
  ASSERT_GE(discovery.migrations.size(), 50u);

  std::vector<std::string> found[2];
  for (const bool journal : {true, false}) {
    const auto database = fresh_database();
    auto connection = db::Connection::open(database, "pgdrift-test");
    lint::DestructiveGuard guard;
    Checker checker;
    checker.guard = &guard;  // a local guard: both modes in one test
    replay::Options options;
    options.statement_timeout = std::chrono::seconds{60};
    options.journal = journal;
    options.observers = {&guard};
    if (journal) options.observers.push_back(&checker);  // whole reads are the database's by definition
    const auto result = replay::run(*connection, discovery.migrations, options);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(journal, guard.journaled());
    EXPECT_EQ(std::vector<std::string>{}, checker.mismatches) << (journal ? "journal" : "whole");
    if (journal) {
      // Every migration from the first one compared (V1…V10 only create and add).
      EXPECT_GE(checker.checked, 40u);
      EXPECT_GT(guard.focused_reads(), 10u);
    }
    for (const auto& f : guard.findings()) found[journal ? 0 : 1].push_back(summary(f) + " " + f.message);
  }
  EXPECT_EQ(found[1], found[0]);
  EXPECT_GE(found[0].size(), 5u);  // the history drops, renames and retypes
}

}  // namespace
}  // namespace pgdrift::testing
