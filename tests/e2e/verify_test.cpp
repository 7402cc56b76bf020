// `pgdrift verify`, `status` and `diff` on the built binary against real target databases built
// here (in a local sandbox started through pgdrift's own sandbox module): every difference
// kind, the rename heuristic, history states, the model, read-only access and redaction.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/history/history.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/util/text.hpp"
#include "support/flyway_target.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

const std::filesystem::path k_drift = std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "drift";

class VerifyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox::Options options;
    options.backend = "local";
    options.env = current_environment();
    s_backend = sandbox::make_backend(options).release();
    s_backend->start();
    s_migrations = migrations::discover({k_drift / "migrations", migrations::Format::automatic, {}}).migrations;
  }
  static void TearDownTestSuite() {
    s_backend->stop();
    delete s_backend;
  }

  // A target database with the first `applied` migrations applied and recorded in Flyway's
  // history table (with Flyway's checksums), then `extra` SQL run on it.
  db::ConnectionInfo target(std::size_t applied, const std::string& extra = "") {
    return flyway_target(*s_backend, s_migrations, applied, extra);
  }

  using Run = JsonRun;
  Run pgdrift(std::vector<std::string> args) { return run_pgdrift_json(std::move(args), k_drift); }
  static std::vector<std::string> rules(const Run& run, const std::string& target) {
    std::vector<std::string> out;
    for (const auto& f : run.report["findings"]) {
      if (f.value("target", "") == target) out.push_back(f["rule"].get<std::string>());
    }
    return out;
  }
  static nlohmann::json finding(const Run& run, const std::string& rule) {
    for (const auto& f : run.report["findings"]) {
      if (f["rule"] == rule) return f;
    }
    return nullptr;
  }

  static sandbox::Backend* s_backend;
  static std::vector<migrations::Migration> s_migrations;
};

sandbox::Backend* VerifyTest::s_backend = nullptr;
std::vector<migrations::Migration> VerifyTest::s_migrations;

TEST_F(VerifyTest, AnUpToDateTargetHasNoFindings) {
  const auto staging = target(3);
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "staging=" + staging.url()});
  EXPECT_EQ(0, run.exit_code) << run.output;
  EXPECT_TRUE(rules(run, "staging").empty()) << run.output;
  // Applied on the only target: all three are history, replayed (or restored from the replay
  // cache), none judged.
  EXPECT_EQ(3, run.report["summary"]["applied"].get<int>() + run.report["summary"]["cached"].get<int>());
  EXPECT_EQ(3, run.report["judged"]["history_count"]);
  EXPECT_TRUE(run.report["judged"]["new"].empty());
  EXPECT_EQ("applied on every target", run.report["judged"]["base"]);
}

TEST_F(VerifyTest, ATargetLockedByAnotherSessionIsRetriedThenAWarningNamingTheTable) {
  const auto staging = target(3);
  // A deploy in progress on staging: an open transaction holding ACCESS EXCLUSIVE on orders.
  auto deploy = db::Connection::open(staging, "pgdrift-test");
  ASSERT_TRUE(deploy->execute("BEGIN").ok);
  ASSERT_TRUE(deploy->execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE").ok);
  TempTree config({{"pgdrift.yml", "drift:\n  lock_timeout: 200ms\n"}});
  const std::vector<std::string> args = {"verify", "--config", config / "pgdrift.yml", "--migrations", "migrations",
                                         "--target", "staging=" + staging.url()};
  const auto locked = pgdrift(args);
  const auto f = finding(locked, "drift/target-locked");
  ASSERT_FALSE(f.is_null()) << locked.output;
  EXPECT_EQ("warning", f["severity"]);
  EXPECT_EQ("staging", f["target"]);
  const std::string message = f["message"];
  EXPECT_NE(std::string::npos, message.find("public.orders (AccessExclusiveLock, pid ")) << message;
  EXPECT_NE(std::string::npos, message.find("locked by another session; tried 3 times; drift not checked")) << message;
  EXPECT_EQ(0, locked.exit_code) << "a warning does not fail at fail_on error:\n" << locked.output;
  // pgdrift's own session settings never show.
  EXPECT_EQ(std::string::npos, locked.output.find("lock_timeout=")) << locked.output;
  EXPECT_EQ(std::string::npos, locked.output.find("default_transaction_read_only")) << locked.output;

  // The twin: once the deploy commits, the same run reads staging and finds it up to date.
  ASSERT_TRUE(deploy->execute("ROLLBACK").ok);
  const auto released = pgdrift(args);
  EXPECT_TRUE(finding(released, "drift/target-locked").is_null()) << released.output;
  EXPECT_TRUE(rules(released, "staging").empty()) << released.output;
  EXPECT_EQ(0, released.exit_code) << released.output;
}

TEST_F(VerifyTest, EveryDifferenceKindIsAFindingWithTheSqlThatFixesIt) {
  const auto staging = target(3,
                              "CREATE INDEX users_email_ghost ON users (email);\n"            // made by hand
                              "ALTER TABLE users ALTER COLUMN email TYPE varchar(50);\n"     // narrowed
                              "ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;\n"       // default lost
                              "DROP INDEX orders_user_id_idx;\n"                              // missing
                              "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\n"    // FK changed…
                              "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) "
                              "REFERENCES users (id) ON DELETE RESTRICT;\n"
                              "CREATE TABLE scratch (id int);\n");                           // ghost table
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "staging=" + staging.url()});
  EXPECT_EQ(1, run.exit_code) << run.output;
  auto found = rules(run, "staging");
  std::sort(found.begin(), found.end());
  EXPECT_EQ((std::vector<std::string>{"drift/changed-column", "drift/changed-column", "drift/changed-constraint",
                                      "drift/missing-index", "drift/unexpected-index", "drift/unexpected-table"}),
            found)
      << run.output;

  const auto ghost = finding(run, "drift/unexpected-index");
  EXPECT_EQ("warning", ghost["severity"]) << "an extra index is a warning by default";
  EXPECT_EQ("index public.users.users_email_ghost exists in staging but no migration creates it", ghost["message"]);
  EXPECT_FALSE(ghost.contains("file")) << "a ghost has no source line: " << ghost;
  const auto missing = finding(run, "drift/missing-index");
  EXPECT_EQ("index public.orders.orders_user_id_idx is missing in staging (created by migrations/V2__orders.sql:8)",
            missing["message"]);
  EXPECT_EQ("migrations/V2__orders.sql", missing["file"]) << missing;
  EXPECT_EQ(8, missing["line"]) << missing;
  EXPECT_NE(std::string::npos, ghost["fix"].get<std::string>().find("DROP INDEX")) << ghost;

  bool type_seen = false;
  for (const auto& f : run.report["findings"]) {
    if (f["rule"] != "drift/changed-column") continue;
    const auto message = f["message"].get<std::string>();
    if (message.find("type") == std::string::npos) continue;
    type_seen = true;
    EXPECT_EQ("column public.users.email: type is character varying(50) in staging, character varying(200) from the "
              "migrations (last changed by migrations/V1__users.sql:3)",
              message);
    // At the line that declares the column, where a reviewer can act on it.
    EXPECT_EQ("migrations/V1__users.sql", f["file"]) << f;
    EXPECT_EQ(3, f["line"]) << f;
    EXPECT_NE(std::string::npos, f["fix"].get<std::string>().find("character varying(200)")) << f;
  }
  EXPECT_TRUE(type_seen) << run.output;
  const auto fk = finding(run, "drift/changed-constraint");
  EXPECT_NE(std::string::npos, fk["message"].get<std::string>().find("ON DELETE RESTRICT")) << fk;
  EXPECT_NE(std::string::npos, fk["message"].get<std::string>().find("ON DELETE CASCADE")) << fk;
}

// DROP … IF EXISTS of what is not there drops nothing: the replay's journal saw it, so verify
// reports no drop (a static lint cannot know). Its twin, IF EXISTS of a table that is there, is a drop.
TEST_F(VerifyTest, DropIfExistsOfWhatIsNotThereIsNoDrop) {
  TempTree tree;
  for (const auto& entry : std::filesystem::directory_iterator(k_drift / "migrations")) {
    tree.write("migrations/" + entry.path().filename().string(), slurp(entry.path()));
  }
  tree.write("migrations/V4__cleanup.sql",
             "SET lock_timeout = '5s';\n"
             "DROP TABLE IF EXISTS tmp_import_2019;\n"
             "ALTER TABLE users DROP COLUMN IF EXISTS legacy_flag;\n");
  auto result = run_pgdrift({"verify", "--migrations", "migrations", "--no-color"}, tree.path());
  EXPECT_EQ(0, result.status.code) << result.output;
  EXPECT_EQ(std::string::npos, result.output.find("drop-table")) << result.output;
  EXPECT_EQ(std::string::npos, result.output.find("drop-column")) << result.output;

  tree.write("migrations/V4__cleanup.sql", "SET lock_timeout = '5s';\nDROP TABLE IF EXISTS orders;\n");
  result = run_pgdrift({"verify", "--migrations", "migrations", "--no-color"}, tree.path());
  EXPECT_EQ(1, result.status.code) << result.output;
  EXPECT_NE(std::string::npos, result.output.find("V4__cleanup.sql:2:1: error: table public.orders was dropped"))
      << result.output;
}

TEST_F(VerifyTest, ATargetWithoutHistoryIsComparedWithEveryMigration) {
  // Built from the same SQL by other means (a restored dump, say): no flyway_schema_history.
  const auto restored = s_backend->create_database("restored");
  {
    auto connection = db::Connection::open(restored, "pgdrift-test");
    std::string sql;
    for (const auto& m : s_migrations) sql += m.up_sql + "\n";
    ASSERT_TRUE(connection->execute(sql).ok);
  }
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "restored=" + restored.url()});
  EXPECT_EQ(0, run.exit_code) << run.output;
  EXPECT_EQ((std::vector<std::string>{"history/no-history-table"}), rules(run, "restored")) << run.output;
}

TEST_F(VerifyTest, SeverityOverridesAndIgnoreRulesFromTheConfig) {
  const auto staging = target(3,
                              "CREATE INDEX users_email_ghost ON users (email);\n"
                              "CREATE TABLE tmp_import (id int);\n"
                              "ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;\n");
  TempTree config({{"pgdrift.yml",
                    "drift:\n"
                    "  ignore:\n    - {kind: table, name: \"tmp_*\"}\n"
                    "  severity:\n    drift/unexpected-index: off\n    drift/changed-column: notice\n"}});
  const auto run = pgdrift({"verify", "--config", (config.path() / "pgdrift.yml").string(), "--migrations",
                            "migrations", "--target", "staging=" + staging.url()});
  EXPECT_EQ(0, run.exit_code) << "only a notice is left: " << run.output;
  EXPECT_EQ((std::vector<std::string>{"drift/changed-column"}), rules(run, "staging")) << run.output;
  EXPECT_EQ("notice", finding(run, "drift/changed-column")["severity"]);
}

TEST_F(VerifyTest, PendingMigrationsAreCountedApartFromDrift) {
  const auto production = target(2);  // V3 (the rename) not deployed yet
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "production=" + production.url()});
  EXPECT_EQ(0, run.exit_code) << run.output;
  EXPECT_EQ((std::vector<std::string>{"history/pending"}), rules(run, "production")) << run.output;
  EXPECT_EQ("notice", finding(run, "history/pending")["severity"]);
}

TEST_F(VerifyTest, AHandMadeObjectAPendingMigrationCreatesSaysThatMigrationWillFail) {
  // V2 (orders) is not deployed, but someone created orders by hand: V2 will fail there.
  const auto production = target(1, "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "production=" + production.url()});
  EXPECT_EQ(1, run.exit_code) << run.output;
  auto found = rules(run, "production");
  std::sort(found.begin(), found.end());
  EXPECT_EQ((std::vector<std::string>{"drift/pending-conflict", "history/pending", "history/pending"}), found)
      << run.output;
  const auto conflict = finding(run, "drift/pending-conflict");
  EXPECT_EQ("table public.orders already exists in production, made outside the migrations, and the pending "
            "migration migrations/V2__orders.sql:3 creates it: that migration will fail on production",
            conflict["message"]);
  EXPECT_EQ("migrations/V2__orders.sql", conflict["file"]);
  EXPECT_EQ(3, conflict["line"]);
  EXPECT_FALSE(conflict.contains("fix")) << "dropping what production holds is not the fix";
  // Its safe twin: the same table made by hand with nothing pending that creates it is plain drift.
  const auto staging = target(3, "CREATE TABLE orders_copy (id bigint PRIMARY KEY);\n");
  const auto plain = pgdrift({"verify", "--migrations", "migrations", "--target", "staging=" + staging.url()});
  EXPECT_EQ((std::vector<std::string>{"drift/unexpected-table"}), rules(plain, "staging")) << plain.output;
}

TEST_F(VerifyTest, ARenameNotDeployedIsOneFindingNotADropAndAnAdd) {
  // History says V3 ran, but the column was renamed back by hand: drift, reported as a rename.
  const auto staging = target(3, "ALTER TABLE users RENAME COLUMN display_name TO full_name;\n");
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "staging=" + staging.url()});
  EXPECT_EQ(1, run.exit_code) << run.output;
  EXPECT_EQ((std::vector<std::string>{"drift/renamed-column"}), rules(run, "staging")) << run.output;
  const auto rename = finding(run, "drift/renamed-column");
  EXPECT_EQ("column public.users.full_name in staging looks renamed to display_name", rename["message"]);
  EXPECT_EQ("ALTER TABLE public.users RENAME COLUMN full_name TO display_name;", rename["fix"]);
}

TEST_F(VerifyTest, TheModelIsComparedBothWays) {
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--model", "model.sql"});
  EXPECT_EQ(1, run.exit_code) << run.output;
  auto found = rules(run, "model");
  std::sort(found.begin(), found.end());
  EXPECT_EQ((std::vector<std::string>{"drift/missing-index", "drift/unexpected-column"}), found) << run.output;
  EXPECT_EQ("the model declares column public.users.nickname but no migration creates it",
            finding(run, "drift/unexpected-column")["message"]);
  EXPECT_EQ("the model lacks index public.orders.orders_user_id_idx, which the migrations create",
            finding(run, "drift/missing-index")["message"]);
  // Each side at its own line: the migration that creates the index, the model line declaring the column.
  EXPECT_EQ("migrations/V2__orders.sql", finding(run, "drift/missing-index")["file"]);
  EXPECT_EQ(8, finding(run, "drift/missing-index")["line"]);
  EXPECT_EQ("model.sql", finding(run, "drift/unexpected-column")["file"]);
  EXPECT_EQ(7, finding(run, "drift/unexpected-column")["line"]);
}

TEST_F(VerifyTest, HistoryStatesAreReportedByStatus) {
  // V2 edited after it was applied (checksum), V9 applied but not in the repository, V3 pending.
  const auto staging = target(2,
                              "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '2';\n"
                              "INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
                              "script, checksum, success) VALUES (9, '9', 'hotfix', 'SQL', 'V9__hotfix.sql', 1, "
                              "true);\n");
  const auto run = pgdrift({"status", "--migrations", "migrations", "--target", "staging=" + staging.url()});
  EXPECT_EQ(1, run.exit_code) << run.output;
  auto found = rules(run, "staging");
  std::sort(found.begin(), found.end());
  EXPECT_EQ((std::vector<std::string>{"history/checksum-mismatch", "history/pending", "history/unknown"}), found)
      << run.output;
}

TEST_F(VerifyTest, TargetsAreNeverWrittenAndAReadOnlyRoleIsEnough) {
  const auto staging = target(3, "CREATE INDEX users_email_ghost ON users (email);\n");
  {
    auto admin = db::Connection::open(s_backend->admin(), "pgdrift-test");
    admin->execute("DROP ROLE IF EXISTS drift_reader");
    ASSERT_TRUE(admin->execute("CREATE ROLE drift_reader LOGIN PASSWORD 'rd-s3cret-pw'").ok);
  }
  auto reader = staging;
  reader.user = "drift_reader";
  reader.password = "rd-s3cret-pw";
  const auto before = run_pgdrift({"dump", staging.url(), "--json"}, k_drift);
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "staging=" + reader.url()});
  const auto after = run_pgdrift({"dump", staging.url(), "--json"}, k_drift);
  EXPECT_EQ(before.output, after.output) << "the target's schema must be unchanged";
  // The role cannot read the history table: drift is still checked, the history is a warning.
  auto found = rules(run, "staging");
  std::sort(found.begin(), found.end());
  EXPECT_EQ((std::vector<std::string>{"drift/unexpected-index", "history/unreadable"}), found) << run.output;
  EXPECT_EQ(std::string::npos, run.output.find("rd-s3cret-pw")) << run.output;
  EXPECT_EQ(std::string::npos, run.report.dump().find("rd-s3cret-pw"));
  auto admin = db::Connection::open(staging, "pgdrift-test");
  const auto writes = admin->query(
      "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text AS n FROM pg_stat_user_tables");
  // Only the rows target() itself inserted into the history table.
  EXPECT_EQ("3", *writes.at(0, "n"));
}

TEST_F(VerifyTest, AnUnreachableTargetIsExit3AndTheOthersAreStillReported) {
  const auto staging = target(3, "CREATE INDEX users_email_ghost ON users (email);\n");
  const auto run = pgdrift({"verify", "--migrations", "migrations", "--target", "staging=" + staging.url(),
                            "--target", "production=postgresql://deploy:pr0d-s3cret@127.0.0.1:1/app"});
  EXPECT_EQ(3, run.exit_code) << run.output;
  EXPECT_EQ((std::vector<std::string>{"drift/unexpected-index"}), rules(run, "staging")) << run.output;
  const auto unreachable = finding(run, "drift/target-unreachable");
  EXPECT_EQ("production", unreachable["target"]);
  EXPECT_NE(std::string::npos, unreachable["message"].get<std::string>().find("postgresql://deploy:***@127.0.0.1:1/app"))
      << unreachable;
  EXPECT_EQ(std::string::npos, run.output.find("pr0d-s3cret")) << run.output;
  EXPECT_EQ(std::string::npos, run.report.dump().find("pr0d-s3cret"));
}

TEST_F(VerifyTest, EveryCiReportIsWrittenEvenWhenATargetIsUnreachable) {
  const auto staging = target(3, "CREATE INDEX users_email_ghost ON users (email);\n");
  TempTree out;
  auto env = e2e_environment();
  env["GITHUB_ACTIONS"] = "true";  // as on a GitHub runner: annotations, summary and outputs
  env["GITHUB_STEP_SUMMARY"] = (out.path() / "summary.md").string();
  env["GITHUB_OUTPUT"] = (out.path() / "output.txt").string();
  const auto result = run_pgdrift({"verify", "--migrations", "migrations", "--target", "staging=" + staging.url(),
                                   "--target", "production=postgresql://deploy:pr0d-s3cret@127.0.0.1:1/app",
                                   "--junit", (out.path() / "r.xml").string(), "--sarif",
                                   (out.path() / "r.sarif").string(), "--gitlab", (out.path() / "cq.json").string()},
                                  k_drift, env);
  EXPECT_EQ(3, result.status.code) << result.output;
  // The ghost index has no source line: in the summary, never an annotation on the directory.
  EXPECT_EQ(std::string::npos, result.output.find("file=migrations,")) << result.output;
  EXPECT_EQ(std::string::npos, result.output.find("title=drift/unexpected-index")) << result.output;

  const auto junit = util::read_file((out.path() / "r.xml").string());
  EXPECT_EQ(0u, junit.rfind("<?xml", 0)) << junit;
  EXPECT_NE(std::string::npos, junit.find("<testsuite name=\"drift staging\"")) << junit;
  EXPECT_NE(std::string::npos, junit.find("<error")) << "the unreachable target is an <error>: " << junit;
  const auto sarif = nlohmann::json::parse(util::read_file((out.path() / "r.sarif").string()));
  EXPECT_EQ("2.1.0", sarif["version"]);
  // Neither drift finding has a file: both are notifications of the run, not results on a directory.
  for (const auto& r : sarif["runs"][0]["results"]) {
    EXPECT_NE(0u, r["ruleId"].get<std::string>().rfind("drift/", 0)) << "only the migrations' own findings: " << r.dump(2);
    EXPECT_EQ(0u, r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].get<std::string>().rfind(
                      "migrations/V", 0))
        << r.dump(2);
  }
  std::vector<std::string> notified;
  for (const auto& n : sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]) {
    if (n.contains("associatedRule")) notified.push_back(n["associatedRule"]["id"]);
  }
  std::sort(notified.begin(), notified.end());
  EXPECT_EQ((std::vector<std::string>{"drift/target-unreachable", "drift/unexpected-index"}), notified)
      << sarif.dump(2);
  const auto quality = nlohmann::json::parse(util::read_file((out.path() / "cq.json").string()));
  ASSERT_TRUE(quality.is_array());
  EXPECT_FALSE(quality.empty());
  const auto outputs = util::read_file((out.path() / "output.txt").string());
  EXPECT_NE(std::string::npos, outputs.find("exit-code=3")) << outputs;
  EXPECT_NE(std::string::npos, outputs.find("drift-detected=true")) << outputs;
  EXPECT_NE(std::string::npos, outputs.find("junit-path=")) << outputs;
  EXPECT_FALSE(util::read_file((out.path() / "summary.md").string()).empty());
  for (const char* file : {"r.xml", "r.sarif", "cq.json", "summary.md", "output.txt"}) {
    EXPECT_EQ(std::string::npos, util::read_file((out.path() / file).string()).find("pr0d-s3cret")) << file;
  }
  EXPECT_EQ(std::string::npos, result.output.find("pr0d-s3cret"));
}

TEST_F(VerifyTest, DiffSqlHealsOneSourceIntoTheOther) {
  const auto old_schema = target(2);
  TempTree work;
  const auto sql = run_pgdrift({"diff", old_schema.url(), "migrations", "--sql"}, k_drift);
  ASSERT_EQ(0, sql.status.code) << sql.output;
  // V3's rename is healed as a rename, which keeps the column's data.
  EXPECT_NE(std::string::npos,
            sql.output.find("ALTER TABLE public.users RENAME COLUMN full_name TO display_name;"))
      << sql.output;
  EXPECT_EQ(std::string::npos, sql.output.find("DROP COLUMN")) << sql.output;
  const auto listed = pgdrift({"diff", old_schema.url(), "migrations"});
  EXPECT_EQ(1, listed.exit_code) << listed.output;
  // --exit-code: 1 when there is SQL to run, 0 when the schemas are the same.
  const auto differs = run_pgdrift({"diff", old_schema.url(), "migrations", "--sql", "--exit-code"}, k_drift);
  EXPECT_EQ(1, differs.status.code) << differs.output;
  const auto same = run_pgdrift({"diff", target(3).url(), "migrations", "--sql", "--exit-code"}, k_drift);
  EXPECT_EQ(0, same.status.code) << same.output;
  EXPECT_NE(std::string::npos, same.output.find("nothing to do")) << same.output;
}

}  // namespace
}  // namespace pgdrift::testing
