// history::judge (new vs history from a git base, a baseline and the targets) and the edit
// classification behind history/edited-migration. GitChanges are built by hand here; the e2e
// tests read them from a real git repository.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgdrift/history/judge.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::history {
namespace {

using migrations::Format;
using migrations::Migration;

Migration migration(const std::string& version, const std::string& source) {
  Migration m;
  m.version = version;
  m.name = "m" + version;
  m.path = "/repo/db/V" + version + "__m.sql";
  m.display_path = "db/V" + version + "__m.sql";
  m.source = source;
  m.up_sql = source;
  return m;
}

std::vector<Migration> tree() {
  return {migration("1", "CREATE TABLE t (id int);\n"), migration("2", "ALTER TABLE t ADD COLUMN a text;\n"),
          migration("3", "-- +goose Up\nCREATE INDEX ON t (a);\n"), migration("4", "DROP TABLE t;\n")};
}

// Every file of tree() existed at the merge base, unchanged.
GitChanges git_base() {
  GitChanges git;
  git.base = "origin/main";
  git.merge_base = "0123456789abcdef0123456789abcdef01234567";
  for (const auto& m : tree()) git.at_base.insert(m.path.string());
  return git;
}

std::string judged_string(const Judged& judged) {
  std::string out;
  for (const bool b : judged.is_new) out += b ? 'N' : 'h';
  return out;
}

std::vector<std::string> rules(const Judged& judged) {
  std::vector<std::string> out;
  for (const auto& f : judged.findings) out.push_back(f.rule + ":" + std::string(to_string(f.severity)));
  return out;
}

TEST(Judge, WithoutAnyNotionEverythingIsNew) {
  const auto judged = judge(tree(), JudgeInput{});
  EXPECT_FALSE(judged.narrowed);
  EXPECT_EQ(judged_string(judged), "NNNN");
  EXPECT_TRUE(judged.findings.empty());
}

TEST(Judge, FilesAddedSinceTheBaseAreNewTheRestHistory) {
  JudgeInput input;
  input.git = git_base();
  input.git->at_base.erase("/repo/db/V4__m.sql");  // added since, untracked or ignored: all the same
  const auto judged = judge(tree(), input);
  EXPECT_TRUE(judged.narrowed);
  EXPECT_EQ(judged.base, "origin/main");
  EXPECT_EQ(judged_string(judged), "hhhN");
  EXPECT_EQ(judged.new_count(), 1u);
  EXPECT_EQ(judged.history_count(), 3u);
  EXPECT_TRUE(judged.findings.empty());
}

TEST(Judge, AnEditedHistoryMigrationIsAnErrorAndJudged) {
  JudgeInput input;
  input.git = git_base();
  GitChanges::Edit edit;
  edit.first_line = 1;
  edit.lines_added = 1;
  edit.lines_removed = 1;
  edit.old_text = "ALTER TABLE t ADD COLUMN a varchar(10);\n";
  input.git->modified["/repo/db/V2__m.sql"] = edit;
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hNhh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/edited-migration:error"});
  const auto& f = judged.findings.front();
  ASSERT_TRUE(f.location.has_value());
  EXPECT_EQ(f.location->file, "db/V2__m.sql");
  EXPECT_EQ(f.location->line, 1);
  EXPECT_NE(f.message.find("+1 −1 lines"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("since origin/main (merge base 0123456789ab)"), std::string::npos) << f.message;
  EXPECT_NE(f.hint.find("git checkout 0123456789ab -- db/V2__m.sql"), std::string::npos) << f.hint;
  EXPECT_NE(f.hint.find("new migration"), std::string::npos) << f.hint;
}

TEST(Judge, ACommentOnlyEditIsANoticeAndStaysHistory) {
  JudgeInput input;
  input.git = git_base();
  input.format = Format::golang_migrate;
  GitChanges::Edit edit;
  edit.first_line = 2;
  edit.lines_added = 1;
  edit.old_text = "ALTER TABLE t\n   ADD COLUMN a text; -- old comment\n";
  input.git->modified["/repo/db/V2__m.sql"] = edit;
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hhhh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/edited-migration:notice"});
  EXPECT_NE(judged.findings.front().message.find("whitespace or comments only"), std::string::npos);
}

TEST(Judge, ACommentOnlyEditBreaksFlywayChecksumsSoItIsAnError) {
  JudgeInput input;
  input.git = git_base();
  input.format = Format::flyway;
  GitChanges::Edit edit;
  edit.old_text = "-- add a\nALTER TABLE t ADD COLUMN a text;\n";
  input.git->modified["/repo/db/V2__m.sql"] = edit;
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hhhh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/edited-migration:error"});
  EXPECT_NE(judged.findings.front().message.find("Flyway checksums"), std::string::npos);
  EXPECT_NE(judged.findings.front().hint.find("flyway repair"), std::string::npos);
}

TEST(Judge, ChangingAToolDirectiveCommentIsNotCosmetic) {
  JudgeInput input;
  input.git = git_base();
  input.format = Format::goose;
  GitChanges::Edit edit;
  edit.old_text = "-- +goose Up\n-- +goose NO TRANSACTION\nCREATE INDEX ON t (a);\n";
  input.git->modified["/repo/db/V3__m.sql"] = edit;
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hhNh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/edited-migration:error"});
}

TEST(Judge, ABlankLineAddedToAFlywayFileKeepsItsChecksum) {
  JudgeInput input;
  input.git = git_base();
  input.format = Format::flyway;
  GitChanges::Edit edit;
  edit.lines_added = 1;
  edit.old_text = "ALTER TABLE t ADD COLUMN a text;";  // the file now ends with a line break more
  input.git->modified["/repo/db/V2__m.sql"] = edit;
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hhhh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/edited-migration:notice"});
}

TEST(Judge, AnEditedRepeatableMigrationIsJudgedWithoutAFinding) {
  auto list = tree();
  list[3].repeatable = true;
  list[3].source = list[3].up_sql = "CREATE OR REPLACE VIEW v AS SELECT 2;\n";
  JudgeInput input;
  input.git = git_base();
  input.format = Format::flyway;
  GitChanges::Edit edit;
  edit.old_text = "CREATE OR REPLACE VIEW v AS SELECT 1;\n";
  input.git->modified["/repo/db/V4__m.sql"] = edit;
  const auto judged = judge(list, input);
  EXPECT_EQ(judged_string(judged), "hhhN");
  EXPECT_TRUE(judged.findings.empty());
}

TEST(Judge, AnEditOfTheDownSectionAloneIsANoticeAndStaysHistory) {
  auto list = tree();
  list[1].source = "-- migrate:up\nALTER TABLE t ADD COLUMN a text;\n-- migrate:down\nALTER TABLE t DROP COLUMN IF EXISTS a;\n";
  JudgeInput input;
  input.git = git_base();
  input.format = Format::dbmate;
  GitChanges::Edit edit;
  edit.first_line = 4;
  edit.lines_added = edit.lines_removed = 1;
  edit.old_text = "-- migrate:up\nALTER TABLE t ADD COLUMN a text;\n-- migrate:down\nALTER TABLE t DROP COLUMN a;\n";
  input.git->modified["/repo/db/V2__m.sql"] = edit;
  auto judged = judge(list, input);
  EXPECT_EQ(judged_string(judged), "hhhh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/edited-migration:notice"});
  EXPECT_NE(judged.findings.front().message.find("down section only"), std::string::npos);

  // The same edit in the up section is a real one.
  input.git->modified["/repo/db/V2__m.sql"].old_text =
      "-- migrate:up\nALTER TABLE t ADD COLUMN a varchar(5);\n-- migrate:down\nALTER TABLE t DROP COLUMN IF EXISTS a;\n";
  judged = judge(list, input);
  EXPECT_EQ(judged_string(judged), "hNhh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/edited-migration:error"});
}

TEST(Judge, RenamedAndDeletedMigrationsAreWarnings) {
  JudgeInput input;
  input.git = git_base();
  input.git->at_base.erase("/repo/db/V3__m.sql");
  input.git->renamed["/repo/db/V3__m.sql"] = {"db/V3__old_name.sql", 100};
  input.git->at_base.erase("/repo/db/V4__m.sql");
  input.git->renamed["/repo/db/V4__m.sql"] = {"db/V4__old_name.sql", 80};
  input.git->deleted = {{"db/V0__gone.sql", "DROP TABLE legacy;\n"}, {"db/V0__gone.down.sql", ""}, {"db/README.md", ""}};
  const auto judged = judge(tree(), input);
  // Renamed as is: it builds what it built (history); renamed and changed: judged.
  EXPECT_EQ(judged_string(judged), "hhhN");
  EXPECT_EQ(rules(judged), (std::vector<std::string>{"history/renamed-migration:warning",
                                                     "history/renamed-migration:warning",
                                                     "history/deleted-migration:warning"}));
  EXPECT_NE(judged.findings[0].message.find("renamed from db/V3__old_name.sql"), std::string::npos);
  EXPECT_NE(judged.findings[2].message.find("db/V0__gone.sql existed at origin/main"), std::string::npos);
}

TEST(Judge, AFileMovedWithoutGitMvIsARenameNotADeletionAndANewFile) {
  JudgeInput input;
  input.git = git_base();
  input.git->at_base.erase("/repo/db/V2__m.sql");
  input.git->deleted = {{"db/V2__old_name.sql", "ALTER TABLE t ADD COLUMN a text;\n"}};
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hhhh");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/renamed-migration:warning"});
  EXPECT_NE(judged.findings[0].message.find("renamed from db/V2__old_name.sql"), std::string::npos);
}

TEST(Judge, ABaseThatLeavesNoHistoryIsAWarning) {
  JudgeInput input;
  input.git = git_base();
  input.git->at_base.clear();
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "NNNN");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/base-judges-everything:warning"});
  EXPECT_NE(judged.findings.front().message.find("every one of the 4 migrations is new since origin/main"),
            std::string::npos);
}

TEST(Judge, TheBaselineMakesEverythingAtOrBelowItHistory) {
  JudgeInput input;
  input.baseline = "2";
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hhNN");
  EXPECT_EQ(judged.base, "baseline 2");
  EXPECT_TRUE(judged.findings.empty());
}

TEST(Judge, ABaselineBetweenVersionsIsANotice) {
  std::vector<Migration> list = {migration("20240101", ""), migration("20240301", ""), migration("20240501", "")};
  JudgeInput input;
  input.baseline = "20240401";
  const auto judged = judge(list, input);
  EXPECT_EQ(judged_string(judged), "hhN");
  ASSERT_EQ(rules(judged), std::vector<std::string>{"history/baseline-not-found:notice"});
}

TEST(Judge, ABaselineIsComparedAsAVersion) {
  // golang-migrate writes 000005; "5" is the same version.
  std::vector<Migration> list = {migration("000004", ""), migration("000005", ""), migration("000006", "")};
  JudgeInput input;
  input.baseline = "5";
  const auto judged = judge(list, input);
  EXPECT_EQ(judged_string(judged), "hhN");
  EXPECT_TRUE(judged.findings.empty());
  // What is no version at all is an error, not "everything is history".
  for (const char* bad : {"V5", "abc"}) {
    input.baseline = bad;
    try {
      judge(list, input);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::usage);
      EXPECT_NE(std::string(e.what()).find("is not the version of any migration"), std::string::npos);
      EXPECT_NE(e.hint().find("e.g. 000006"), std::string::npos) << e.hint();
    }
  }
}

TEST(Judge, AppliedOnEveryTargetIsHistoryAppliedOnSomeIsNew) {
  JudgeInput input;
  const auto list = tree();
  input.applied_on_targets = {{list[0].path.string(), list[1].path.string(), list[2].path.string()},
                              {list[0].path.string(), list[1].path.string()}};
  const auto judged = judge(list, input);
  EXPECT_EQ(judged_string(judged), "hhNN");
  EXPECT_EQ(judged.base, "applied on every target");
}

TEST(Judge, AnyNotionThatCallsAMigrationHistoryWins) {
  JudgeInput input;
  input.git = git_base();
  input.git->at_base.erase("/repo/db/V3__m.sql");
  input.git->at_base.erase("/repo/db/V4__m.sql");
  input.baseline = "3";
  const auto judged = judge(tree(), input);
  EXPECT_EQ(judged_string(judged), "hhhN");
  EXPECT_EQ(judged.base, "origin/main, baseline 3");
}

TEST(Judge, VersionsCompareLikeMigrationTools) {
  EXPECT_LT(compare_versions("1.9", "1.10"), 0);
  EXPECT_GT(compare_versions("2", "1.10"), 0);
  EXPECT_EQ(compare_versions("1.0", "1"), 0);
  EXPECT_EQ(compare_versions("0007", "7"), 0);
  EXPECT_LT(compare_versions("20240101120000", "20240102000000"), 0);
  EXPECT_LT(compare_versions("1_1", "1_2"), 0);
}

TEST(SameTokens, WhitespaceAndCommentsDoNotCountStringsDo) {
  // Conservative: a keyword's case is a token change too.
  EXPECT_FALSE(sql::same_tokens("CREATE TABLE t (id int);", "create table t (id int);"));
  EXPECT_TRUE(sql::same_tokens("CREATE TABLE t (id int); -- x", "/* y */ CREATE\n\tTABLE t ( id int );"));
  EXPECT_FALSE(sql::same_tokens("SELECT 'a b';", "SELECT 'a  b';"));
  EXPECT_FALSE(sql::same_tokens("SELECT 1;", "SELECT 1; SELECT 2;"));
  EXPECT_FALSE(sql::same_tokens("CREATE TABLE ab (id int);", "CREATE TABLE a b (id int);"));
  EXPECT_FALSE(sql::same_tokens("SELECT $$a -- b$$;", "SELECT $$a$$;"));
}

}  // namespace
}  // namespace pgdrift::history
