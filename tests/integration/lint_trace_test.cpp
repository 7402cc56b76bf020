#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/lint/lint.hpp"
#include "pgdrift/lint/trace.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/replay.hpp"

namespace pgdrift::testing {
namespace {

// Two tables with a few rows, created by the first migration: "pre-existing" for later ones.
const char* const k_setup =
    "CREATE TABLE users (id int PRIMARY KEY, email text, age int);\n"
    "INSERT INTO users SELECT g, 'u' || g || '@example.com', g FROM generate_series(1, 20) g;\n"
    "CREATE TABLE orders (id int PRIMARY KEY, user_id int, total int);\n"
    "INSERT INTO orders SELECT g, g % 20 + 1, g * 10 FROM generate_series(1, 50) g;\n";

struct Step {
  std::string sql;
  bool no_transaction = false;  // the file opts out of the wrapping transaction
};

migrations::Migration migration(int version, const Step& step) {
  migrations::Migration m;
  m.version = std::to_string(version);
  m.name = "step " + m.version;
  m.display_path = "V" + m.version + ".sql";
  m.path = m.display_path;
  m.source = step.sql;
  m.up_sql = step.sql;
  m.no_transaction = step.no_transaction;
  if (step.no_transaction) m.transaction_reason = "test";
  return m;
}

// "lock-taken V2.sql:1:1 table public.users": rule without "lint/", file:line:col, object.
std::string summary(const Finding& f) {
  std::string out = f.rule.substr(f.rule.find('/') + 1);
  if (f.location) {
    out += " " + f.location->file + ":" + std::to_string(f.location->line) + ":" + std::to_string(f.location->column);
  }
  return out + " " + f.object;
}

class TraceTest : public SandboxTest {
 protected:
  // Replays the setup migration then `steps` (V2.sql, V3.sql, …) on a fresh database with a
  // Tracer, optionally with no observer at all (to compare); keeps the result and the findings.
  void replay(const std::vector<Step>& steps, bool traced = true) {
    m_migrations.clear();
    m_migrations.push_back(migration(1, {k_setup}));
    int version = 2;
    for (const auto& step : steps) m_migrations.push_back(migration(version++, step));
    m_database = fresh_database();
    auto connection = db::Connection::open(m_database, "pgdrift-test");
    m_tracer = std::make_unique<lint::Tracer>();
    replay::Options options;
    options.statement_timeout = std::chrono::seconds{60};
    if (traced) options.observers = {m_tracer.get()};
    m_result = replay::run(*connection, m_migrations, options);
    m_findings = m_tracer->findings();
  }
  // Replays and expects every migration to apply; returns the findings' summaries.
  std::vector<std::string> trace(const std::vector<Step>& steps) {
    replay(steps);
    const auto failures = replay::findings(m_result);
    EXPECT_TRUE(m_result.ok()) << (failures.empty() ? "" : failures.front().message);
    std::vector<std::string> out;
    for (const auto& f : m_findings) out.push_back(summary(f));
    return out;
  }
  // The finding whose summary() is `expected`; a test failure when there is none.
  const Finding& find(const std::string& expected) const {
    for (const auto& f : m_findings) {
      if (summary(f) == expected) return f;
    }
    ADD_FAILURE() << "no finding " << expected;
    static const Finding k_none;
    return k_none;
  }

  // Before PostgreSQL 15 a table's scans are only counted once it is locked in the transaction.
  static bool scans_counted_across_transactions() {
    return std::stoi(backend().server_version()) >= 15;
  }

  std::vector<migrations::Migration> m_migrations;
  db::ConnectionInfo m_database;
  std::unique_ptr<lint::Tracer> m_tracer;
  replay::ReplayResult m_result;
  std::vector<Finding> m_findings;
};

using Summaries = std::vector<std::string>;

TEST_F(TraceTest, ConstantDefaultAddColumnLocksButDoesNotRewrite) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:2:3 table public.users"}),
            trace({{"-- a flag with a constant default: no rewrite since PostgreSQL 11\n"
                    "  ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;\n"}}));
  const auto& f = find("lock-taken V2.sql:2:3 table public.users");
  EXPECT_EQ("lint/lock-taken", f.rule);
  EXPECT_EQ(Severity::warning, f.severity);
  EXPECT_EQ("ALTER TABLE took an ACCESS EXCLUSIVE lock on table public.users: reads and writes of it wait until the "
            "transaction ends",
            f.message);
  EXPECT_EQ(2, f.location->end_line);  // the statement's end (the ';' excluded)
  EXPECT_EQ(68, f.location->end_column);  // the (excluded) ";"
  EXPECT_FALSE(f.hint.empty());
}

TEST_F(TraceTest, VolatileDefaultRewritesTheTable) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users", "table-rewrite V2.sql:1:1 table public.users"}),
            trace({{"ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();\n"}}));
  EXPECT_EQ("ALTER TABLE rewrote table public.users: every row was copied to a new file while reads and writes of it "
            "waited",
            find("table-rewrite V2.sql:1:1 table public.users").message);
}

TEST_F(TraceTest, IntToBigintRewritesTheTableOnceNotItsIndexes) {
  // users_pkey gets a new file too, as part of the table's rewrite: reported once, as the table.
  EXPECT_EQ((Summaries{"lock-taken V2.sql:2:1 table public.users", "table-rewrite V2.sql:2:1 table public.users"}),
            trace({{"SET lock_timeout = '5s';\n"
                    "ALTER TABLE users ALTER COLUMN id TYPE bigint, ALTER COLUMN age TYPE bigint;\n"}}));
}

TEST_F(TraceTest, ReindexRebuildsTheIndexUnderALockThatBlocksTheTable) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users", "table-rewrite V2.sql:1:1 index public.users_pkey"}),
            trace({{"REINDEX INDEX users_pkey;\n"}}));
  EXPECT_EQ("REINDEX took an ACCESS EXCLUSIVE lock on index public.users_pkey: reads and writes of table "
            "public.users wait until the transaction ends",
            find("lock-taken V2.sql:1:1 table public.users").message);
}

TEST_F(TraceTest, CreateIndexTakesAShareLock) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users"}),
            trace({{"CREATE INDEX users_email_idx ON users (email);\n"}}));
  EXPECT_EQ("CREATE INDEX took a SHARE lock on table public.users: writes to it wait until the transaction ends",
            find("lock-taken V2.sql:1:1 table public.users").message);
}

TEST_F(TraceTest, CreateIndexConcurrentlyTakesNoBlockingLock) {
  EXPECT_EQ(Summaries{}, trace({{"CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"}}));
  EXPECT_FALSE(m_result.migrations[1].in_transaction);
}

TEST_F(TraceTest, SetNotNullScansTheTable) {
  if (!scans_counted_across_transactions()) GTEST_SKIP() << "needs PostgreSQL 15+";
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users", "validation-scan V2.sql:1:1 table public.users"}),
            trace({{"ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"}}));
  EXPECT_EQ("ALTER TABLE read every row of table public.users to check it while holding an ACCESS EXCLUSIVE lock: "
            "reads and writes of it wait for the whole scan",
            find("validation-scan V2.sql:1:1 table public.users").message);
}

TEST_F(TraceTest, SetNotNullAfterAValidatedCheckDoesNotScan) {
  // The safe sequence, one migration per step: NOT VALID (brief lock, no scan), VALIDATE (scans
  // under SHARE UPDATE EXCLUSIVE, which blocks nobody), then SET NOT NULL (no scan).
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users", "lock-taken V4.sql:1:1 table public.users"}),
            trace({{"ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n"},
                   {"ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n"},
                   {"ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"}}));
}

TEST_F(TraceTest, ValidateInTheSameTransactionScansUnderTheEarlierLock) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users",
                       "lock-held-across-statements V2.sql:2:1 table public.users",
                       "validation-scan V2.sql:2:1 table public.users"}),
            trace({{"ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0) NOT VALID;\n"
                    "ALTER TABLE users VALIDATE CONSTRAINT users_age_positive;\n"}}));
}

TEST_F(TraceTest, ForeignKeyWithoutIndexIsReportedWhereItWasCreated) {
  const auto summaries = trace({{"\n"
                                 "ALTER TABLE orders\n"
                                 "  ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);\n"}});
  // Both tables get SHARE ROW EXCLUSIVE; orders is scanned to validate the key.
  EXPECT_NE(std::find(summaries.begin(), summaries.end(), "lock-taken V2.sql:2:1 table public.orders"), summaries.end());
  EXPECT_NE(std::find(summaries.begin(), summaries.end(), "lock-taken V2.sql:2:1 table public.users"), summaries.end());
  if (scans_counted_across_transactions()) {
    EXPECT_NE(std::find(summaries.begin(), summaries.end(), "validation-scan V2.sql:2:1 table public.orders"),
              summaries.end());
  }
  EXPECT_EQ("ALTER TABLE took a SHARE ROW EXCLUSIVE lock on table public.users: writes to it wait until the "
            "transaction ends",
            find("lock-taken V2.sql:2:1 table public.users").message);
  const auto& f = find("foreign-key-without-index V2.sql:2:1 constraint public.orders.orders_user_id_fkey");
  EXPECT_EQ("foreign key orders_user_id_fkey on table public.orders (user_id) has no index starting with its columns: "
            "each DELETE from public.users, or UPDATE of its key, scans public.orders",
            f.message);
  EXPECT_EQ("CREATE INDEX CONCURRENTLY ON public.orders (user_id);", f.fix);
  EXPECT_EQ(summaries.back(), summary(f)) << "reported after the last migration";
}

TEST_F(TraceTest, ForeignKeyWithALeadingIndexIsNotReported) {
  const auto summaries = trace({{"CREATE INDEX orders_total_user_idx ON orders (total, user_id);\n"
                                 "CREATE INDEX orders_user_total_idx ON orders (user_id, total);\n"},
                                {"CREATE TABLE items (order_id int REFERENCES orders, total int);\n"
                                 "CREATE INDEX items_total_order_idx ON items (total, order_id);\n"},
                                {"ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;\n"}});
  // orders (user_id, total) serves orders → users; items has an index, but not starting with order_id.
  std::vector<std::string> keys;
  for (const auto& s : summaries) {
    if (s.rfind("foreign-key-without-index", 0) == 0) keys.push_back(s);
  }
  EXPECT_EQ((Summaries{"foreign-key-without-index V3.sql:1:1 constraint public.items.items_order_id_fkey"}), keys);
}

TEST_F(TraceTest, ForeignKeyRecreatedByATypeChangeKeepsItsLocation) {
  trace({{"ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;\n"},
         {"ALTER TABLE orders ALTER COLUMN user_id TYPE bigint;\n"}});
  EXPECT_NE("", scalar(m_database, "SELECT oid FROM pg_constraint WHERE conname = 'orders_user_id_fkey'"));
  find("foreign-key-without-index V2.sql:1:1 constraint public.orders.orders_user_id_fkey");
}

TEST_F(TraceTest, LockHeldAcrossStatementsIsReportedOnceAtTheFirstLaterStatement) {
  // The COMMENT is not looked at (it cannot take a lock worth reporting): the UPDATE is blamed.
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users",
                       "lock-held-across-statements V2.sql:3:1 table public.users"}),
            trace({{"ALTER TABLE users ADD COLUMN score int;\n"
                    "COMMENT ON COLUMN users.score IS 'points';\n"
                    "UPDATE users SET score = 0;\n"
                    "SET LOCAL work_mem = '8MB';\n"
                    "UPDATE users SET score = 1 WHERE id > 10;\n"}}));
  EXPECT_EQ("UPDATE ran while the ACCESS EXCLUSIVE lock that ALTER TABLE took on table public.users at line 1 was "
            "still held: everything waiting for the table also waits for this statement",
            find("lock-held-across-statements V2.sql:3:1 table public.users").message);
}

TEST_F(TraceTest, FileOwnTransactionIsTracedAndSetTransactionStillWorks) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:4:1 table public.users",
                       "lock-held-across-statements V2.sql:5:1 table public.users"}),
            trace({{"BEGIN;\n"
                    "SET LOCAL lock_timeout = '5s';\n"
                    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n"
                    "ALTER TABLE users ADD COLUMN note text;\n"
                    "UPDATE users SET note = 'x';\n"
                    "COMMIT;\n"
                    "UPDATE users SET note = 'y';\n"}}));
  EXPECT_FALSE(m_result.migrations[1].in_transaction);
}

TEST_F(TraceTest, NoTransactionMigrationIsTracedStatementByStatement) {
  // Each statement commits on its own, so no lock outlives it; the tracer still sees them.
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users", "table-rewrite V2.sql:1:1 table public.users",
                       "lock-taken V2.sql:3:1 table public.orders"}),
            trace({{"ALTER TABLE users ALTER COLUMN age TYPE bigint;\n"
                    "UPDATE users SET age = age + 1;\n"
                    "CREATE INDEX orders_total_idx ON orders (total);\n"
                    "CREATE INDEX CONCURRENTLY users_age_idx ON users (age);\n",
                    true}}));
  EXPECT_FALSE(m_result.migrations[1].in_transaction);
  EXPECT_EQ("21", scalar(m_database, "SELECT min(age) FROM users WHERE id = 20"));
}

TEST_F(TraceTest, ScanCountsSurviveTheServerFlushingItsStatistics) {
  if (!scans_counted_across_transactions()) GTEST_SKIP() << "needs PostgreSQL 15+";
  // Between transactions an idle backend flushes its pending counters at most once a second: the
  // pause makes sure one flush falls between the backfill and SET NOT NULL.
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users", "lock-taken V2.sql:4:1 table public.users",
                       "validation-scan V2.sql:4:1 table public.users", "lock-taken V2.sql:5:1 table public.users"}),
            trace({{"ALTER TABLE users ADD COLUMN flag int;\n"
                    "UPDATE users SET flag = 1;\n"
                    "SELECT pg_sleep(1.1);\n"
                    "ALTER TABLE users ALTER COLUMN flag SET NOT NULL;\n"
                    "ALTER TABLE users ADD COLUMN other int DEFAULT 0;\n",
                    true}}));
}

TEST_F(TraceTest, StatementThatCommitsOnItsOwnIsStillSeenRewriting) {
  // A DO block is not wrapped (it could COMMIT): the rewrite is seen, its lock is gone.
  EXPECT_EQ((Summaries{"table-rewrite V2.sql:1:1 table public.users"}),
            trace({{"DO $$ BEGIN ALTER TABLE users ALTER COLUMN age TYPE bigint; END $$;\n", true}}));
}

TEST_F(TraceTest, TableCreatedInTheSameMigrationReportsNothing) {
  EXPECT_EQ(Summaries{},
            trace({{"CREATE TABLE events (id int, payload text);\n"
                    "INSERT INTO events SELECT g, 'p' FROM generate_series(1, 10) g;\n"
                    "ALTER TABLE events ALTER COLUMN id TYPE bigint;\n"
                    "CREATE INDEX events_id_idx ON events (id);\n"
                    "ALTER TABLE events ALTER COLUMN id SET NOT NULL;\n"
                    "ALTER TABLE events ADD COLUMN at timestamptz DEFAULT clock_timestamp();\n"}}));
}

TEST_F(TraceTest, TruncateLocksButIsNotReportedAsARewrite) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.orders"}), trace({{"TRUNCATE orders;\n"}}));
}

TEST_F(TraceTest, ADroppedTableIsStillNamedByItsLock) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.orders"}), trace({{"DROP TABLE orders;\n"}}));
}

TEST_F(TraceTest, MaterializedViewRefreshLocksButIsNotARewrite) {
  EXPECT_EQ((Summaries{"lock-taken V3.sql:1:1 materialized view public.user_ages",
                       "lock-taken V4.sql:1:1 materialized view public.user_ages"}),
            trace({{"CREATE MATERIALIZED VIEW user_ages AS SELECT id, age FROM users;\n"
                    "CREATE UNIQUE INDEX user_ages_id ON user_ages (id);\n"},
                   {"REFRESH MATERIALIZED VIEW user_ages;\n"},
                   {"REFRESH MATERIALIZED VIEW CONCURRENTLY user_ages;\n"}}));
  EXPECT_NE(std::string::npos, find("lock-taken V4.sql:1:1 materialized view public.user_ages")
                                   .message.find("took an EXCLUSIVE lock on materialized view public.user_ages"));
}

TEST_F(TraceTest, FindingsNameTablesAsTheyWereBeforeTheStatement) {
  EXPECT_EQ((Summaries{"lock-taken V2.sql:1:1 table public.users",
                       "lock-held-across-statements V2.sql:2:1 table public.members",
                       "table-rewrite V2.sql:2:1 table public.members", "lock-taken V3.sql:1:1 table public.members",
                       "table-rewrite V3.sql:1:1 table public.members"}),
            trace({{"ALTER TABLE users RENAME TO members;\n"
                    "ALTER TABLE members ALTER COLUMN age TYPE bigint;\n"},
                   {"ALTER TABLE members ADD COLUMN luck float8 DEFAULT random();\n"}}));
}

TEST_F(TraceTest, OneQueryPerTracedStatement) {
  trace({{"ALTER TABLE users ADD COLUMN a int;\nSET LOCAL work_mem = '8MB';\nUPDATE users SET a = 1;\n"
          "COMMENT ON TABLE users IS 'people';\nANALYZE users;\n"},
         {"CREATE INDEX ON orders (user_id);\n"}});
  const auto& stats = m_tracer->stats();
  EXPECT_EQ(3u, stats.statements) << "none of the setup (nothing existed before it, it makes no foreign key), "
                                     "2 (not the SET, COMMENT or ANALYZE), 1";
  EXPECT_EQ(stats.statements + 2 + 1, stats.queries)
      << "one per statement, one before V1 and V2 (not V3: V2 created no relation), one at the end";
  EXPECT_GT(stats.query_ms, 0);
}

// With observers, statements of a migration without a transaction are wrapped in BEGIN/COMMIT:
// failures must look exactly as they do without observers.
TEST_F(TraceTest, WrappedStatementsFailExactlyAsInAutocommit) {
  struct Case {
    std::vector<Step> steps;
    int line;                // where the failure is reported
    std::string message;     // part of it
    std::string committed;   // a table the statements before the failure left behind
  };
  const std::vector<Case> cases = {
      // A deferred constraint: in autocommit the INSERT itself fails (at its implicit commit).
      {{{"CREATE TABLE parent (id int PRIMARY KEY);\n"
         "CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\n"
         "INSERT INTO child VALUES (42);\n",
         true},
        {"CREATE TABLE later (id int);\n"}},
       3,
       "violates foreign key constraint",
       "child"},
      {{{"ALTER TABLE users ADD COLUMN x int;\nCREATE TABLE y (id int);\nALTER TABLE users ADD COLUMN x int;\n", true}},
       3,
       "already exists",
       "y"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.steps[0].sql);
    std::vector<replay::Status> statuses[2];
    std::vector<Finding> failures[2];
    for (const bool traced : {false, true}) {
      replay(c.steps, traced);
      failures[traced] = replay::findings(m_result);
      for (const auto& m : m_result.migrations) {
        statuses[traced].push_back(m.status);
        for (const auto& st : m.statements) statuses[traced].push_back(st.status);
      }
      EXPECT_EQ("1", scalar(m_database, "SELECT count(*) FROM pg_class WHERE relname = '" + c.committed + "'"));
    }
    EXPECT_EQ(statuses[0], statuses[1]);
    ASSERT_EQ(1u, failures[0].size());
    ASSERT_EQ(1u, failures[1].size());
    for (const auto& f : failures) {
      EXPECT_EQ("replay/statement-failed", f[0].rule);
      EXPECT_NE(std::string::npos, f[0].message.find(c.message)) << f[0].message;
      EXPECT_EQ(c.line, f[0].location->line);
    }
    EXPECT_EQ(failures[0][0].message, failures[1][0].message);
    EXPECT_EQ(failures[0][0].location->column, failures[1][0].location->column);
    EXPECT_EQ(failures[0][0].detail, failures[1][0].detail);
  }
}

TEST(TraceRules, DynamicRulesAreListedWithTheirCategory) {
  for (const char* id : {"lock-taken", "table-rewrite", "validation-scan", "lock-held-across-statements",
                         "foreign-key-without-index"}) {
    const auto* info = lint::find_rule(std::string("lint/") + id);
    ASSERT_NE(nullptr, info) << id;
    EXPECT_EQ("observed during replay", info->category);
    EXPECT_EQ(Severity::warning, info->severity);
    EXPECT_FALSE(info->why.empty());
    EXPECT_FALSE(info->hint.empty());
  }
}

}  // namespace
}  // namespace pgdrift::testing
