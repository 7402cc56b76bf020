// Format names, auto-detection and per-format rules on small trees built in a temp dir.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "migrations_test_support.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations {
namespace {

using testing::discover_dir;
using testing::TempTree;

std::string versions(const Discovery& found) {
  std::vector<std::string> out;
  for (const Migration& migration : found.migrations) out.push_back(migration.version);
  return util::join(out, " ");
}

TEST(FormatNames, RoundTripAndRejectUnknown) {
  for (const Format format :
       {Format::automatic, Format::plain, Format::flyway, Format::golang_migrate, Format::dbmate,
        Format::goose, Format::prisma, Format::drizzle, Format::diesel}) {
    EXPECT_EQ(format, parse_format(to_string(format)));
  }
  EXPECT_EQ("golang-migrate", to_string(Format::golang_migrate));
  EXPECT_EQ(Format::automatic, parse_format("auto"));
  for (const char* bad : {"", "Flyway", "golang_migrate", "sqitch", "auto "}) {
    EXPECT_FALSE(parse_format(bad)) << bad;
  }
}

struct DetectCase {
  const char* what;
  std::vector<std::pair<const char*, const char*>> files;
  Format expected;
};

TEST(DetectFormat, PicksTheMostSpecificLayout) {
  const DetectCase cases[] = {
      {"empty", {}, Format::plain},
      {"plain", {{"001_a.sql", "SELECT 1;"}}, Format::plain},
      {"flyway single underscore is not flyway", {{"V1_init.sql", "SELECT 1;"}}, Format::plain},
      {"flyway nested", {{"sub/dir/V1__init.sql", "SELECT 1;"}}, Format::flyway},
      {"golang-migrate", {{"1_a.up.sql", "SELECT 1;"}}, Format::golang_migrate},
      {"goose lower case", {{"1_a.sql", "-- +goose up\nSELECT 1;"}}, Format::goose},
      {"dbmate", {{"1_a.sql", "--migrate:up\nSELECT 1;"}}, Format::dbmate},
      {"migrate:up in a statement is not a marker",
       {{"1_a.sql", "SELECT 1; -- migrate:up"}},
       Format::plain},
      {"prisma",
       {{"20240101_a/migration.sql", "SELECT 1;"}, {"migration_lock.toml", ""}},
       Format::prisma},
      {"diesel", {{"2024-01-01-000000_a/up.sql", "SELECT 1;"}}, Format::diesel},
      {"drizzle beats the rest",
       {{"meta/_journal.json", "{\"entries\":[]}"}, {"x/up.sql", ""}, {"V1__a.sql", ""}},
       Format::drizzle},
      {"flyway beats goose", {{"V1__a.sql", "-- +goose Up\n"}}, Format::flyway},
  };
  for (const DetectCase& c : cases) {
    TempTree tree;
    for (const auto& [name, content] : c.files) tree.write(name, content);
    EXPECT_EQ(to_string(c.expected), to_string(detect_format(tree.path()))) << c.what;
  }
}

TEST(Flyway, ComparesVersionPartsNumericallyWithEitherSeparator) {
  TempTree tree;
  for (const char* name :
       {"V1_10__j.sql", "V1.9__i.sql", "V2__k.sql", "V1.2.3__h.sql", "V01__a.sql", "R__b_view.sql",
        "R__a_view.sql", "notes.txt", "V1__x.sql.conf"}) {
    tree.write(name, "SELECT 1;\n");
  }
  const Discovery found = discover_dir(tree.path());
  EXPECT_EQ("01 1.2.3 1.9 1.10 2 a view b view", versions(found));
}

TEST(Flyway, ScriptConfigTurnsOffTheTransaction) {
  TempTree tree;
  tree.write("V1__index.sql", "CREATE INDEX CONCURRENTLY i ON t (c);\n");
  tree.write("V1__index.sql.conf", "# flyway script config\nexecuteInTransaction=false\n");
  tree.write("V2__more.sql", "SELECT 1;\n");
  const Discovery found = discover_dir(tree.path());
  EXPECT_TRUE(found.migrations.at(0).no_transaction);
  EXPECT_EQ(0u, found.migrations.at(0).transaction_reason.find("executeInTransaction=false"));
  EXPECT_FALSE(found.migrations.at(1).no_transaction);
}

TEST(GolangMigrate, PairsDownFilesByVersionAndIgnoresOrphans) {
  TempTree tree;
  tree.write("10_c.up.sql", "SELECT 10;\n");
  tree.write("2_b.up.sql", "SELECT 2;\n");
  tree.write("2_b.down.sql", "SELECT -2;\n");
  tree.write("3_orphan.down.sql", "SELECT -3;\n");
  tree.write("README.md", "x");
  const Discovery found = discover_dir(tree.path());
  EXPECT_EQ("2 10", versions(found));
  EXPECT_EQ("SELECT -2;\n", found.migrations.at(0).down_sql.value_or(""));
  EXPECT_EQ("2_b.down.sql", found.migrations.at(0).down_path.filename().string());
  EXPECT_FALSE(found.migrations.at(1).down_sql);
}

TEST(Dbmate, HandlesCrlfAndMissingDown) {
  TempTree tree;
  tree.write("1_a.sql",
             "-- migrate:up\r\nCREATE TABLE a (id int);\r\n-- migrate:down\r\nDROP TABLE a;\r\n");
  tree.write("2_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n");
  const Discovery found = discover_dir(tree.path());
  ASSERT_EQ("1 2", versions(found));
  EXPECT_EQ("CREATE TABLE a (id int);\r\n", found.migrations[0].up_sql);
  EXPECT_EQ(15u, found.migrations[0].up_offset);
  EXPECT_EQ("DROP TABLE a;\r\n", found.migrations[0].down_sql.value_or(""));
  EXPECT_FALSE(found.migrations[1].down_sql);
}

TEST(Goose, IgnoresTextBeforeUpAndOrdersNumerically) {
  TempTree tree;
  tree.write("20240101000000_late.sql", "-- +goose Up\nSELECT 3;\n");
  tree.write("00002_b.sql", "-- +goose Up\nSELECT 2;\n");
  tree.write("1_a.sql", "-- header\n\n--   +goose   up\nSELECT 1;\n-- +goose DOWN\nSELECT -1;\n");
  tree.write("1_a_test.go", "package migrations\n");  // Go tests are not migrations
  const Discovery found = discover_dir(tree.path(), Format::goose);
  EXPECT_EQ("1 00002 20240101000000", versions(found));
  EXPECT_EQ("SELECT 1;\n", found.migrations[0].up_sql);
  EXPECT_EQ("SELECT -1;\n", found.migrations[0].down_sql.value_or(""));
}

TEST(Drizzle, JournalOrderWinsOverFileNamesWithoutNumericPrefix) {
  TempTree tree;
  tree.write("meta/_journal.json",
             R"({"entries":[{"idx":1,"tag":"brave_wolf"},{"idx":0,"tag":"zany_cat"}]})");
  tree.write("brave_wolf.sql", "SELECT 2;\n");
  tree.write("zany_cat.sql", "SELECT 1;\n");
  const Discovery found = discover_dir(tree.path());
  EXPECT_EQ("zany_cat brave_wolf", versions(found));
}

TEST(Plain, SkipsByteOrderMarkAndNonSqlFiles) {
  TempTree tree;
  tree.write("1.sql", "\xEF\xBB\xBFSELECT 1;\n");
  tree.write("1.txt", "not sql");
  tree.write("sub/2.sql", "SELECT 2;\n");  // plain is not recursive
  const Discovery found = discover_dir(tree.path());
  EXPECT_EQ("1", versions(found));
  EXPECT_EQ(3u, found.migrations[0].up_offset);
  EXPECT_EQ("SELECT 1;\n", found.migrations[0].up_sql);
}

TEST(Diesel, VersionDropsDashesAndMetadataCommentsAreIgnored) {
  TempTree tree;
  tree.write("2024-01-02-000000_b/up.sql", "SELECT 2;\n");
  tree.write("2024-01-02-000000_b/metadata.toml", "# run_in_transaction = false\n");
  tree.write("2024-01-01-000000_a/up.sql", "SELECT 1;\n");
  tree.write("2024-01-01-000000_a/metadata.toml",
             "run_in_transaction=false # needs CONCURRENTLY\n");
  tree.write("not_a_migration/readme.md", "x");
  const Discovery found = discover_dir(tree.path());
  EXPECT_EQ("20240101000000 20240102000000", versions(found));
  EXPECT_TRUE(found.migrations[0].no_transaction);
  EXPECT_FALSE(found.migrations[1].no_transaction);
}

}  // namespace
}  // namespace pgdrift::migrations
