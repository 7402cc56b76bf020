// The sandbox setup (--setup, sandbox.setup) on the built binary: a Supabase-style tree whose
// migrations need roles, an `auth` schema and `auth.uid()` the real clusters already have fails
// without it and passes with it, in every command that builds a sandbox database; what the setup
// creates is part of the expected schema; bad setups are exit 2 naming the file; a changed setup
// never restores a stale replay-cache snapshot.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

// What a Supabase cluster has before the project's first migration.
const std::string k_setup =
    "-- roles are the cluster's: every database pgdrift creates sees them\n"
    "create role anon nologin;\n"
    "create role authenticated nologin;\n"
    "grant anon to authenticated;\n"
    "create schema auth;\n"
    "create table auth.users (id uuid primary key, email text);\n"
    "create function auth.uid() returns uuid language sql stable as $$\n"
    "  select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid\n"
    "$$;\n"
    "grant usage on schema auth to anon, authenticated;\n";

const std::string k_profiles =
    "create table public.profiles (\n"
    "  id uuid primary key references auth.users (id),\n"
    "  display_name text\n"
    ");\n"
    "alter table public.profiles enable row level security;\n"
    "create policy own_profile on public.profiles for select to authenticated using (auth.uid() = id);\n"
    "grant select on public.profiles to authenticated;\n";

const std::string k_posts =
    "create table public.posts (\n"
    "  id bigint generated always as identity primary key,\n"
    "  author uuid not null default auth.uid() references auth.users (id),\n"
    "  body text\n"
    ");\n"
    "create index posts_author_idx on public.posts (author);\n"
    "alter table public.posts enable row level security;\n"
    "create policy authors_write on public.posts for insert to authenticated with check (author = auth.uid());\n";

class SetupTest : public ::testing::Test {
 protected:
  SetupTest()
      : m_tree({{"supabase/setup.sql", k_setup},
                {"migrations/1_profiles.sql", k_profiles},
                {"migrations/2_posts.sql", k_posts}}) {}

  util::RunResult run(const std::vector<std::string>& args, const fs::path& cwd = {}) const {
    return run_pgdrift(args, cwd.empty() ? m_tree.path() : cwd);
  }
  // The JSON report of `args` (written with --json to a file of the tree).
  nlohmann::json report_of(std::vector<std::string> args, util::RunResult& result) const {
    const auto path = m_tree.path() / "report.json";
    std::error_code ec;
    fs::remove(path, ec);
    args.push_back("--json");
    args.push_back(path.string());
    result = run(args);
    std::ifstream in(path);
    return in ? nlohmann::json::parse(in) : nlohmann::json();
  }

  // A database of a local sandbox (kept running by `m_live`) holding `sql`.
  db::ConnectionInfo live_database(const std::string& sql) {
    if (!m_live) {
      sandbox::Options options;
      options.backend = "local";
      options.env = current_environment();
      m_live = sandbox::make_backend(options);
      m_live->start();
    }
    auto database = m_live->create_database("live");
    auto connection = db::Connection::open(database, "pgdrift-test");
    const auto loaded = connection->execute(sql);
    EXPECT_TRUE(loaded.ok) << loaded.error->message;
    return database;
  }

  void TearDown() override {
    if (m_live) m_live->stop();
  }

  TempTree m_tree;
  std::unique_ptr<sandbox::Backend> m_live;
};

TEST_F(SetupTest, MigrationsNeedingTheClustersRolesAndAuthSchemaFailWithoutSetupAndPassWithIt) {
  const auto without = run({"replay", "--migrations", "migrations"});
  EXPECT_EQ(1, without.status.code) << without.output;
  EXPECT_NE(without.output.find("migrations/1_profiles.sql:1:1: error: schema \"auth\" does not exist"), std::string::npos) << without.output;
  EXPECT_NE(without.output.find("schema \"auth\" does not exist"), std::string::npos) << without.output;

  const auto with = run({"replay", "--migrations", "migrations", "--setup", "supabase/setup.sql"});
  EXPECT_EQ(0, with.status.code) << with.output;
  EXPECT_NE(with.output.find("2 applied, 0 failed, 0 skipped"), std::string::npos) << with.output;
  // The setup is no migration: it has no row of its own.
  EXPECT_EQ(with.output.find("setup.sql"), std::string::npos) << with.output;
}

TEST_F(SetupTest, SandboxSetupInPgdriftYmlIsRelativeToTheFileAndTheFlagAddsToIt) {
  m_tree.write("config/pgdrift.yml", "migrations:\n  dir: ../migrations\nsandbox:\n  setup: [../supabase/setup.sql]\n");
  const auto from_config = run({"replay", "--config", "config/pgdrift.yml"});
  EXPECT_EQ(0, from_config.status.code) << from_config.output;

  // The same file named again by --setup runs once (no "role already exists"); another file runs
  // after the configured one, seeing what it made.
  m_tree.write("supabase/more.sql", "create role service_role nologin bypassrls;\ngrant authenticated to service_role;\n");
  const auto added = run({"replay", "--config", "config/pgdrift.yml", "--setup", "supabase/setup.sql", "--setup",
                          "supabase/more.sql", "-v"});
  EXPECT_EQ(0, added.status.code) << added.output;
  EXPECT_NE(added.output.find("setup: supabase/setup.sql: 7 statements run in"), std::string::npos)
      << added.output;
  EXPECT_NE(added.output.find("setup: supabase/more.sql: 2 statements run in"), std::string::npos) << added.output;

  // With a pgdrift.yml in the working directory, as most projects keep it.
  m_tree.write("pgdrift.yml", "migrations: {dir: migrations}\nsandbox: {setup: supabase/setup.sql}\n");
  const auto plain = run({"replay"});
  EXPECT_EQ(0, plain.status.code) << plain.output;
}

TEST_F(SetupTest, WhatTheSetupCreatesIsPartOfTheExpectedSchemaAndRolesAreNot) {
  const auto dumped = run({"dump", "migrations", "--setup", "supabase/setup.sql"});
  ASSERT_EQ(0, dumped.status.code) << dumped.output;
  for (const char* expected : {"CREATE SCHEMA auth", "CREATE TABLE auth.users", "FUNCTION auth.uid()",
                               "TO authenticated", "REFERENCES auth.users(id)"}) {
    EXPECT_NE(dumped.output.find(expected), std::string::npos) << expected << "\n" << dumped.output;
  }
  EXPECT_EQ(dumped.output.find("CREATE ROLE"), std::string::npos) << dumped.output;
  const auto without = run({"dump", "migrations"});
  EXPECT_EQ(1, without.status.code) << without.output;

  // A .sql source is loaded on top of the setup too, and dumps like the migrations.
  m_tree.write("schema.sql", k_profiles + k_posts);
  const auto from_file = run({"dump", "schema.sql", "--setup", "supabase/setup.sql"});
  ASSERT_EQ(0, from_file.status.code) << from_file.output;
  EXPECT_EQ(dumped.output, from_file.output);

  // verify: a target built by the same setup and migrations, and a model that declares only the
  // application's tables (loaded into a second database of the same sandbox, where the roles
  // already exist), show no drift; the setup's auth.users is expected, not "unexpected".
  const auto staging = live_database(k_setup + k_profiles + k_posts);
  m_tree.write("model.sql", k_profiles + k_posts);
  util::RunResult verified;
  auto report = report_of({"verify", "--migrations", "migrations", "--setup", "supabase/setup.sql", "--target",
                           "staging=" + staging.url(), "--model", "model.sql", "--no-cache"},
                          verified);
  EXPECT_EQ(0, verified.status.code) << verified.output;
  for (const auto& f : report["findings"]) {
    const auto rule = f["rule"].get<std::string>();
    EXPECT_TRUE(rule.rfind("drift/", 0) != 0 && rule.rfind("replay/", 0) != 0) << f.dump() << "\n" << verified.output;
  }

  // Without the setup in the target, its absence is drift, as for any object the migrations expect.
  const auto bare = live_database("create schema auth; create table auth.users (id uuid primary key);\n" +
                                  std::string("create role anon2 nologin;\n"));
  util::RunResult drifted;
  report = report_of({"verify", "--migrations", "migrations", "--setup", "supabase/setup.sql", "--target",
                      "bare=" + bare.url(), "--no-cache"},
                     drifted);
  EXPECT_EQ(1, drifted.status.code) << drifted.output;
  EXPECT_NE(drifted.output.find("auth.uid()"), std::string::npos) << drifted.output;
}

TEST_F(SetupTest, DiffOfTwoDirectoriesAndAFileBuildsEachOnTheSetup) {
  fs::create_directories(m_tree.path() / "next");
  fs::copy(m_tree.path() / "migrations", m_tree.path() / "next", fs::copy_options::recursive);
  m_tree.write("next/3_bio.sql", "alter table public.profiles add column bio text;\n");
  const auto diffed = run({"diff", "migrations", "next", "--setup", "supabase/setup.sql"});
  EXPECT_EQ(1, diffed.status.code) << diffed.output;
  EXPECT_NE(diffed.output.find("column public.profiles.bio"), std::string::npos) << diffed.output;
  EXPECT_EQ(diffed.output.find("already exists"), std::string::npos) << diffed.output;
  EXPECT_EQ(diffed.output.find("auth."), std::string::npos) << "the setup's objects are on both sides\n"
                                                            << diffed.output;

  const auto sql = run({"diff", "migrations", "next", "--setup", "supabase/setup.sql", "--sql"});
  EXPECT_EQ(0, sql.status.code) << sql.output;
  EXPECT_NE(sql.output.find("ALTER TABLE public.profiles ADD COLUMN bio text;"), std::string::npos) << sql.output;

  m_tree.write("schema.sql", k_profiles + k_posts);
  const auto same = run({"diff", "schema.sql", "migrations", "--setup", "supabase/setup.sql"});
  EXPECT_EQ(0, same.status.code) << same.output;
}

TEST_F(SetupTest, AFailingSetupStatementIsExit2AtItsFileLineWithTheServersMessage) {
  m_tree.write("broken.sql", "create role anon nologin;\ncreate schema auth;\n\ncreate tabel auth.users (id uuid);\n");
  util::RunResult result;
  const auto report = report_of({"replay", "--migrations", "migrations", "--setup", "broken.sql"}, result);
  EXPECT_EQ(2, result.status.code) << result.output;
  EXPECT_NE(result.output.find("pgdrift: error: setup broken.sql:4:8: syntax error at or near \"tabel\""),
            std::string::npos)
      << result.output;
  // Bad input, not a finding of the migrations: none of them ran.
  EXPECT_EQ(result.output.find("1_profiles.sql"), std::string::npos) << result.output;
  EXPECT_EQ(2, report["error"]["exit_code"]) << report.dump();
  EXPECT_TRUE(report["findings"].empty()) << report.dump();

  // A statement the server rejects without a position: its first token, the message, SQLSTATE.
  m_tree.write("twice.sql", "create schema auth;\n  create schema auth;\n");
  const auto twice = run({"dump", "migrations", "--setup", "twice.sql"});
  EXPECT_EQ(2, twice.status.code) << twice.output;
  EXPECT_NE(twice.output.find("pgdrift: error: setup twice.sql:2:3: schema \"auth\" already exists\n"
                              "  detail: SQLSTATE 42P06\n  hint: fix the setup file"),
            std::string::npos)
      << twice.output;

  // An extension the sandbox lacks says where to get it, as a migration's would.
  m_tree.write("ext.sql", "create schema auth;\ncreate extension postgis;\n");
  const auto ext = run({"verify", "--migrations", "migrations", "--setup", "ext.sql", "--no-cache"});
  EXPECT_EQ(2, ext.status.code) << ext.output;
  EXPECT_NE(ext.output.find("setup ext.sql:2:1: extension postgis is not installed on the sandbox's PostgreSQL 15"),
            std::string::npos)
      << ext.output;
  EXPECT_NE(ext.output.find("hint: local backend: install postgresql-15-postgis-3"), std::string::npos) << ext.output;

  // A transaction left open would be rolled back by psql at the end of the script.
  m_tree.write("open.sql", "begin;\ncreate schema auth;\n");
  const auto open = run({"replay", "--migrations", "migrations", "--setup", "open.sql"});
  EXPECT_EQ(2, open.status.code) << open.output;
  EXPECT_NE(open.output.find("setup open.sql: leaves a transaction open"), std::string::npos) << open.output;
}

TEST_F(SetupTest, AMissingUnreadableOrNonUtf8SetupFileIsExit2NamingIt) {
  const auto missing = run({"replay", "--migrations", "migrations", "--setup", "nope.sql"});
  EXPECT_EQ(2, missing.status.code) << missing.output;
  EXPECT_NE(missing.output.find("pgdrift: error: setup file nope.sql: no such file\n  hint: check --setup and "
                                "sandbox.setup in pgdrift.yml"),
            std::string::npos)
      << missing.output;

  m_tree.write("pgdrift.yml", "sandbox:\n  setup:\n    - db/setup.sql\n");
  const auto from_config = run({"dump", "migrations"});
  EXPECT_EQ(2, from_config.status.code) << from_config.output;
  EXPECT_NE(from_config.output.find("setup file db/setup.sql: no such file"), std::string::npos) << from_config.output;
  fs::remove(m_tree.path() / "pgdrift.yml");

  const auto directory = run({"verify", "--migrations", "migrations", "--setup", "supabase"});
  EXPECT_EQ(2, directory.status.code) << directory.output;
  EXPECT_NE(directory.output.find("setup file supabase: is a directory"), std::string::npos) << directory.output;

  m_tree.write("latin1.sql", "create schema caf\xe9;\n");
  const auto latin1 = run({"diff", "migrations", "migrations", "--setup", "latin1.sql"});
  EXPECT_EQ(2, latin1.status.code) << latin1.output;
  EXPECT_NE(latin1.output.find("setup file latin1.sql:1:18: file is not valid UTF-8"), std::string::npos)
      << latin1.output;

  m_tree.write("meta.sql", "create schema auth;\n\\connect other\n");
  const auto meta = run({"replay", "--migrations", "migrations", "--setup", "meta.sql"});
  EXPECT_EQ(2, meta.status.code) << meta.output;
  EXPECT_NE(meta.output.find("setup file meta.sql:2: psql meta-command \\connect cannot be honoured"),
            std::string::npos)
      << meta.output;
}

TEST_F(SetupTest, AChangedSetupFileNeverRestoresAStaleReplayCacheSnapshot) {
  const std::string cache = (m_tree.path() / "cache").string();
  const auto verify = [&](const std::vector<std::string>& extra, util::RunResult& result) {
    std::vector<std::string> args = {"verify", "--migrations", "migrations", "--baseline", "1_profiles", "--base", "none",
                                     "--cache-dir", cache, "--setup", "supabase/setup.sql"};
    args.insert(args.end(), extra.begin(), extra.end());
    return report_of(args, result);
  };
  util::RunResult result;
  EXPECT_EQ("saved", verify({}, result)["judged"]["cache"]) << result.output;
  EXPECT_EQ(0, result.status.code) << result.output;
  EXPECT_EQ("hit", verify({}, result)["judged"]["cache"]) << result.output;
  EXPECT_EQ(0, result.status.code) << result.output;

  // The setup grows a column; a target that has it must match what the migrations build now.
  const std::string changed = k_setup + "alter table auth.users add column phone text;\n";
  m_tree.write("supabase/setup.sql", changed);
  const auto staging = live_database(changed + k_profiles + k_posts);
  auto report = verify({"--target", "staging=" + staging.url()}, result);
  EXPECT_EQ("saved", report["judged"]["cache"]) << result.output;
  EXPECT_EQ(0, result.status.code) << result.output;
  report = verify({"--target", "staging=" + staging.url()}, result);
  EXPECT_EQ("hit", report["judged"]["cache"]) << result.output;
  EXPECT_EQ(0, result.status.code) << result.output;
  for (const auto& f : report["findings"]) {
    EXPECT_NE(f["rule"].get<std::string>().rfind("drift/", 0), 0u) << f.dump();
  }
}

TEST_F(SetupTest, OnTheServerBackendRolesOfAnEarlierRunAreKeptAndTheRunGoesOn) {
  // A "shared" server: a local sandbox's superuser URL, used by two runs one after the other.
  live_database("select 1");
  const auto server = m_live->admin().url();
  const std::vector<std::string> args = {"replay", "--migrations", "migrations", "--backend", "server",
                                         "--server-url", server, "--setup", "supabase/setup.sql", "-v"};
  const auto first = run(args);
  EXPECT_EQ(0, first.status.code) << first.output;
  EXPECT_NE(first.output.find("roles the setup created stay on the server"), std::string::npos) << first.output;
  const auto second = run(args);
  EXPECT_EQ(0, second.status.code) << second.output;
  EXPECT_NE(second.output.find("setup: supabase/setup.sql:2:1: role \"anon\" already exists on the server: kept"),
            std::string::npos)
      << second.output;
  // verify on the server: the model's database is the second of the run; the roles are there.
  m_tree.write("model.sql", k_profiles + k_posts);
  const auto verified = run({"verify", "--migrations", "migrations", "--backend", "server", "--server-url", server,
                             "--setup", "supabase/setup.sql", "--model", "model.sql"});
  EXPECT_EQ(0, verified.status.code) << verified.output;
}

}  // namespace
}  // namespace pgdrift::testing
