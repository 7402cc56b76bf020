#include "pgdrift/history/history.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgdrift/util/hash.hpp"

namespace pgdrift::history {
namespace {

using migrations::Format;
using migrations::Migration;

Migration migration(const std::string& version, const std::string& name, const std::string& source,
                    const std::string& path = "") {
  Migration m;
  m.version = version;
  m.name = name;
  m.source = source;
  m.checksum = util::sha256_hex(source);
  m.path = path.empty() ? version + "_" + name + ".sql" : path;
  m.display_path = m.path.string();
  return m;
}

Migration repeatable(const std::string& description, const std::string& source) {
  Migration m = migration(description, description, source, "R__" + description + ".sql");
  m.repeatable = true;
  return m;
}

Applied row(const std::string& version, std::optional<std::string> checksum = std::nullopt,
            bool success = true) {
  Applied a;
  a.version = version;
  a.checksum = std::move(checksum);
  a.success = success;
  return a;
}

Applied flyway_row(const std::string& type, const std::string& version,
                   std::optional<std::string> checksum = std::nullopt, bool success = true) {
  Applied a = row(version, std::move(checksum), success);
  a.type = type;
  a.description = version;
  return a;
}

History history(std::vector<Applied> applied) {
  return {true, "public.history", std::move(applied)};
}

// "state version" per entry, in order.
std::vector<std::string> states(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const Entry& e : entries) out.push_back(to_string(e.state) + " " + e.version);
  return out;
}

using Lines = std::vector<std::string>;

// Flyway checksums below were computed with Python's zlib.crc32 (the same CRC-32 as
// java.util.zip.CRC32) fed the file's lines as Flyway feeds them, the terminators (\n, \r\n, \r)
// and a leading BOM left out, and the unsigned result read as a signed 32-bit integer:
//   c = 0
//   for line in re.split(r'\r\n|\r|\n', text.lstrip('\ufeff')): c = zlib.crc32(line.encode(), c)
//   c - 2**32 if c >= 2**31 else c
constexpr const char* k_sql_lf = "CREATE TABLE users (id int);\nINSERT INTO users VALUES (1);\n";
constexpr const char* k_sql_crc = "-1929710232";

TEST(HistoryFlywayChecksum, MatchesCrc32OfTheLinesAsFlywayComputesIt) {
  struct Case {
    std::string source;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"123456789", "-873187034"},  // the CRC-32 check value 0xCBF43926, read as signed
      {"", "0"},
      {"SELECT 1;", "78787420"},
      {k_sql_lf, k_sql_crc},
      {"CREATE TABLE users (id int);\r\nINSERT INTO users VALUES (1);\r\n", k_sql_crc},  // CRLF
      {"CREATE TABLE users (id int);\rINSERT INTO users VALUES (1);", k_sql_crc},  // old Mac CR
      {std::string("\xEF\xBB\xBF") + k_sql_lf, k_sql_crc},                         // BOM dropped
      {"-- caf\xC3\xA9\nSELECT '\xC3\xBC';\n", "703018013"},                       // UTF-8 bytes
      {"a\nb", "-1635563411"},  // lines are joined without terminators: same as "ab"
      {"a\n\xEF\xBB\xBF"
       "b",
       "-444179588"},  // a BOM is only dropped at the start of the file
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.expected, tool_checksum(migration("1", "x", c.source), Format::flyway))
        << "source: " << c.source;
  }
}

TEST(HistoryToolChecksum, IsWhatEachToolRecords) {
  const Migration m = migration("1", "x", "hello");
  const std::string sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  EXPECT_EQ(sha, tool_checksum(m, Format::prisma));
  EXPECT_EQ(sha, tool_checksum(m, Format::drizzle));
  for (Format f :
       {Format::golang_migrate, Format::dbmate, Format::goose, Format::diesel, Format::plain}) {
    EXPECT_EQ(std::nullopt, tool_checksum(m, f)) << migrations::to_string(f);
  }
}

TEST(HistoryStates, HaveStableNames) {
  EXPECT_EQ("pending", to_string(State::pending));
  EXPECT_EQ("unknown", to_string(State::unknown));
  EXPECT_EQ("checksum-mismatch", to_string(State::checksum_mismatch));
  EXPECT_EQ("failed", to_string(State::failed));
}

TEST(HistoryCompare, NoHistoryTableMeansEverythingIsPendingExceptForPlainSql) {
  const std::vector<Migration> repo = {migration("1", "a", "A"), migration("2", "b", "B")};
  const History none;
  for (Format f : {Format::flyway, Format::golang_migrate, Format::dbmate, Format::goose,
                   Format::prisma, Format::drizzle, Format::diesel}) {
    const auto entries = compare(repo, none, f);
    EXPECT_EQ((Lines{"pending 1", "pending 2"}), states(entries)) << migrations::to_string(f);
    ASSERT_EQ(2u, entries.size());
    EXPECT_EQ(&repo[1], entries[1].migration);
    EXPECT_EQ("b", entries[1].name);
  }
  EXPECT_TRUE(compare(repo, none, Format::plain).empty());
}

TEST(HistoryCompareFlyway, ReportsEveryStateInRepositoryOrderThenUnknown) {
  const std::vector<Migration> repo = {
      migration("1", "init", "CREATE TABLE a ();\n"), migration("1.1", "add b", "ALTER b;\n"),
      migration("2", "posts", "CREATE TABLE p ();\n"), migration("3", "later", "SELECT 3;\n"),
      repeatable("views", "CREATE VIEW v AS SELECT 1;\n")};
  const auto crc = [&](std::size_t i) { return *tool_checksum(repo[i], Format::flyway); };
  Applied schema = flyway_row("SCHEMA", "");
  Applied views = flyway_row("SQL", "views", "12345");  // an older version of the view
  views.repeatable = true;
  Applied hotfix = flyway_row("SQL", "2.5", "77");
  hotfix.description = "hotfix";
  const History h = history({schema, flyway_row("SQL", "1", crc(0)), flyway_row("SQL", "1.1", "-5"),
                             flyway_row("SQL", "2", crc(2), /*success=*/false), views, hotfix});
  const auto entries = compare(repo, h, Format::flyway);
  EXPECT_EQ(
      (Lines{"checksum-mismatch 1.1", "failed 2", "pending 3", "pending views", "unknown 2.5"}),
      states(entries));
  ASSERT_EQ(5u, entries.size());
  EXPECT_EQ("recorded checksum -5, file now " + crc(1), entries[0].detail);
  EXPECT_EQ(&repo[1], entries[0].migration);
  EXPECT_NE(std::string::npos, entries[3].detail.find("runs it again")) << entries[3].detail;
  EXPECT_EQ("hotfix", entries[4].name);
  EXPECT_EQ(nullptr, entries[4].migration);
}

// A B<version> baseline script in the repository: Flyway runs it only on an empty history, and
// the versions it replaced, applied long ago from files since removed, are not unknown.
TEST(HistoryCompareFlyway, RepositoryBaselineCoversOlderVersions) {
  Migration baseline = migration("1.20.0", "baseline", "CREATE TABLE a ();\n", "B1_20_0__baseline.sql");
  baseline.baseline = true;
  const std::vector<Migration> repo = {baseline, migration("1.20.1", "add", "ALTER TABLE a ADD b int;\n")};
  const auto crc = [&](std::size_t i) { return *tool_checksum(repo[i], Format::flyway); };
  // A database migrated file by file before the baseline existed.
  const History old = history({flyway_row("SQL", "1", "11"), flyway_row("SQL", "1.19", "12"),
                               flyway_row("SQL", "1.20.1", crc(1)), flyway_row("SQL", "1.21", "13")});
  EXPECT_EQ((Lines{"unknown 1.21"}), states(compare(repo, old, Format::flyway)));
  // An empty history: the baseline is pending, as is everything above it.
  EXPECT_EQ((Lines{"pending 1.20.0", "pending 1.20.1"}),
            states(compare(repo, history({}), Format::flyway)));
  // A database built from the baseline: nothing to say.
  EXPECT_EQ(Lines{}, states(compare(repo, history({flyway_row("SQL_BASELINE", "1.20.0", crc(0)),
                                                   flyway_row("SQL", "1.20.1", crc(1))}),
                                    Format::flyway)));
}

TEST(HistoryCompareFlyway, UnchangedFilesAreNotListedWhateverTheirLineEndings) {
  const std::vector<Migration> repo = {
      migration("1", "init", "CREATE TABLE a (\r\n  id int\r\n);\r\n"),
      repeatable("views", "CREATE VIEW v AS SELECT 1;\r\n")};
  Applied views = flyway_row(
      "SQL", "views",
      *tool_checksum(migration("x", "y", "CREATE VIEW v AS SELECT 1;\n"), Format::flyway));
  views.repeatable = true;
  const History h =
      history({flyway_row("SQL", "1",
                          *tool_checksum(migration("1", "init", "CREATE TABLE a (\n  id int\n);\n"),
                                         Format::flyway)),
               views});
  EXPECT_EQ(Lines{}, states(compare(repo, h, Format::flyway)));
}

TEST(HistoryCompareFlyway, VersionsCompareAsNumbers) {
  const std::vector<Migration> repo = {migration("1", "a", "A"), migration("1.1", "b", "B")};
  const History h = history({flyway_row("SQL", "1.0"), flyway_row("SQL", "01_1")});
  EXPECT_EQ(Lines{}, states(compare(repo, h, Format::flyway)));
}

TEST(HistoryCompareFlyway, BaselineCoversOlderVersions) {
  const std::vector<Migration> repo = {migration("1", "a", "A"), migration("2", "b", "B"),
                                       migration("3", "c", "C")};
  const History h = history({flyway_row("BASELINE", "2")});
  EXPECT_EQ(Lines{"pending 3"}, states(compare(repo, h, Format::flyway)));
}

TEST(HistoryCompareFlyway, DeletedAndUndoneRowsNoLongerCount) {
  const std::vector<Migration> repo = {migration("1", "a", "A"), migration("2", "b", "B")};
  const History h =
      history({flyway_row("SQL", "1", std::nullopt), flyway_row("SQL", "2"), flyway_row("SQL", "9"),
               flyway_row("DELETE", "9"), flyway_row("UNDO_SQL", "2")});
  EXPECT_EQ(Lines{"pending 2"}, states(compare(repo, h, Format::flyway)));
}

TEST(HistoryCompareFlyway, AMissingOlderVersionIsPendingAndSaysFlywayIgnoresIt) {
  const std::vector<Migration> repo = {migration("1", "a", "A"), migration("2", "b", "B"),
                                       migration("3", "c", "C")};
  const History h = history({flyway_row("SQL", "1"), flyway_row("SQL", "3")});
  const auto entries = compare(repo, h, Format::flyway);
  EXPECT_EQ(Lines{"pending 2"}, states(entries));
  ASSERT_EQ(1u, entries.size());
  EXPECT_NE(std::string::npos, entries[0].detail.find("outOfOrder")) << entries[0].detail;
}

TEST(HistoryCompareFlyway, FailedRowWithoutAFileAndAnUnknownRepeatable) {
  const std::vector<Migration> repo = {migration("1", "a", "A")};
  Applied gone = flyway_row("SQL", "old view");
  gone.repeatable = true;
  const History h =
      history({flyway_row("SQL", "1"), flyway_row("SQL", "4", std::nullopt, false), gone});
  EXPECT_EQ((Lines{"failed 4", "unknown old view"}), states(compare(repo, h, Format::flyway)));
}

TEST(HistoryCompareGolangMigrate, TheCurrentVersionCoversEverythingBelowIt) {
  const std::vector<Migration> repo = {migration("000001", "a", "A"), migration("000002", "b", "B"),
                                       migration("000010", "c", "C")};
  EXPECT_EQ(Lines{"pending 000010"},
            states(compare(repo, history({row("2")}), Format::golang_migrate)));
  EXPECT_EQ(
      (Lines{"failed 000002", "pending 000010"}),
      states(compare(repo, history({row("2", std::nullopt, false)}), Format::golang_migrate)));
  EXPECT_EQ(Lines{"unknown 11"},
            states(compare(repo, history({row("11")}), Format::golang_migrate)));
  EXPECT_EQ(
      (Lines{"pending 000010", "failed 5"}),
      states(compare(repo, history({row("5", std::nullopt, false)}), Format::golang_migrate)));
  EXPECT_EQ((Lines{"pending 000001", "pending 000002", "pending 000010"}),
            states(compare(repo, history({}), Format::golang_migrate)));
  EXPECT_EQ(
      (Lines{"pending 000001", "pending 000002", "pending 000010", "failed -1"}),
      states(compare(repo, history({row("-1", std::nullopt, false)}), Format::golang_migrate)));
}

TEST(HistoryCompareDbmate, OneRowPerAppliedVersionMatchedExactly) {
  const std::vector<Migration> repo = {migration("20240101000000", "a", "A"),
                                       migration("20240102000000", "b", "B"),
                                       migration("20240103000000", "c", "C")};
  const History h = history({row("20240101000000"), row("20240103000000"), row("20240105000000")});
  EXPECT_EQ((Lines{"pending 20240102000000", "unknown 20240105000000"}),
            states(compare(repo, h, Format::dbmate)));
}

TEST(HistoryCompareGoose, TheLatestRowPerVersionDecidesAndVersionZeroIsGooses) {
  const std::vector<Migration> repo = {migration("00001", "a", "A"), migration("00002", "b", "B"),
                                       migration("00003", "c", "C"), migration("00004", "d", "D")};
  Applied down = row("2", std::nullopt, false);
  down.rolled_back = true;
  const History h = history({row("0"), row("1"), row("2"), down, row("3"), row("7")});
  const auto entries = compare(repo, h, Format::goose);
  EXPECT_EQ((Lines{"pending 00002", "pending 00004", "unknown 7"}), states(entries));
  ASSERT_EQ(3u, entries.size());
  EXPECT_NE(std::string::npos, entries[0].detail.find("-allow-missing")) << entries[0].detail;
}

TEST(HistoryCompareGoose, AVersionAppliedAgainAfterADownIsApplied) {
  const std::vector<Migration> repo = {migration("1", "a", "A")};
  Applied down = row("1", std::nullopt, false);
  down.rolled_back = true;
  EXPECT_EQ(Lines{},
            states(compare(repo, history({row("0"), row("1"), down, row("1")}), Format::goose)));
}

TEST(HistoryCompareDiesel, VersionsWithoutSeparators) {
  const std::vector<Migration> repo = {migration("00000000000000", "diesel_initial_setup", "A"),
                                       migration("20230101000000", "create_users", "B"),
                                       migration("20240102030405", "add index", "C")};
  const History h = history({row("00000000000000"), row("20230101000000"), row("20250101000000")});
  EXPECT_EQ((Lines{"pending 20240102030405", "unknown 20250101000000"}),
            states(compare(repo, h, Format::diesel)));
}

Migration prisma(const std::string& folder, const std::string& source) {
  const std::size_t underscore = folder.find('_');
  return migration(folder.substr(0, underscore), folder.substr(underscore + 1), source,
                   "prisma/migrations/" + folder + "/migration.sql");
}

Applied prisma_row(const std::string& name, const std::string& checksum, bool finished,
                   bool rolled_back = false, const std::string& log = "") {
  Applied a = row(name, checksum, finished && !rolled_back);
  a.rolled_back = rolled_back;
  a.log = log;
  return a;
}

TEST(HistoryComparePrisma, FolderNamesChecksumsFailuresAndRollbacks) {
  const std::vector<Migration> repo = {
      prisma("20240101000000_init", "CREATE TABLE a ();\n"),
      prisma("20240102000000_add_posts", "CREATE TABLE p ();\n"),
      prisma("20240103000000_add_index", "CREATE INDEX i ON p (x);\n"),
      prisma("20240104000000_rolled", "SELECT 4;\n")};
  const History h = history({
      prisma_row("20231201000000_hotfix", std::string(64, 'a'), true),
      prisma_row("20240101000000_init", repo[0].checksum, true),
      prisma_row("20240102000000_add_posts", std::string(64, 'b'), true),
      prisma_row("20240103000000_add_index", repo[2].checksum, false, false,
                 "\nDatabase error code: 42P07\nrelation \"i\" already exists"),
      prisma_row("20240104000000_rolled", repo[3].checksum, false, true),
  });
  const auto entries = compare(repo, h, Format::prisma);
  EXPECT_EQ((Lines{"checksum-mismatch 20240102000000", "failed 20240103000000",
                   "pending 20240104000000", "unknown 20231201000000"}),
            states(entries));
  ASSERT_EQ(4u, entries.size());
  EXPECT_NE(std::string::npos, entries[1].detail.find("(log: Database error code: 42P07)"))
      << entries[1].detail;
  EXPECT_NE(std::string::npos, entries[2].detail.find("rolled back")) << entries[2].detail;
  EXPECT_EQ("hotfix", entries[3].name);
}

TEST(HistoryComparePrisma, ChecksumsAcceptOtherLineEndingsAndUnpaddedHex) {
  // sha256("SELECT 0;\n") = d96b927109b3f16c…; Prisma before 2.x wrote bytes without zero
  // padding ("09" as "9"): computed with Python's hashlib.
  const std::string padded = "d96b927109b3f16c515822170b7dd7ee8bacf5003874c20e68b6a4806e28486d";
  const std::string unpadded = "d96b92719b3f16c51582217b7dd7ee8bacf503874c2e68b6a4806e28486d";
  const std::vector<Migration> repo = {
      prisma("1_lf", "SELECT 0;\n"), prisma("2_crlf", "SELECT 0;\r\n"),
      prisma("3_old", "SELECT 0;\n"), prisma("4_bad", "SELECT 1;\n")};
  const History h =
      history({prisma_row("1_lf", padded, true), prisma_row("2_crlf", padded, true),
               prisma_row("3_old", unpadded, true), prisma_row("4_bad", unpadded, true)});
  EXPECT_EQ(Lines{"checksum-mismatch 4"}, states(compare(repo, h, Format::prisma)));
}

TEST(HistoryCompareDrizzle, MatchedByHashAChangedFileKeepsItsPlace) {
  const std::vector<Migration> repo = {migration("0000", "0000_init", "CREATE TABLE a ();\n"),
                                       migration("0001", "0001_add_posts", "CREATE TABLE p ();\n"),
                                       migration("0002", "0002_add_index", "CREATE INDEX i;\n")};
  const History h =
      history({row("1704067200000", repo[0].checksum),
               row("1704153600000", util::sha256_hex("CREATE TABLE p (id int);\n")),
               row("1704240000000", repo[2].checksum), row("1704326400000", std::string(64, 'c'))});
  const auto entries = compare(repo, h, Format::drizzle);
  EXPECT_EQ((Lines{"checksum-mismatch 0001", "unknown 1704326400000"}), states(entries));
  ASSERT_EQ(2u, entries.size());
  EXPECT_NE(std::string::npos, entries[0].detail.find("created_at 1704153600000"))
      << entries[0].detail;
}

TEST(HistoryCompareDrizzle, AnEntryBeforeAnAppliedOneIsPendingAndSaidToBeSkipped) {
  const std::vector<Migration> repo = {migration("0000", "0000_a", "A"),
                                       migration("0001", "0001_b", "B"),
                                       migration("0002", "0002_c", "C")};
  const History h = history({row("1", repo[0].checksum), row("3", repo[2].checksum)});
  const auto entries = compare(repo, h, Format::drizzle);
  EXPECT_EQ(Lines{"pending 0001"}, states(entries));
  ASSERT_EQ(1u, entries.size());
  EXPECT_NE(std::string::npos, entries[0].detail.find("will not run")) << entries[0].detail;
}

TEST(HistoryCompare, AnUndetectedFormatSaysNothing) {
  EXPECT_TRUE(compare({migration("1", "a", "A")}, history({}), Format::automatic).empty());
}

}  // namespace
}  // namespace pgdrift::history
