// Discovery of every format's fixture tree under tests/fixtures/migrations/.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "migrations_test_support.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations {
namespace {

using testing::discover_dir;
using testing::first_statement_line;
using testing::fixture;

// One column per property, one '|'-separated entry per migration in apply order.
// flags: r = repeatable, x = no transaction, d = has down SQL, - = none of these.
struct Expected {
  const char* tree;
  Format format;
  const char* versions;
  const char* names;
  const char* files;  // relative to the tree
  const char* lines;  // file line of the first statement of the up SQL
  const char* flags;
};

const Expected k_trees[] = {
    {"plain", Format::plain, "1_create_users|2_create_posts|10_index_posts",
     "1_create_users|2_create_posts|10_index_posts",
     "1_create_users.sql|2_create_posts.sql|10_index_posts.sql", "1|2|1", "-|-|-"},
    {"flyway", Format::flyway, "1|1.1|2|10|views", "init|add email|create posts|index posts|views",
     "V1__init.sql|V1.1__add_email.sql|V2__create_posts.sql|later/"
     "V10__index_posts.sql|R__views.sql",
     "1|1|1|1|1", "-|-|d|-|r"},
    {"golang-migrate", Format::golang_migrate, "000001|000002|000010",
     "create_users|create_posts|index_posts",
     "000001_create_users.up.sql|000002_create_posts.up.sql|000010_index_posts.up.sql", "1|1|1",
     "d|d|-"},
    {"dbmate", Format::dbmate, "20240101000000|20240102000000|20240103000000",
     "create_users|create_posts|index_posts",
     "20240101000000_create_users.sql|20240102000000_create_posts.sql|"
     "20240103000000_index_posts.sql",
     "2|2|3", "d|d|xd"},
    {"goose", Format::goose, "00001|00002|00003", "create_users|touch_function|index_users",
     "00001_create_users.sql|00002_touch_function.sql|00003_index_users.sql", "5|3|3", "d|d|x"},
    {"prisma", Format::prisma, "20240101000000|20240102000000|20240103000000",
     "init|add_posts|add_index",
     "20240101000000_init/migration.sql|20240102000000_add_posts/migration.sql|"
     "20240103000000_add_index/migration.sql",
     "2|2|2", "-|-|-"},
    {"drizzle", Format::drizzle, "0000|0001|0002", "0000_init|0001_add_posts|0002_add_index",
     "0000_init.sql|0001_add_posts.sql|0002_add_index.sql", "1|1|1", "-|-|-"},
    {"diesel", Format::diesel, "00000000000000|20230101000000|20240102030405",
     "diesel_initial_setup|create_users|add index",
     "00000000000000_diesel_initial_setup/up.sql|2023-01-01-000000_create_users/up.sql|"
     "20240102030405_add index/up.sql",
     "5|1|1", "d|d|x"},
    {"concurrently", Format::plain, "1_create_events|2_index_events",
     "1_create_events|2_index_events", "1_create_events.sql|2_index_events.sql", "1|2", "-|-"},
    {"failing", Format::plain, "1_create_users|2_user_names|3_never_applied",
     "1_create_users|2_user_names|3_never_applied",
     "1_create_users.sql|2_user_names.sql|3_never_applied.sql", "1|2|1", "-|-|-"},
};

std::string column(const std::vector<Migration>& migrations,
                   const std::function<std::string(const Migration&)>& field) {
  std::vector<std::string> values;
  for (const Migration& migration : migrations) values.push_back(field(migration));
  return util::join(values, "|");
}

class FixtureTree : public ::testing::TestWithParam<Expected> {};

TEST_P(FixtureTree, IsDetectedAndOrdered) {
  const Expected& expected = GetParam();
  const auto dir = fixture(expected.tree);
  EXPECT_EQ(expected.format, detect_format(dir));

  const Discovery found = discover_dir(dir);
  EXPECT_EQ(expected.format, found.format);
  const auto& all = found.migrations;
  EXPECT_EQ(expected.versions, column(all, [](const Migration& m) { return m.version; }));
  EXPECT_EQ(expected.names, column(all, [](const Migration& m) { return m.name; }));
  EXPECT_EQ(expected.files, column(all, [&](const Migration& m) {
              return std::filesystem::path(m.display_path).lexically_relative(dir).generic_string();
            }));
  EXPECT_EQ(expected.lines, column(all, [](const Migration& m) {
              return std::to_string(first_statement_line(m));
            }));
  EXPECT_EQ(expected.flags, column(all, [](const Migration& m) {
              std::string flags;
              if (m.repeatable) flags += 'r';
              if (m.no_transaction) flags += 'x';
              if (m.down_sql) flags += 'd';
              return flags.empty() ? std::string("-") : flags;
            }));
}

TEST_P(FixtureTree, ChecksumsAreTheFileBytesHashedAndStable) {
  const auto dir = fixture(GetParam().tree);
  const Discovery first = discover_dir(dir);
  const Discovery second = discover_dir(dir, first.format);
  ASSERT_EQ(first.migrations.size(), second.migrations.size());
  for (std::size_t i = 0; i < first.migrations.size(); ++i) {
    const Migration& migration = first.migrations[i];
    SCOPED_TRACE(migration.display_path);
    EXPECT_EQ(util::sha256_hex(util::read_file(migration.path.string())), migration.checksum);
    EXPECT_EQ(migration.checksum, second.migrations[i].checksum);
    EXPECT_EQ(migration.source, util::read_file(migration.path.string()));
    // The up SQL is the tail of the file from up_offset when nothing is substituted.
    EXPECT_EQ(0, migration.source.compare(migration.up_offset, migration.up_sql.size(),
                                          migration.up_sql));
  }
}

INSTANTIATE_TEST_SUITE_P(Migrations, FixtureTree, ::testing::ValuesIn(k_trees),
                         [](const ::testing::TestParamInfo<Expected>& param) {
                           std::string name = param.param.tree;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

const Migration& by_version(const Discovery& found, const std::string& version) {
  for (const Migration& migration : found.migrations) {
    if (migration.version == version) return migration;
  }
  throw std::runtime_error("no migration " + version);
}

TEST(FlywayFixture, AttachesUndoScriptAndAppliesRepeatablesLast) {
  const Discovery found = discover_dir(fixture("flyway"));
  const Migration& posts = by_version(found, "2");
  ASSERT_TRUE(posts.down_sql);
  EXPECT_EQ("DROP TABLE posts;\n", *posts.down_sql);
  EXPECT_EQ("U2__create_posts.sql", posts.down_path.filename().string());
  EXPECT_TRUE(found.migrations.back().repeatable);
  EXPECT_EQ("R__views.sql", found.migrations.back().path.filename().string());
  for (const Migration& migration : found.migrations) {
    EXPECT_EQ(std::string::npos, migration.up_sql.find("DROP TABLE posts"))
        << migration.display_path;
  }
}

TEST(GooseFixture, KeepsStatementBlocksAndSplitsSections) {
  const Discovery found = discover_dir(fixture("goose"));
  const Migration& function = by_version(found, "00002");
  EXPECT_NE(std::string::npos, function.up_sql.find("-- +goose StatementBegin\nCREATE FUNCTION"));
  EXPECT_NE(std::string::npos, function.up_sql.find("-- +goose StatementEnd\nCREATE TRIGGER"));
  EXPECT_EQ(std::string::npos, function.up_sql.find("DROP"));
  ASSERT_TRUE(function.down_sql);
  EXPECT_NE(std::string::npos, function.down_sql->find("DROP FUNCTION touch_updated_at();"));
  EXPECT_EQ(function.path, function.down_path);

  const Migration& index = by_version(found, "00003");
  EXPECT_EQ("-- +goose NO TRANSACTION", index.transaction_reason);
  EXPECT_EQ("CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n", index.up_sql);
}

TEST(DbmateFixture, TransactionFalseIsRecordedWithItsDirective) {
  const Discovery found = discover_dir(fixture("dbmate"));
  const Migration& index = by_version(found, "20240103000000");
  EXPECT_TRUE(index.no_transaction);
  EXPECT_EQ("-- migrate:up transaction:false", index.transaction_reason);
  EXPECT_EQ("CREATE INDEX CONCURRENTLY posts_user_id_idx ON posts (user_id);\n\n", index.up_sql);
  EXPECT_EQ("DROP INDEX posts_user_id_idx;\n", index.down_sql.value_or(""));
  EXPECT_FALSE(by_version(found, "20240101000000").no_transaction);
}

TEST(DrizzleFixture, FollowsJournalIdxNotFileNamesAndKeepsBreakpoints) {
  // The journal lists idx 1 before idx 0, and 0003_draft.sql is not in it at all.
  const Discovery found = discover_dir(fixture("drizzle"));
  ASSERT_EQ(3u, found.migrations.size());
  EXPECT_EQ("0000_init", found.migrations[0].name);
  EXPECT_NE(std::string::npos, found.migrations[0].up_sql.find("--> statement-breakpoint\nCREATE"));
}

TEST(DieselFixture, ReadsRunInTransactionFromMetadata) {
  const Discovery found = discover_dir(fixture("diesel"));
  const Migration& index = by_version(found, "20240102030405");
  EXPECT_TRUE(index.no_transaction);
  EXPECT_NE(std::string::npos, index.transaction_reason.find("run_in_transaction = false"));
  EXPECT_FALSE(index.down_sql);
  EXPECT_EQ("DROP TABLE users;\n", by_version(found, "20230101000000").down_sql.value_or(""));
}

// failing/2_user_names.sql fails at 4:12: column "nickname" does not exist.
TEST(FailingFixture, SecondFileHasTheMissingColumnAtLine4Column12) {
  const Discovery found = discover_dir(fixture("failing"));
  const Migration& bad = found.migrations.at(1);
  const std::size_t at = bad.up_sql.find("nickname FROM");
  ASSERT_NE(std::string::npos, at);
  EXPECT_EQ((util::LineCol{4, 12}), util::line_col(bad.source, bad.source_offset(at)));
}

TEST(ConcurrentlyFixture, IndexIsBuiltConcurrentlyAmongOtherStatements) {
  const Discovery found = discover_dir(fixture("concurrently"));
  const Migration& index = found.migrations.at(1);
  EXPECT_FALSE(index.no_transaction);  // nothing in a plain file says so; replay decides
  EXPECT_NE(std::string::npos, index.up_sql.find("ALTER TABLE events"));
  EXPECT_NE(std::string::npos, index.up_sql.find("CREATE INDEX CONCURRENTLY events_kind_idx"));
}

TEST(DisplayPath, StaysRelativeWhenTheDirectoryIsRelative) {
  const auto dir = fixture("flyway");
  const auto relative = std::filesystem::relative(dir);
  ASSERT_TRUE(relative.is_relative());
  const Discovery found = discover_dir(relative);
  EXPECT_EQ((relative / "later/V10__index_posts.sql").lexically_normal().generic_string(),
            by_version(found, "10").display_path);

  const Discovery dotted = discover_dir(relative / "later" / ".." / ".");
  EXPECT_EQ(by_version(found, "10").display_path, by_version(dotted, "10").display_path);
}

}  // namespace
}  // namespace pgdrift::migrations
