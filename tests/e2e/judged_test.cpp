// New vs history, end to end: a git repository built here from tests/fixtures/long-history (54
// Flyway migrations from three years of a SaaS app: drops, renames, type changes, backfills), one
// new migration on a branch, and the built binary judging it -- with --base, with the CI's
// variables, with an edited history file, against the replay cache, and with bad bases.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "pgdrift/util/text.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_history = fs::path(PGDRIFT_FIXTURES_DIR) / "long-history";
constexpr const char* k_dir = "db/migrations";

class JudgedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(m_repo.path() / k_dir);
    fs::copy(k_history, m_repo.path() / k_dir, fs::copy_options::recursive);
    git({"init", "-q", "-b", "main"});
    git({"add", "-A"});
    git({"commit", "-q", "-m", "three years of migrations"});
    git({"checkout", "-q", "-b", "change"});
  }

  // Runs git in the repository; fails the test when git does.
  std::string git(std::vector<std::string> args, const fs::path& where = {}) {
    util::ProcessSpec spec;
    spec.argv = {"git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = e2e_environment();
    spec.cwd = where.empty() ? m_repo.path() : where;
    const auto result = util::run_process(spec, std::chrono::minutes{1});
    EXPECT_TRUE(result.status.ok()) << util::join(spec.argv, " ") << "\n" << result.output;
    return result.output;
  }

  void add_migration(const std::string& name, const std::string& sql) {
    m_repo.write(std::string(k_dir) + "/" + name, sql);
    git({"add", "-A"});
    git({"commit", "-q", "-m", "add " + name});
  }

  using Run = JsonRun;
  Run pgdrift(std::vector<std::string> args, Environment env = e2e_environment(), const fs::path& cwd = {}) {
    return run_pgdrift_json(std::move(args), cwd.empty() ? m_repo.path() : cwd, env);
  }
  Run verify(std::vector<std::string> extra, Environment env = e2e_environment()) {
    std::vector<std::string> args = {"verify", "--migrations", k_dir, "--cache-dir", (m_work.path() / "cache").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return pgdrift(args, std::move(env));
  }

  static std::set<std::string> files_with_findings(const Run& run) {
    std::set<std::string> out;
    for (const auto& f : run.report["findings"]) out.insert(f.value("file", "<none>"));
    return out;
  }
  static std::vector<std::string> rules_in(const Run& run, const std::string& file) {
    std::vector<std::string> out;
    for (const auto& f : run.report["findings"]) {
      if (f.value("file", "") == file) out.push_back(f["rule"].get<std::string>());
    }
    return out;
  }

  TempTree m_repo;
  TempTree m_work;
};

const std::string k_new = std::string(k_dir) + "/V55__add_tasks_estimate.sql";

TEST_F(JudgedTest, OnlyTheNewMigrationIsJudgedAndTheHistoryStillReplays) {
  add_migration("V55__add_tasks_estimate.sql",
                "SET lock_timeout = '2s';\n"
                "ALTER TABLE tasks ADD COLUMN estimate_minutes integer;\n");
  // Judged as a whole, the history is red: drops, renames, locks of years ago.
  const auto all = verify({"--base", "none"});
  EXPECT_EQ(all.exit_code, 1) << all.output;
  EXPECT_GT(files_with_findings(all).size(), 20u);
  EXPECT_FALSE(all.report["judged"]["base"].is_string());

  const auto run = verify({"--base", "HEAD~1"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  for (const auto& file : files_with_findings(run)) EXPECT_EQ(file, k_new) << run.output;
  EXPECT_EQ(run.report["judged"]["new"], nlohmann::json::array({k_new}));
  EXPECT_EQ(run.report["judged"]["history_count"], 54);
  EXPECT_EQ(run.report["judged"]["base"], "HEAD~1");
  EXPECT_EQ(run.report["summary"]["migrations"], 55);
  EXPECT_EQ(run.report["summary"]["failed"], 0);
  EXPECT_NE(run.output.find("Judged 1 new migration since HEAD~1 (" + k_new + "); 54 history migrations replayed, "
                            "not judged"),
            std::string::npos)
      << run.output;
  for (const auto& m : run.report["migrations"]) EXPECT_EQ(m["judged"], m["file"] == k_new) << m["file"];
}

TEST_F(JudgedTest, ANewDestructiveMigrationStillFails) {
  add_migration("V55__drop_comments_body.sql", "ALTER TABLE comments DROP COLUMN body;\n");
  const auto run = verify({"--base", "HEAD~1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const std::string file = std::string(k_dir) + "/V55__drop_comments_body.sql";
  const auto rules = rules_in(run, file);
  EXPECT_NE(std::find(rules.begin(), rules.end(), "destructive/drop-column"), rules.end()) << run.output;
  for (const auto& f : files_with_findings(run)) EXPECT_EQ(f, file) << run.output;
}

TEST_F(JudgedTest, ANewMigrationIsLintedKnowingTheTypesTheHistoryGaveItsColumns) {
  // invoices.number was created as varchar(20) in V10: to varchar(12) cuts values, to text is free.
  add_migration("V55__invoice_number.sql", "SET lock_timeout = '2s';\nALTER TABLE invoices ALTER COLUMN number TYPE varchar(12);\n");
  const auto lint = pgdrift({"lint", k_dir, "--base", "HEAD~1"});
  EXPECT_EQ(lint.exit_code, 1) << lint.output;
  const std::string file = std::string(k_dir) + "/V55__invoice_number.sql";
  const auto narrowed = rules_in(lint, file);
  EXPECT_NE(std::find(narrowed.begin(), narrowed.end(), "lint/narrowing-type"), narrowed.end()) << lint.output;
  EXPECT_NE(lint.output.find("the column was varchar(20)"), std::string::npos) << lint.output;
  EXPECT_NE(lint.output.find("54 history migrations read for context"), std::string::npos) << lint.output;

  m_repo.write(file, "SET lock_timeout = '2s';\nALTER TABLE invoices ALTER COLUMN number TYPE text;\n");
  const auto widened = pgdrift({"lint", k_dir, "--base", "HEAD~1"});
  EXPECT_EQ(widened.exit_code, 0) << widened.output;
  EXPECT_TRUE(rules_in(widened, file).empty()) << widened.output;
}

TEST_F(JudgedTest, AnEditedHistoricalMigrationIsAnErrorOfItsOwn) {
  const std::string edited = std::string(k_dir) + "/V13__invoices_widen_amount.sql";
  m_repo.write(edited, "ALTER TABLE invoices ALTER COLUMN amount TYPE numeric(16,2);\n");
  const std::string commented = std::string(k_dir) + "/V12__drop_sessions.sql";
  m_repo.write(commented, "-- sessions moved to Redis (see ops/runbook.md)\nDROP TABLE sessions;\n");
  const auto run = verify({"--base", "main"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const auto edited_rules = rules_in(run, edited);
  ASSERT_FALSE(edited_rules.empty()) << run.output;
  EXPECT_EQ(edited_rules.front(), "history/edited-migration");
  // Flyway checksums every line, so even a comment-only edit breaks `flyway migrate`.
  EXPECT_EQ(rules_in(run, commented), std::vector<std::string>{"history/edited-migration"}) << run.output;
  for (const auto& f : run.report["findings"]) {
    if (f["rule"] != "history/edited-migration" || f["file"] != edited) continue;
    EXPECT_EQ(f["severity"], "error");
    EXPECT_EQ(f["line"], 1);
    EXPECT_NE(f["message"].get<std::string>().find("+1 −1 line"), std::string::npos) << f.dump();
    EXPECT_NE(f["hint"].get<std::string>().find("new migration"), std::string::npos) << f.dump();
  }
  // A pre-commit hook naming the file with an explicit base sees it too.
  const auto hook = pgdrift({"lint", edited, "--base", "main"});
  EXPECT_EQ(hook.exit_code, 1) << hook.output;
  EXPECT_EQ(rules_in(hook, edited).front(), "history/edited-migration") << hook.output;
  // The edited file is judged (it runs on fresh databases); the comment-only one stays history.
  const auto& fresh = run.report["judged"]["new"];
  EXPECT_NE(std::find(fresh.begin(), fresh.end(), edited), fresh.end()) << fresh.dump();
  EXPECT_EQ(std::find(fresh.begin(), fresh.end(), commented), fresh.end()) << fresh.dump();
}

TEST_F(JudgedTest, TheCiVariablesChooseTheBaseByThemselves) {
  add_migration("V55__add_tasks_estimate.sql", "ALTER TABLE tasks ADD COLUMN estimate_minutes integer;\n");
  const std::string base_commit = git({"rev-parse", "main"}).substr(0, 40);
  // What actions/checkout with fetch-depth: 0 leaves: the base branch as a remote ref.
  git({"update-ref", "refs/remotes/origin/main", base_commit});

  auto github = e2e_environment();
  github["GITHUB_BASE_REF"] = "main";
  const auto gh = verify({}, github);
  EXPECT_EQ(gh.report["judged"]["base"], "origin/main") << gh.output;
  EXPECT_EQ(gh.report["judged"]["new"], nlohmann::json::array({k_new}));

  auto gitlab = e2e_environment();
  gitlab["CI_MERGE_REQUEST_DIFF_BASE_SHA"] = base_commit;
  const auto gl = verify({}, gitlab);
  EXPECT_EQ(gl.report["judged"]["base"], base_commit) << gl.output;
  EXPECT_EQ(gl.report["judged"]["new"], nlohmann::json::array({k_new}));

  // --base none overrides the CI.
  const auto none = verify({"--base", "none"}, github);
  EXPECT_EQ(none.report["judged"]["new"].size(), 55u);
  EXPECT_TRUE(none.report["judged"]["base"].is_null());

  // Without any base, everything is judged, and the text says how to narrow it.
  const auto plain = pgdrift({"lint", k_dir});
  EXPECT_NE(plain.output.find("pass --base origin/main"), std::string::npos) << plain.output;
}

TEST_F(JudgedTest, AWarmRunReplaysOnlyTheNewMigrationWithTheSameFindings) {
  add_migration("V55__drop_comments_body.sql", "ALTER TABLE comments DROP COLUMN body;\n");
  const auto cold = verify({"--base", "HEAD~1"});
  const auto warm = verify({"--base", "HEAD~1"});
  EXPECT_EQ(cold.report["judged"]["cache"], "saved") << cold.output;
  EXPECT_EQ(warm.report["judged"]["cache"], "hit") << warm.output;
  EXPECT_EQ(cold.report["summary"]["applied"], 55);
  EXPECT_EQ(warm.report["summary"]["applied"], 1);
  EXPECT_EQ(warm.report["summary"]["cached"], 54);
  EXPECT_EQ(warm.report["findings"], cold.report["findings"]);
  EXPECT_EQ(warm.exit_code, cold.exit_code);
  EXPECT_NE(warm.output.find("54 history migrations, restored from the replay cache"), std::string::npos)
      << warm.output;

  // Judged by a baseline instead, the same history is the same cache entry ...
  EXPECT_EQ(verify({"--baseline", "54"}).report["judged"]["cache"], "hit");
  // ... until any history file changes.
  const std::string v20 = std::string(k_dir) + "/V20__create_audit_events.sql";
  std::ifstream in(m_repo.path() / v20);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("varchar(50)"), 11, "varchar(80)");
  m_repo.write(v20, text);
  const auto changed = verify({"--baseline", "54"});
  EXPECT_EQ(changed.report["judged"]["cache"], "saved") << changed.output;
  EXPECT_EQ(changed.report["summary"]["applied"], 55);
  EXPECT_EQ(verify({"--baseline", "54"}).report["judged"]["cache"], "hit");
  // --no-cache replays everything and finds the same.
  const auto uncached = verify({"--base", "HEAD~1", "--no-cache"});
  EXPECT_EQ(uncached.report["judged"]["cache"], "off");
  EXPECT_EQ(uncached.report["summary"]["applied"], 55);
}

TEST_F(JudgedTest, BadBasesAreUsageErrorsNamingTheFix) {
  const auto unknown = verify({"--base", "no-such-branch"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("--base no-such-branch: no such commit or branch"), std::string::npos) << unknown.output;

  auto github = e2e_environment();
  github["GITHUB_BASE_REF"] = "develop";
  const auto missing = verify({}, github);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("fetch-depth: 0"), std::string::npos) << missing.output;

  TempTree loose;
  fs::create_directories(loose.path() / "migrations");
  fs::copy(k_history, loose.path() / "migrations", fs::copy_options::recursive);
  const auto not_git = pgdrift({"lint", "migrations", "--base", "main"}, e2e_environment(), loose.path());
  EXPECT_EQ(not_git.exit_code, 2) << not_git.output;
  EXPECT_NE(not_git.output.find("is not in a git work tree"), std::string::npos) << not_git.output;
  EXPECT_NE(not_git.output.find("migrations.baseline"), std::string::npos) << not_git.output;

  // A shallow clone holds both tips but not their merge base.
  add_migration("V55__add_tasks_estimate.sql", "ALTER TABLE tasks ADD COLUMN estimate_minutes integer;\n");
  git({"checkout", "-q", "main"});
  m_repo.write("README", "main moves on\n");
  git({"add", "-A"});
  git({"commit", "-q", "-m", "main moves on"});
  git({"checkout", "-q", "change"});
  TempTree clone_parent;
  git({"clone", "-q", "--depth", "1", "--no-single-branch", "file://" + m_repo.path().string(),
       (clone_parent.path() / "clone").string()},
      clone_parent.path());
  const auto shallow = pgdrift({"lint", k_dir, "--base", "origin/main"}, e2e_environment(), clone_parent.path() / "clone");
  EXPECT_EQ(shallow.exit_code, 2) << shallow.output;
  EXPECT_NE(shallow.output.find("shallow clone"), std::string::npos) << shallow.output;
}

TEST_F(JudgedTest, RenamedDeletedAndIgnoredFilesAreNotSilent) {
  git({"mv", std::string(k_dir) + "/V12__drop_sessions.sql", std::string(k_dir) + "/V12__drop_session_table.sql"});
  git({"rm", "-q", std::string(k_dir) + "/V54__accounts_created_at_timestamptz.sql"});
  // A new file git ignores is still new.
  m_repo.write(".git/info/exclude", "db/migrations/V99*\n");
  m_repo.write(std::string(k_dir) + "/V99__drop_tasks.sql", "DROP TABLE tasks CASCADE;\n");
  const auto run = pgdrift({"lint", k_dir, "--base", "main"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  const std::string renamed = std::string(k_dir) + "/V12__drop_session_table.sql";
  EXPECT_EQ(rules_in(run, renamed), std::vector<std::string>{"history/renamed-migration"}) << run.output;
  bool deleted = false;
  for (const auto& f : run.report["findings"]) {
    deleted = deleted || (f["rule"] == "history/deleted-migration" &&
                          f["message"].get<std::string>().find("V54__accounts_created_at_timestamptz.sql") !=
                              std::string::npos);
  }
  EXPECT_TRUE(deleted) << run.output;
  const auto dropped = rules_in(run, std::string(k_dir) + "/V99__drop_tasks.sql");
  EXPECT_NE(std::find(dropped.begin(), dropped.end(), "lint/drop-table"), dropped.end()) << run.output;
  EXPECT_EQ(run.report["judged"]["new"], nlohmann::json::array({std::string(k_dir) + "/V99__drop_tasks.sql"}));
}

TEST_F(JudgedTest, HistoryWarningsStayInTheHistoryAndAnIndexDroppedUnderAHistoryKeyIsFound) {
  // History (before HEAD~1) that warns when it runs.
  add_migration("V54.5__warn.sql", "DO $$ BEGIN RAISE WARNING 'checking the data'; END $$;\n");
  // V7 created comments.author_id's key without an index; V7 also indexed task_id.
  add_migration("V55__drop_comment_task_index.sql",
                "SET lock_timeout = '2s';\nDO $$ BEGIN RAISE WARNING 'dropping an index'; END $$;\n"
                "DROP INDEX comments_task_id_idx;\n");
  const auto cold = verify({"--base", "HEAD~1"});
  const auto warm = verify({"--base", "HEAD~1"});
  EXPECT_EQ(warm.report["findings"], cold.report["findings"]);
  const std::string file = std::string(k_dir) + "/V55__drop_comment_task_index.sql";
  const auto rules = rules_in(cold, file);
  EXPECT_NE(std::find(rules.begin(), rules.end(), "lint/foreign-key-without-index"), rules.end()) << cold.output;
  EXPECT_NE(std::find(rules.begin(), rules.end(), "replay/server-warning"), rules.end()) << cold.output;
  // The key on author_id had no index before this change: not its finding; nor is the history's warning.
  EXPECT_EQ(cold.output.find("comments_author_id_fkey"), std::string::npos) << cold.output;
  EXPECT_EQ(cold.output.find("checking the data"), std::string::npos) << cold.output;
  EXPECT_EQ(cold.report["judged"]["history_count"], 55);
}

TEST_F(JudgedTest, BaseNoneKeepsTheBaselineAndAFlagWinsOverTheCi) {
  add_migration("V55__add_tasks_estimate.sql", "ALTER TABLE tasks ADD COLUMN estimate_minutes integer;\n");
  auto github = e2e_environment();
  github["GITHUB_BASE_REF"] = "no-such-branch";  // would be exit 2
  const auto none = verify({"--base", "none", "--baseline", "53"}, github);
  EXPECT_EQ(none.report["judged"]["base"], "baseline 53") << none.output;
  EXPECT_EQ(none.report["judged"]["new"].size(), 2u);
  const auto flag = verify({"--base", "HEAD~1"}, github);
  EXPECT_EQ(flag.report["judged"]["base"], "HEAD~1") << flag.output;
  // The CI's base wins over pgdrift.yml's.
  m_repo.write("pgdrift.yml", "migrations:\n  base: HEAD\n");
  git({"update-ref", "refs/remotes/origin/main", git({"rev-parse", "main"}).substr(0, 40)});
  github["GITHUB_BASE_REF"] = "main";
  const auto ci = verify({}, github);
  EXPECT_EQ(ci.report["judged"]["base"], "origin/main") << ci.output;
  EXPECT_EQ(verify({}).report["judged"]["base"], "HEAD");
}

TEST_F(JudgedTest, HistoryReplayedBetweenJudgedMigrationsStaysHistorys) {
  // Editing V3 makes it judged; V7 (unindexed comments.author_id key), V13 (a retype that
  // rewrites invoices), V20… then replay after it unwatched: nothing of theirs is this change's.
  const std::string edited = std::string(k_dir) + "/V3__create_projects.sql";
  m_repo.write(edited,
               "CREATE TABLE projects (\n    id bigserial PRIMARY KEY,\n    account_id bigint NOT NULL REFERENCES "
               "accounts (id) ON DELETE CASCADE,\n    title varchar(300) NOT NULL,\n    archived boolean NOT NULL "
               "DEFAULT false\n);\nCREATE INDEX projects_account_id_idx ON projects (account_id);\n"
               "DO $$ BEGIN RAISE NOTICE 'projects ready'; END $$;\n");
  // And a new migration after them all, one the guard snapshots around (an UPDATE of a table with a
  // trigger): what the history dropped in between (V12, V18, V27…) is not its doing.
  add_migration("V55__add_tasks_estimate.sql", "UPDATE tasks SET priority = 0 WHERE priority > 5;\n");
  const auto run = verify({"--base", "main"});
  for (const auto& file : files_with_findings(run)) {
    EXPECT_TRUE(file == edited || file == k_new) << file << "\n" << run.output;
  }
  for (const auto& rule : rules_in(run, k_new)) EXPECT_NE(rule.rfind("destructive/", 0), 0u) << run.output;
  const auto base_none = verify({"--base", "none"});
  EXPECT_GT(files_with_findings(base_none).size(), 10u) << "the history itself has plenty to say";
}

TEST_F(JudgedTest, TheBaselineJudgesWithoutGit) {
  add_migration("V55__add_tasks_estimate.sql", "ALTER TABLE tasks ADD COLUMN estimate_minutes integer;\n");
  const auto run = verify({"--baseline", "54"});
  EXPECT_EQ(run.report["judged"]["new"], nlohmann::json::array({k_new})) << run.output;
  EXPECT_EQ(run.report["judged"]["base"], "baseline 54");
}

}  // namespace
}  // namespace pgdrift::testing
