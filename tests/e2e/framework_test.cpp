// `pgdrift verify --command` and `status --command` with real frameworks: Alembic (Debian's
// python3-alembic with psycopg2) and node-pg-migrate (from npm, installed by
// `ci/install-deps --test` into ~/.cache/pgdrift-ci/node). pgdrift captures what the framework
// sends from the sandbox server's own log; targets are databases the same framework built.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/util/process.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_frameworks = fs::path(PGDRIFT_FIXTURES_DIR) / "frameworks";
const std::string k_python = "/usr/bin/python3";

fs::path node_dir() {
  const auto env = current_environment();
  if (const auto it = env.find("PGDRIFT_CI_CACHE"); it != env.end()) return fs::path(it->second) / "node";
  const auto home = env.find("HOME");
  return fs::path(home == env.end() ? "/root" : home->second) / ".cache" / "pgdrift-ci" / "node";
}

// Why a framework cannot run here ("" when it can). In CI a missing framework fails the test.
std::string missing_alembic() {
  util::ProcessSpec spec;
  spec.argv = {k_python, "-c", "import alembic, psycopg2"};
  spec.env = current_environment();
  return util::run_process(spec, std::chrono::seconds(30)).status.ok()
             ? ""
             : "Alembic or psycopg2 missing for /usr/bin/python3: run ci/install-deps --test";
}

std::string missing_node_pg_migrate() {
  return fs::exists(node_dir() / "node_modules" / ".bin" / "node-pg-migrate")
             ? ""
             : "node-pg-migrate missing in " + node_dir().string() + ": run ci/install-deps --test";
}

#define REQUIRE_FRAMEWORK(why)                                                   \
  do {                                                                           \
    const std::string reason = (why);                                            \
    if (!reason.empty()) {                                                       \
      if (current_environment().count("CI") != 0) FAIL() << reason;              \
      GTEST_SKIP() << reason;                                                    \
    }                                                                            \
  } while (false)

class FrameworkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox::Options options;
    options.backend = "local";
    options.env = current_environment();
    s_backend = sandbox::make_backend(options).release();
    s_backend->start();
  }
  static void TearDownTestSuite() {
    s_backend->stop();
    delete s_backend;
  }

  // A project: the fixture `base` with `variant` (a file of `<base>-variants`) added to `into`.
  static void project(const TempTree& tree, const std::string& base, const std::string& into,
                      const std::string& variant) {
    fs::copy(k_frameworks / base, tree.path(), fs::copy_options::recursive);
    if (!variant.empty()) fs::copy(k_frameworks / (base + "-variants") / variant, tree.path() / into / variant);
  }

  static std::vector<std::string> alembic() { return {k_python, "-m", "alembic"}; }
  static std::string alembic_command() { return k_python + " -m alembic upgrade head"; }
  static std::string node_pg_migrate_command() {
    return (node_dir() / "node_modules" / ".bin" / "node-pg-migrate").string() + " up";
  }

  // A target database that the framework itself migrated (`argv` run in `cwd`), then `extra` SQL.
  static db::ConnectionInfo framework_target(const std::vector<std::string>& argv, const fs::path& cwd,
                                             const std::string& extra = "") {
    const auto database = s_backend->create_database("target");
    util::ProcessSpec spec;
    spec.argv = argv;
    spec.env = current_environment();
    spec.env["DATABASE_URL"] = database.url();
    spec.cwd = cwd;
    const auto run = util::run_process(spec, std::chrono::minutes(2));
    EXPECT_TRUE(run.status.ok()) << run.output;
    if (!extra.empty()) db::Connection::open(database, "test")->execute(extra);
    return database;
  }

  using Run = JsonRun;
  static Run pgdrift(std::vector<std::string> args, const fs::path& cwd) {
    return run_pgdrift_json(std::move(args), cwd);
  }
  static std::vector<nlohmann::json> with_rule(const Run& run, const std::string& prefix) {
    std::vector<nlohmann::json> out;
    for (const auto& f : run.report["findings"]) {
      if (f["rule"].get<std::string>().rfind(prefix, 0) == 0) out.push_back(f);
    }
    return out;
  }
  static std::size_t above_notice(const Run& run) {
    std::size_t n = 0;
    for (const auto& f : run.report["findings"]) n += f["severity"] != "notice" ? 1 : 0;
    return n;
  }

  static sandbox::Backend* s_backend;
};

sandbox::Backend* FrameworkTest::s_backend = nullptr;

TEST_F(FrameworkTest, AlembicDroppedColumnIsCaughtWithTheRevisionAndTheSafeTwinIsClean) {
  REQUIRE_FRAMEWORK(missing_alembic());
  TempTree dangerous;
  project(dangerous, "alembic", "migrations/versions", "9f8e7d6c5b4a_drop_nickname.py");
  const auto dropped = pgdrift({"verify", "--command", alembic_command()}, dangerous.path());
  EXPECT_EQ(dropped.exit_code, 1) << dropped.output;
  const auto drops = with_rule(dropped, "destructive/");
  ASSERT_FALSE(drops.empty()) << dropped.output;
  const auto& f = drops.front();
  EXPECT_NE(f["message"].get<std::string>().find("alembic migration 9f8e7d6c5b4a"), std::string::npos)
      << f.dump(2);
  EXPECT_EQ(f["file"], "alembic:9f8e7d6c5b4a") << f.dump(2);
  EXPECT_EQ(f["line"], 16) << f.dump(2);  // the statement's ordinal among all Alembic sent
  EXPECT_NE(f["detail"].get<std::string>().find("ALTER TABLE users DROP COLUMN nickname"), std::string::npos)
      << f.dump(2);
  EXPECT_EQ(dropped.report["format"], "alembic");

  TempTree safe;
  project(safe, "alembic", "migrations/versions", "4c5d6e7f8a9b_create_audit_events.py");
  const auto added = pgdrift({"verify", "--command", alembic_command()}, safe.path());
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_EQ(above_notice(added), 0u) << added.output;
  // Both revisions were replayed as migrations of their own.
  ASSERT_EQ(added.report["migrations"].size(), 2u) << added.output;
  EXPECT_EQ(added.report["migrations"][1]["file"], "alembic:4c5d6e7f8a9b");
}

TEST_F(FrameworkTest, AlembicTargetsAreComparedAndTheirHistoryTableRead) {
  REQUIRE_FRAMEWORK(missing_alembic());
  TempTree tree;
  project(tree, "alembic", "migrations/versions", "4c5d6e7f8a9b_create_audit_events.py");
  auto up_to = [&](const std::string& revision) {
    auto argv = alembic();
    argv.insert(argv.end(), {"upgrade", revision});
    return argv;
  };
  const auto clean = framework_target(up_to("head"), tree.path());
  const auto by_hand = framework_target(up_to("head"), tree.path(), "ALTER TABLE users ADD COLUMN legacy_flag boolean");
  const auto behind = framework_target(up_to("1a2b3c4d5e6f"), tree.path());

  const auto verified = pgdrift({"verify", "--command", alembic_command(), "--target", "clean=" + clean.url(),
                                 "--target", "byhand=" + by_hand.url()},
                                tree.path());
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  std::vector<std::string> drift_targets;
  for (const auto& f : with_rule(verified, "drift/")) drift_targets.push_back(f.value("target", ""));
  EXPECT_EQ(drift_targets, std::vector<std::string>{"byhand"}) << verified.output;
  EXPECT_NE(verified.output.find("column public.users.legacy_flag"), std::string::npos) << verified.output;
  // Both migrations are applied on every target: history, replayed but not judged.
  EXPECT_EQ(verified.report["judged"]["history_count"], 2) << verified.report["judged"].dump();
  // alembic_version is the framework's, not the application's: no drift, no pending history, and
  // nothing linted in it.
  EXPECT_EQ(verified.output.find("alembic_version"), std::string::npos) << verified.output;
  EXPECT_TRUE(with_rule(verified, "history/").empty()) << verified.output;

  const auto status = pgdrift({"status", "--command", alembic_command(), "--target", "behind=" + behind.url(),
                               "--target", "current=" + clean.url()},
                              tree.path());
  EXPECT_EQ(status.exit_code, 0) << status.output;
  const auto pending = with_rule(status, "history/pending");
  ASSERT_EQ(pending.size(), 1u) << status.output;
  EXPECT_EQ(pending[0]["target"], "behind");
  EXPECT_NE(pending[0]["message"].get<std::string>().find("4c5d6e7f8a9b"), std::string::npos) << status.output;
}

TEST_F(FrameworkTest, NodePgMigrateDroppedColumnIsCaughtWithTheMigrationNameAndTheSafeTwinIsClean) {
  REQUIRE_FRAMEWORK(missing_node_pg_migrate());
  TempTree dangerous;
  project(dangerous, "node-pg-migrate", "migrations", "1709880000000_drop-nickname.js");
  const auto dropped = pgdrift({"verify", "--command", node_pg_migrate_command()}, dangerous.path());
  EXPECT_EQ(dropped.exit_code, 1) << dropped.output;
  const auto drops = with_rule(dropped, "destructive/");
  ASSERT_FALSE(drops.empty()) << dropped.output;
  EXPECT_NE(drops.front()["message"].get<std::string>().find("node-pg-migrate migration 1709880000000_drop-nickname"),
            std::string::npos)
      << drops.front().dump(2);

  TempTree safe;
  project(safe, "node-pg-migrate", "migrations", "1709880000000_create-audit-events.js");
  const auto added = pgdrift({"verify", "--command", node_pg_migrate_command()}, safe.path());
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_EQ(above_notice(added), 0u) << added.output;
  EXPECT_EQ(added.report["format"], "node-pg-migrate");
}

TEST_F(FrameworkTest, ABaseIsAnErrorForFrameworkMigrations) {
  TempTree tree;
  const auto run = pgdrift({"verify", "--command", "true", "--base", "origin/main"}, tree.path());
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("does not apply to framework migrations"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace pgdrift::testing
