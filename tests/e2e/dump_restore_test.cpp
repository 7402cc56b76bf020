// The same schema compares equal however it was built: a migration tree
// (tests/fixtures/dump-restore: varchar CHECK … IN lists, enums, domains with checks, partial and
// expression indexes, defaults, generated columns, views, a materialized view, RLS policies,
// functions, triggers, sequences, foreign keys, a second schema, comments) replayed, then `pg_dump
// -s` of that database (with today's \restrict lines) as a .sql file and restored into a database.
// PostgreSQL spells some expressions differently after the round trip; pgdrift's diff and verify
// must not call that drift, and must still report a real change of an expression.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/text.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

const std::filesystem::path k_fixture =
    std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "dump-restore";

class DumpRestoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox::Options options;
    options.backend = "local";
    options.env = current_environment();
    s_backend = sandbox::make_backend(options).release();
    s_backend->start();
    s_work = new TempTree();

    // The migrations replayed as pgdrift replays them, then dumped and restored as a team would.
    s_built = new db::ConnectionInfo(s_backend->create_database("built"));
    {
      const auto list =
          migrations::discover({k_fixture / "migrations", migrations::Format::automatic, {}})
              .migrations;
      auto connection = db::Connection::open(*s_built, "pgdrift-test");
      const auto replayed = replay::run(*connection, list, replay::Options{});
      ASSERT_TRUE(replayed.ok()) << "the fixture migrations must replay";
      // What Flyway would have built: no pgdrift change journal (the history table is left out
      // of the dump below; a schema-only dump of it would list no applied migration).
      const auto dropped = connection->execute(
          "DROP EVENT TRIGGER pgdrift_journal_ddl; DROP EVENT TRIGGER pgdrift_journal_drop; "
          "DROP SCHEMA pgdrift_journal CASCADE;");
      ASSERT_TRUE(dropped.ok) << (dropped.error ? dropped.error->message : "");
    }
    const auto binaries = sandbox::find_server_binaries(current_environment());
    ASSERT_FALSE(binaries.empty());
    const auto bindir = binaries.front().bindir;
    s_dump = new std::filesystem::path(s_work->path() / "dump.sql");
    run_tool({(bindir / "pg_dump").string(), "--schema-only", "--exclude-table=flyway_schema_history",
              "--dbname=" + s_built->conninfo()},
             *s_dump);
    s_restored = new db::ConnectionInfo(restore("restored"));
  }
  static void TearDownTestSuite() {
    s_backend->stop();
    delete s_backend;
    delete s_built;
    delete s_restored;
    delete s_dump;
    delete s_work;
  }

  // Runs a PostgreSQL client tool, its stdout to `output`; the test fails when it does.
  static void run_tool(const std::vector<std::string>& argv, const std::filesystem::path& output) {
    util::ProcessSpec spec;
    spec.argv = argv;
    spec.env = current_environment();
    spec.output_file = output;
    spec.error_file = s_work->path() / "tool-stderr.txt";
    const auto run = util::run_process(spec, std::chrono::minutes{2});
    ASSERT_TRUE(run.status.ok()) << argv.front() << ": " << run.status.describe() << "\n"
                                 << slurp(spec.error_file);
  }

  // A new database with the dump loaded by psql (stopping at the first error), then `extra` SQL.
  static db::ConnectionInfo restore(const std::string& name, const std::string& extra = "") {
    const auto database = s_backend->create_database(name);
    const auto bindir = sandbox::find_server_binaries(current_environment()).front().bindir;
    run_tool({(bindir / "psql").string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f",
              s_dump->string(), "--dbname=" + database.conninfo()},
             s_work->path() / "psql-stdout.txt");
    if (!extra.empty()) {
      auto connection = db::Connection::open(database, "pgdrift-test");
      const auto result = connection->execute(extra);
      EXPECT_TRUE(result.ok) << (result.error ? result.error->message : "");
    }
    return database;
  }

  using Run = JsonRun;
  static Run pgdrift(std::vector<std::string> args, const Environment& env = e2e_environment()) {
    return run_pgdrift_json(std::move(args), k_fixture, env);
  }
  // "rule object" of every finding whose rule starts with `prefix`.
  static std::vector<std::string> findings(const Run& run, const std::string& prefix = "") {
    std::vector<std::string> out;
    for (const auto& f : run.report["findings"]) {
      const std::string rule = f["rule"];
      const bool has_object = f.contains("object") && f["object"].is_string();
      if (util::starts_with(rule, prefix))
        out.push_back(rule + " " + (has_object ? f["object"].get<std::string>() : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  static sandbox::Backend* s_backend;
  static TempTree* s_work;
  static db::ConnectionInfo* s_built;
  static db::ConnectionInfo* s_restored;
  static std::filesystem::path* s_dump;
};

sandbox::Backend* DumpRestoreTest::s_backend = nullptr;
TempTree* DumpRestoreTest::s_work = nullptr;
db::ConnectionInfo* DumpRestoreTest::s_built = nullptr;
db::ConnectionInfo* DumpRestoreTest::s_restored = nullptr;
std::filesystem::path* DumpRestoreTest::s_dump = nullptr;

TEST_F(DumpRestoreTest, TheRoundTripReallySpellsExpressionsDifferently) {
  // Without this the tests below could not fail: the dump is today's pg_dump output, and its
  // model differs from the migrations' as text.
  const std::string dump = slurp(*s_dump);
  EXPECT_NE(std::string::npos, dump.find("\\restrict ")) << "pg_dump 15.14+ writes \\restrict";
  const auto from_migrations = run_pgdrift({"dump", "migrations"}, k_fixture);
  const auto from_restored = run_pgdrift({"dump", s_restored->url()}, k_fixture);
  ASSERT_EQ(0, from_migrations.status.code) << from_migrations.output;
  ASSERT_EQ(0, from_restored.status.code) << from_restored.output;
  EXPECT_NE(from_migrations.output, from_restored.output);
  EXPECT_NE(std::string::npos,
            from_migrations.output.find("((role)::text = ANY ((ARRAY['owner'::character varying, "
                                        "'admin'::character varying])::text[]))"))
      << from_migrations.output;
  EXPECT_NE(std::string::npos, from_restored.output.find(
                                   "((role)::text = ANY (ARRAY[('owner'::character varying)::text, "
                                   "('admin'::character varying)::text]))"))
      << from_restored.output;
}

TEST_F(DumpRestoreTest, TheMigrationsEqualTheirDumpLoadedAsASchemaFile) {
  const auto run = pgdrift({"diff", "migrations", s_dump->string()});
  EXPECT_EQ(0, run.exit_code) << run.output;
  EXPECT_EQ(std::vector<std::string>{}, findings(run)) << run.output;
}

TEST_F(DumpRestoreTest, TheMigrationsEqualTheRestoredDatabaseEitherWayRound) {
  const auto migrations_first = pgdrift({"diff", "migrations", s_restored->url()});
  EXPECT_EQ(0, migrations_first.exit_code) << migrations_first.output;
  EXPECT_EQ(std::vector<std::string>{}, findings(migrations_first)) << migrations_first.output;
  // The database as the reference: the probes run in the migrations' sandbox then.
  const auto database_first = pgdrift({"diff", s_restored->url(), "migrations"});
  EXPECT_EQ(0, database_first.exit_code) << database_first.output;
  EXPECT_EQ(std::vector<std::string>{}, findings(database_first)) << database_first.output;
  // Nothing to heal either.
  const auto sql = run_pgdrift({"diff", "migrations", s_restored->url(), "--sql"}, k_fixture);
  EXPECT_EQ(0, sql.status.code) << sql.output;
  EXPECT_NE(std::string::npos, sql.output.find("(0 statements, 0 destructive)")) << sql.output;
}

TEST_F(DumpRestoreTest, TwoDatabaseUrlsCompareExpressionsInASandboxHoldingTheFirstSchema) {
  const auto run = run_pgdrift({"diff", s_built->url(), s_restored->url(), "-v"}, k_fixture);
  EXPECT_EQ(0, run.status.code) << run.output;
  EXPECT_NE(
      std::string::npos,
      run.output.find("expressions were probed in a sandbox holding the first database's schema"))
      << run.output;
  EXPECT_NE(std::string::npos,
            run.output.find(" expressions are spelled differently but parse the same"))
      << run.output;
  EXPECT_NE(std::string::npos, run.output.find("0 errors, 0 warnings, 0 notices")) << run.output;

  const auto drifted =
      restore("drifted_url",
              "ALTER TABLE billing.invoices DROP CONSTRAINT invoices_state_check;\n"
              "ALTER TABLE billing.invoices ADD CONSTRAINT invoices_state_check "
              "CHECK (state IN ('draft', 'open', 'paid'));\n");
  const auto twin = pgdrift({"diff", s_built->url(), drifted.url()});
  EXPECT_EQ(1, twin.exit_code) << twin.output;
  EXPECT_EQ(
      std::vector<std::string>{
          "drift/changed-constraint constraint billing.invoices.invoices_state_check"},
      findings(twin))
      << twin.output;
}

TEST_F(DumpRestoreTest, VerifyFindsNoDriftInTheRestoredTargetNorInTheDumpAsModel) {
  auto env = e2e_environment();
  env["RESTORED_DATABASE_URL"] = s_restored->url();
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--baseline", "5", "--target",
                            "restored=env:RESTORED_DATABASE_URL", "--model", s_dump->string()},
                           env);
  EXPECT_EQ(0, run.exit_code) << run.output;
  EXPECT_EQ(std::vector<std::string>{}, findings(run, "drift/")) << run.output;
  // The restored database has no Flyway history: everything was compared.
  EXPECT_EQ(std::vector<std::string>{"history/no-history-table "}, findings(run, "history/"))
      << run.output;
}

TEST_F(DumpRestoreTest, ARealChangeOfAnExpressionIsStillDrift) {
  // The twin: restored, then changed by hand the way drift happens.
  const auto drifted = restore(
      "drifted",
      "ALTER TABLE memberships DROP CONSTRAINT memberships_role_check;\n"
      "ALTER TABLE memberships ADD CONSTRAINT memberships_role_check CHECK (role IN ('owner', "
      "'admin', 'guest'));\n"
      "ALTER TABLE billing.payments ALTER COLUMN channel SET DEFAULT 'api';\n"
      "DROP INDEX memberships_admins_idx;\n"
      "CREATE INDEX memberships_admins_idx ON memberships (account_id) WHERE role IN ('owner');\n");
  const std::vector<std::string> expected = {
      "drift/changed-column column billing.payments.channel",
      "drift/changed-constraint constraint public.memberships.memberships_role_check",
      "drift/changed-index index public.memberships.memberships_admins_idx",
  };

  const auto diff = pgdrift({"diff", "migrations", drifted.url()});
  EXPECT_EQ(1, diff.exit_code) << diff.output;
  EXPECT_EQ(expected, findings(diff)) << diff.output;
  EXPECT_NE(std::string::npos, diff.output.find("'guest'::character varying")) << diff.output;

  auto env = e2e_environment();
  env["DRIFTED_DATABASE_URL"] = drifted.url();
  const auto verify = pgdrift({"verify", "--migrations", "migrations", "--baseline", "5",
                               "--target", "drifted=env:DRIFTED_DATABASE_URL"},
                              env);
  EXPECT_EQ(1, verify.exit_code) << verify.output;
  EXPECT_EQ(expected, findings(verify, "drift/")) << verify.output;
}

}  // namespace
}  // namespace pgdrift::testing
