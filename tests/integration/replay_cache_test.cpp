// replay::start_and_replay with the local backend's replay cache, on real PostgreSQL servers: a
// warm run restores the history instead of replaying it and ends with the same schema; any change
// to the history (or its format) misses; observers see only what follows the history; the cache
// stays within its bound; concurrent cold runs both succeed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>
#include <thread>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/lint/observer.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/replay.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using replay::Status;

// Counts what it is shown.
class CountingObserver : public lint::ReplayObserver {
 public:
  void before_migration(db::Connection&, const migrations::Migration& m) override { seen.push_back(m.display_path); }
  void after_statement(db::Connection&, const migrations::Migration&, const sql::Statement&, std::size_t,
                       std::string_view) override {
    ++statements;
  }
  void after_migration(db::Connection&, const migrations::Migration&, bool) override {}
  void finish(db::Connection&) override { ++finished; }
  std::vector<Finding> findings() const override { return {}; }
  std::vector<std::string> seen;
  int statements = 0;
  int finished = 0;
};

migrations::Migration migration(int n, const std::string& sql) {
  migrations::Migration m;
  m.version = std::to_string(n);
  m.name = "m" + m.version;
  m.path = "V" + m.version + "__m.sql";
  m.display_path = m.path.string();
  m.source = sql;
  m.up_sql = sql;
  return m;
}

// Ten migrations: tables, a rename, a type change, a drop, data, a function and a database-level
// detail (a sequence position) that a schema dump would not carry.
std::vector<migrations::Migration> history() {
  return {migration(1, "CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(20) NOT NULL);"),
          migration(2, "CREATE TABLE legacy (id int);\nINSERT INTO users (email) VALUES ('a@x'), ('b@x');"),
          migration(3, "ALTER TABLE users RENAME COLUMN email TO mail;"),
          migration(4, "ALTER TABLE users ALTER COLUMN mail TYPE varchar(40);"),
          migration(5, "DROP TABLE legacy;"),
          migration(6, "CREATE FUNCTION n_users() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$;"),
          migration(7, "CREATE INDEX users_mail ON users (lower(mail));"),
          migration(8, "CREATE VIEW user_mails AS SELECT id, mail FROM users;")};
}

std::vector<migrations::Migration> with_new(std::vector<migrations::Migration> list) {
  list.push_back(migration(9, "ALTER TABLE users ADD COLUMN seen_at timestamptz;"));
  list.push_back(migration(10, "INSERT INTO users (mail) VALUES ('c@x');"));
  return list;
}

class ReplayCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto why = local_postgres_unavailable_reason();
    if (!why.empty()) return;
    s_cache = new TempTree();
  }
  static void TearDownTestSuite() {
    delete s_cache;
    s_cache = nullptr;
  }
  void SetUp() override {
    const auto why = local_postgres_unavailable_reason();
    if (!why.empty()) {
      if (std::getenv("CI") != nullptr) FAIL() << why;
      GTEST_SKIP() << why;
    }
  }

  struct Run {
    replay::SandboxReplay replayed;
    std::string model;  // canonical DDL text of the result
    std::string users;  // rows of users, to see data survive too
    std::string work_mem;  // SHOW work_mem in the run's database
    std::vector<std::string> seen;
    int finished = 0;
  };

  // One pgdrift-like run on a backend of its own: start (from the cache when it can), replay,
  // read the model, stop.
  static Run run(const std::vector<migrations::Migration>& list, std::size_t prefix, std::string format = "plain",
                 std::uint64_t bound = 1ULL << 30, bool enabled = true) {
    auto options = local_options();
    options.cache_dir = s_cache->path().string();
    options.replay_cache_max_bytes = bound;
    options.warn = [](const std::string& line) {
      const std::lock_guard<std::mutex> lock(s_notices_mutex);
      s_notices.push_back(line);
    };
    auto backend = sandbox::make_backend(options);
    CountingObserver observer;
    replay::Options replay_options;
    replay_options.observers = {&observer};
    replay_options.observe = [prefix, &list](const migrations::Migration& m) {
      return static_cast<std::size_t>(&m - list.data()) >= prefix;
    };
    replay::CacheOptions cache;
    cache.enabled = enabled;
    cache.history_prefix = prefix;
    cache.format = std::move(format);
    Run out;
    out.replayed = replay::start_and_replay(*backend, list, replay_options, cache);
    if (out.replayed.result.ok()) {
      auto connection = db::Connection::open(out.replayed.database, "pgdrift-test");
      out.model = catalog::to_text(catalog::introspect(*connection, {}));
      const auto rows = connection->execute("SELECT string_agg(id || ':' || mail, ',' ORDER BY id) FROM users");
      out.users = rows.ok && rows.rows.size() > 0 ? rows.rows.rows[0][0].value_or("") : "";
      const auto setting = connection->execute("SHOW work_mem");
      out.work_mem = setting.ok && setting.rows.size() > 0 ? setting.rows.rows[0][0].value_or("") : "";
    }
    out.seen = observer.seen;
    out.finished = observer.finished;
    backend->stop();
    return out;
  }

  static std::vector<Status> statuses(const Run& r) {
    std::vector<Status> out;
    for (const auto& m : r.replayed.result.migrations) out.push_back(m.status);
    return out;
  }

  static std::vector<std::string> entries() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(s_cache->path() / "replay", ec)) {
      if (e.path().filename().string()[0] != '.') out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Warnings of every run (options.warn), oldest first.
  static std::vector<std::string> notices() {
    const std::lock_guard<std::mutex> lock(s_notices_mutex);
    return s_notices;
  }

  static TempTree* s_cache;
  static std::mutex s_notices_mutex;
  static std::vector<std::string> s_notices;
};

TempTree* ReplayCacheTest::s_cache = nullptr;
std::mutex ReplayCacheTest::s_notices_mutex;
std::vector<std::string> ReplayCacheTest::s_notices;

TEST_F(ReplayCacheTest, AWarmRunRestoresTheHistoryAndEndsWithTheSameSchemaAndData) {
  const auto list = with_new(history());
  const auto cold = run(list, 8);
  ASSERT_TRUE(cold.replayed.result.ok());
  EXPECT_EQ(cold.replayed.cache, "saved");
  EXPECT_EQ(statuses(cold), std::vector<Status>(10, Status::applied));

  const auto warm = run(list, 8);
  ASSERT_TRUE(warm.replayed.result.ok());
  EXPECT_EQ(warm.replayed.cache, "hit");
  std::vector<Status> expected(8, Status::cached);
  expected.push_back(Status::applied);
  expected.push_back(Status::applied);
  EXPECT_EQ(statuses(warm), expected);
  EXPECT_FALSE(cold.model.empty());
  EXPECT_EQ(warm.model, cold.model);
  EXPECT_EQ(warm.users, "1:a@x,2:b@x,3:c@x");
  EXPECT_EQ(warm.users, cold.users);

  // Observers watched the new migrations only, on both runs, and were finished.
  const std::vector<std::string> new_ones = {"V9__m.sql", "V10__m.sql"};
  EXPECT_EQ(cold.seen, new_ones);
  EXPECT_EQ(warm.seen, new_ones);
  EXPECT_EQ(cold.finished, 1);
  EXPECT_EQ(warm.finished, 1);

  // Without the cache, the same again, with everything replayed.
  const auto off = run(list, 8, "plain", 1ULL << 30, false);
  EXPECT_EQ(off.replayed.cache, "off");
  EXPECT_EQ(off.model, cold.model);
  EXPECT_EQ(statuses(off), std::vector<Status>(10, Status::applied));
}

TEST_F(ReplayCacheTest, ChangingAnyHistoryFileOrTheFormatMisses) {
  const auto list = with_new(history());
  run(list, 8);
  ASSERT_EQ(run(list, 8).replayed.cache, "hit");

  auto edited = list;
  edited[2].up_sql = "ALTER TABLE users RENAME COLUMN email TO mail; COMMENT ON TABLE users IS 'people';";
  const auto changed = run(edited, 8);
  EXPECT_EQ(changed.replayed.cache, "saved") << "an edited history file must not reuse the old state";
  EXPECT_NE(changed.model.find("people"), std::string::npos);

  EXPECT_EQ(run(list, 8, "flyway").replayed.cache, "saved");
  // A longer history is another state too.
  EXPECT_EQ(run(list, 9).replayed.cache, "saved");
  EXPECT_EQ(run(list, 9).replayed.cache, "hit");
}

TEST_F(ReplayCacheTest, AHistoryThatFailsIsReportedAndNotSaved) {
  auto list = with_new(history());
  list[4].up_sql = "DROP TABLE no_such_table;";
  const auto failed = run(list, 8);
  EXPECT_FALSE(failed.replayed.result.ok());
  EXPECT_EQ(failed.replayed.cache, "not saved: the history does not replay");
  const auto s = statuses(failed);
  EXPECT_EQ(s[4], Status::failed);
  EXPECT_EQ(s[5], Status::skipped);
  EXPECT_EQ(s[9], Status::skipped);
  EXPECT_TRUE(failed.seen.empty());
  EXPECT_EQ(run(list, 8).replayed.cache, "not saved: the history does not replay");
}

TEST_F(ReplayCacheTest, TheCacheStaysWithinItsBoundEvictingTheLeastRecentlyUsed) {
  std::error_code ec;
  fs::remove_all(s_cache->path() / "replay", ec);
  auto a = with_new(history());
  auto b = a;
  b[0].up_sql += "\nCOMMENT ON TABLE users IS 'b';";
  run(a, 8);
  ASSERT_EQ(entries().size(), 1u);
  const auto first = entries();
  // A bound below one entry keeps only the newest.
  run(b, 8, "plain", 1);
  const auto after = entries();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(after, first);
  EXPECT_EQ(run(a, 8, "plain", 1).replayed.cache, "saved") << "the evicted entry must be rebuilt";
}

TEST_F(ReplayCacheTest, ConcurrentColdRunsOfTheSameHistoryBothSucceed) {
  auto list = with_new(history());
  list[0].up_sql += "\nCOMMENT ON TABLE users IS 'concurrent';";
  Run one, two;
  std::thread a([&] { one = run(list, 8); });
  std::thread b([&] { two = run(list, 8); });
  a.join();
  b.join();
  EXPECT_TRUE(one.replayed.result.ok());
  EXPECT_TRUE(two.replayed.result.ok());
  EXPECT_EQ(one.model, two.model);
  const auto warm = run(list, 8);
  EXPECT_EQ(warm.replayed.cache, "hit");
  EXPECT_EQ(warm.model, one.model);
}

TEST_F(ReplayCacheTest, AModifiedEntryIsDiscardedWithANoticeAndTheRunGoesOnCold) {
  std::error_code ec;
  fs::remove_all(s_cache->path() / "replay", ec);
  auto list = with_new(history());
  list[0].up_sql += "\nCOMMENT ON TABLE users IS 'poisoned';";
  ASSERT_EQ(run(list, 8).replayed.cache, "saved");
  ASSERT_EQ(entries().size(), 1u);
  const auto entry = s_cache->path() / "replay" / entries()[0];
  // What a migration could do with COPY ... TO while the cache is reachable.
  std::ofstream(entry / "data" / "postgresql.auto.conf", std::ios::app) << "work_mem = '7MB'\n";
  const auto before = notices().size();

  const auto poisoned = run(list, 8);
  ASSERT_TRUE(poisoned.replayed.result.ok());
  EXPECT_EQ(poisoned.replayed.cache, "saved") << "the modified entry must not be restored";
  EXPECT_EQ(poisoned.work_mem, "4MB");
  EXPECT_EQ(poisoned.model, run(list, 8).model);
  const auto said = notices();
  ASSERT_EQ(said.size(), before + 1);
  EXPECT_EQ(said.back(), "sandbox: the replay cache entry " + entry.string() +
                             " was modified (postgresql.auto.conf changed); discarding it");

  // The entry saved instead is clean and used.
  const auto warm = run(list, 8);
  EXPECT_EQ(warm.replayed.cache, "hit");
  EXPECT_EQ(warm.work_mem, "4MB");
  EXPECT_EQ(notices().size(), before + 1);
}

TEST_F(ReplayCacheTest, AnUntouchedEntryCarriesAManifestAndIsRestoredWithoutNotice) {
  auto list = with_new(history());
  list[0].up_sql += "\nCOMMENT ON TABLE users IS 'untouched';";
  const auto before = notices().size();
  ASSERT_EQ(run(list, 8).replayed.cache, "saved");
  const auto saved = entries();
  bool manifests = !saved.empty();
  for (const auto& name : saved) manifests = manifests && fs::exists(s_cache->path() / "replay" / name / "manifest");
  EXPECT_TRUE(manifests) << "every entry is saved with its manifest";
  const auto warm = run(list, 8);
  EXPECT_EQ(warm.replayed.cache, "hit");
  EXPECT_EQ(warm.work_mem, "4MB");
  EXPECT_EQ(notices().size(), before);
}

TEST_F(ReplayCacheTest, ALinkAMigrationPlantsInTheDataDirectoryIsSavedAsALinkNeverFollowed) {
  // A file only pgdrift's user may read, and a history migration that links to it from inside
  // the cluster (the server's working directory is its data directory).
  TempTree secret;
  secret.write("secret.txt", "TOP-SECRET-d41d8cd9\n");
  fs::permissions(secret.path() / "secret.txt", fs::perms::owner_read | fs::perms::owner_write);
  std::vector<migrations::Migration> list = {
      migration(1, "CREATE TABLE planted (id int);"),
      migration(2, "COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; ln -s " + (secret.path() / "secret.txt").string() +
                       " leak';"),
      migration(3, "ALTER TABLE planted ADD COLUMN note text;")};
  const auto cold = run(list, 2);
  ASSERT_TRUE(cold.replayed.result.ok());
  ASSERT_EQ("saved", cold.replayed.cache);

  bool linked = false;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(s_cache->path() / "replay", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == "leak") linked = linked || fs::is_symlink(it->symlink_status());
    if (it->is_regular_file() && !it->is_symlink()) {
      EXPECT_EQ(std::string::npos, slurp(it->path()).find("TOP-SECRET")) << "copied into " << it->path();
    }
  }
  EXPECT_TRUE(linked) << "the planted link should be in the entry, as a link";
  // And a warm run restores it as the link it was, still without the secret.
  const auto warm = run(list, 2);
  EXPECT_EQ("hit", warm.replayed.cache);
}

}  // namespace
}  // namespace pgdrift::testing
