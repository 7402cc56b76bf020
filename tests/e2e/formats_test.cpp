// Each migration format replayed the way its own tool runs it: the order it applies files in,
// Flyway's baseline scripts, the history table the tool keeps (and which migrations may touch),
// and the transaction shape it sends each file in. Every dangerous case has a safe twin.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

struct Outcome {
  int code = -1;
  std::string output;
};

// `pgdrift <command> --migrations <tree>/<dir> --format <format>` on a tree made of `files`.
Outcome run_on(const Files& files, const std::string& format, const std::string& dir = "db",
           const std::string& command = "replay", std::vector<std::string> extra = {}) {
  TempTree tree;
  for (const auto& [name, content] : files) tree.write(name, content);
  // dump takes the directory as its SOURCE; the other commands take --migrations.
  std::vector<std::string> args = command == "dump" ? std::vector<std::string>{command, tree / dir, "--no-color"}
                                                    : std::vector<std::string>{command, "--migrations", tree / dir,
                                                                               "--no-color"};
  if (!format.empty()) {
    args.push_back("--format");
    args.push_back(format);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_pgdrift(args, tree.path());
  return {result.status.code, result.output};
}

bool has(const Outcome& run, const std::string& needle) { return run.output.find(needle) != std::string::npos; }

// ---------------------------------------------------------------------------------------------
// Order

// Prisma sorts migration folders by name byte by byte: "19_a" runs before "3_d".
TEST(FormatOrder, PrismaFoldersRunInByteOrder) {
  const Files files = {
      {"db/19_create_user/migration.sql",
       "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n\n"
       "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n"},
      {"db/3_add_name/migration.sql", "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;\n"},
      {"db/migration_lock.toml", "provider = \"postgresql\"\n"},
  };
  const Outcome run = run_on(files, "prisma");
  EXPECT_EQ(0, run.code) << run.output;
  EXPECT_LT(run.output.find("19_create_user"), run.output.find("3_add_name")) << run.output;
}

// The Supabase CLI lists supabase/migrations in file-name order (versions compared as text), and
// a directory of that name is recognised by itself.
TEST(FormatOrder, SupabaseFilesRunInFileNameOrderAndAreDetected) {
  const Files files = {
      {"supabase/migrations/19_profiles.sql",
       "create table public.profiles (\n  id uuid primary key,\n  username text unique\n);\n"
       "alter table public.profiles enable row level security;\n"},
      {"supabase/migrations/3_avatar.sql", "alter table public.profiles add column avatar_url text;\n"},
  };
  const Outcome run = run_on(files, "", "supabase/migrations");
  EXPECT_EQ(0, run.code) << run.output;
  EXPECT_TRUE(has(run, "(supabase, 2 migrations)")) << run.output;
  EXPECT_LT(run.output.find("19_profiles"), run.output.find("3_avatar")) << run.output;
}

// golang-migrate, goose and dbmate compare versions as numbers: 3 before 19 (the safe twin of the
// byte-order cases: natural order stays where the tool uses it).
TEST(FormatOrder, NumericVersionsStayNumeric) {
  const Files files = {
      {"db/19_add_name.up.sql", "ALTER TABLE users ADD COLUMN name text;\n"},
      {"db/3_create_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"},
  };
  const Outcome run = run_on(files, "golang-migrate");
  EXPECT_EQ(0, run.code) << run.output;
}

// A Supabase file the CLI would skip (no <version>_ prefix) is an error naming it, not a silent skip.
TEST(FormatOrder, SupabaseFileWithoutVersionIsAnError) {
  const Files files = {
      {"supabase/migrations/20240101000000_init.sql", "create table t (id int);\n"},
      {"supabase/migrations/seed.sql", "insert into t values (1);\n"},
  };
  const Outcome run = run_on(files, "", "supabase/migrations");
  EXPECT_EQ(2, run.code) << run.output;
  EXPECT_TRUE(has(run, "seed.sql: not a Supabase migration name")) << run.output;
}

// ---------------------------------------------------------------------------------------------
// Flyway baselines

TEST(FlywayBaseline, LatestBaselineThenOnlyTheVersionsAboveIt) {
  const Files files = {
      // The history the baseline replaces: V1_19 alone would fail (no table yet).
      {"db/V1_0__init.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"},
      {"db/V1_19__rename.sql", "ALTER TABLE no_such_table RENAME TO whatever;\n"},
      {"db/B1_10__old_baseline.sql", "CREATE TABLE stale (id int);\n"},
      {"db/B1_20_0__baseline.sql",
       "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n"
       "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts);\n"},
      {"db/V1_20_1__add_total.sql", "ALTER TABLE invoices ADD COLUMN total numeric(12,2);\n"},
      {"db/R__views.sql", "CREATE OR REPLACE VIEW invoice_totals AS SELECT account_id, sum(total) FROM invoices "
                          "GROUP BY account_id;\n"},
  };
  const Outcome run = run_on(files, "");
  EXPECT_EQ(0, run.code) << run.output;
  EXPECT_TRUE(has(run, "(flyway, 3 migrations)")) << run.output;
  EXPECT_FALSE(has(run, "V1_19__rename")) << run.output;
  EXPECT_FALSE(has(run, "old_baseline")) << run.output;

  // The model holds what the baseline built, not the older baseline's table.
  const Outcome dump = run_on(files, "", "db", "dump");
  EXPECT_EQ(0, dump.code) << dump.output;
  EXPECT_TRUE(has(dump, "invoices")) << dump.output;
  EXPECT_FALSE(has(dump, "stale")) << dump.output;
  EXPECT_FALSE(has(dump, "flyway_schema_history")) << dump.output;
}

// ---------------------------------------------------------------------------------------------
// History tables: created before the first migration, filled as the tool fills them.

struct HistoryCase {
  const char* format;
  Files files;  // the second migration checks the table's rows and fails when they differ
};

std::string expect_rows(const std::string& query, const std::string& expected) {
  return "DO $$ BEGIN IF (" + query + ") IS DISTINCT FROM " + expected +
         " THEN RAISE EXCEPTION 'history table holds %', (" + query + "); END IF; END $$;\n";
}

class HistoryTable : public ::testing::TestWithParam<HistoryCase> {};

TEST_P(HistoryTable, ExistsAndHoldsTheToolsRowsWhileMigrationsRun) {
  const std::string format = GetParam().format;
  const Outcome run = run_on(GetParam().files, format, format == "supabase" ? "supabase/migrations" : "db");
  EXPECT_EQ(0, run.code) << run.output;
  EXPECT_FALSE(has(run, "history table holds")) << run.output;
}

const std::string k_create = "CREATE TABLE users (id bigint PRIMARY KEY);\n";

INSTANTIATE_TEST_SUITE_P(
    Formats, HistoryTable,
    ::testing::Values(
        // golang-migrate keeps one row: the version being applied, dirty until it succeeded; a
        // migration of a real tree adds a column to it.
        HistoryCase{"golang-migrate",
                    {{"db/1_users.up.sql", k_create},
                     {"db/2_check.up.sql",
                      expect_rows("SELECT string_agg(version || ':' || dirty, ',') FROM schema_migrations",
                                  "'2:true'") +
                          "ALTER TABLE schema_migrations ADD COLUMN data_version int;\n"},
                     {"db/3_after.up.sql", expect_rows("SELECT string_agg(version || ':' || dirty, ',') "
                                                       "FROM schema_migrations",
                                                       "'3:true'")}}},
        // goose: a version-0 row at creation, then one row per migration, inside its transaction.
        HistoryCase{"goose",
                    {{"db/00001_users.sql", "-- +goose Up\n" + k_create},
                     {"db/00002_check.sql",
                      "-- +goose Up\n" + expect_rows("SELECT string_agg(version_id::text, ',' ORDER BY id) FROM "
                                                     "goose_db_version WHERE is_applied",
                                                     "'0,1'")}}},
        HistoryCase{"dbmate",
                    {{"db/20240101000000_users.sql", "-- migrate:up\n" + k_create},
                     {"db/20240102000000_check.sql",
                      "-- migrate:up\n" + expect_rows("SELECT string_agg(version, ',') FROM schema_migrations",
                                                      "'20240101000000'")}}},
        HistoryCase{"diesel",
                    {{"db/2024-01-01-000000_users/up.sql", k_create},
                     {"db/2024-01-02-000000_check/up.sql",
                      expect_rows("SELECT string_agg(version, ',') FROM __diesel_schema_migrations",
                                  "'20240101000000'")}}},
        // Prisma writes the row before it runs the script and finishes it after.
        HistoryCase{"prisma",
                    {{"db/20240101000000_users/migration.sql", k_create},
                     {"db/20240102000000_check/migration.sql",
                      expect_rows("SELECT string_agg(migration_name || ':' || (finished_at IS NOT NULL) || ':' || "
                                  "applied_steps_count, ',' ORDER BY started_at, migration_name) FROM "
                                  "_prisma_migrations",
                                  "'20240101000000_users:true:1,20240102000000_check:false:0'")}}},
        HistoryCase{"drizzle",
                    {{"db/meta/_journal.json",
                      "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":["
                      "{\"idx\":0,\"version\":\"7\",\"when\":1704067200000,\"tag\":\"0000_users\",\"breakpoints\":true},"
                      "{\"idx\":1,\"version\":\"7\",\"when\":1704153600000,\"tag\":\"0001_check\",\"breakpoints\":true}]}"},
                     {"db/0000_users.sql", k_create},
                     {"db/0001_check.sql",
                      expect_rows("SELECT string_agg(created_at::text, ',') FROM drizzle.__drizzle_migrations",
                                  "'1704067200000'")}}},
        HistoryCase{"flyway",
                    {{"db/V1__users.sql", k_create},
                     {"db/V2__check.sql",
                      expect_rows("SELECT string_agg(installed_rank || ':' || version || ':' || type || ':' || "
                                  "script || ':' || success, ',') FROM flyway_schema_history",
                                  "'1:1:SQL:V1__users.sql:true'")}}},
        HistoryCase{"supabase",
                    {{"supabase/migrations/20240101000000_users.sql", k_create},
                     {"supabase/migrations/20240102000000_check.sql",
                      expect_rows("SELECT string_agg(version || ':' || name || ':' || array_length(statements, 1), "
                                  "',') FROM supabase_migrations.schema_migrations",
                                  "'20240101000000:users:1'")}}}),
    [](const ::testing::TestParamInfo<HistoryCase>& param) {
      std::string name = param.param.format;
      for (char& c : name) c = c == '-' ? '_' : c;
      return name;
    });

// The tools' tables (and drizzle's and Supabase's own schemas) are not part of the model.
TEST(HistoryTableModel, ToolTablesAreLeftOutOfTheDump) {
  const Files drizzle = {
      {"db/meta/_journal.json",
       "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{\"idx\":0,\"version\":\"7\",\"when\":"
       "1704067200000,\"tag\":\"0000_users\",\"breakpoints\":true}]}"},
      {"db/0000_users.sql", "CREATE TABLE \"users\" (\n\t\"id\" serial PRIMARY KEY NOT NULL\n);\n"}};
  const Outcome dump = run_on(drizzle, "drizzle", "db", "dump");
  EXPECT_EQ(0, dump.code) << dump.output;
  EXPECT_TRUE(has(dump, "users")) << dump.output;
  EXPECT_FALSE(has(dump, "drizzle")) << dump.output;

  // A schema of the application that happens to be named like drizzle's stays.
  const Files own = {
      {"db/meta/_journal.json",
       "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":[{\"idx\":0,\"version\":\"7\",\"when\":"
       "1704067200000,\"tag\":\"0000_users\",\"breakpoints\":true}]}"},
      {"db/0000_users.sql", "CREATE TABLE drizzle.settings (k text PRIMARY KEY);\n"}};
  const Outcome kept = run_on(own, "drizzle", "db", "dump");
  EXPECT_EQ(0, kept.code) << kept.output;
  EXPECT_TRUE(has(kept, "settings")) << kept.output;

  const Files supabase = {{"supabase/migrations/20240101000000_users.sql", "create table users (id int);\n"}};
  const Outcome sdump = run_on(supabase, "", "supabase/migrations", "dump");
  EXPECT_EQ(0, sdump.code) << sdump.output;
  EXPECT_FALSE(has(sdump, "supabase_migrations")) << sdump.output;
}

// ---------------------------------------------------------------------------------------------
// Transaction shapes: CREATE INDEX CONCURRENTLY where the tool's transaction refuses it, and the
// safe twin the tool runs.

struct ShapeCase {
  const char* name;
  const char* format;
  Files files;
  int code;             // 0: applies under the tool; 1: fails there
  const char* message;  // in the output when it fails
};

class TransactionShape : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(TransactionShape, ReplayedAsTheToolSendsIt) {
  const ShapeCase& c = GetParam();
  const Outcome run = run_on(c.files, c.format, c.format == std::string("supabase") ? "supabase/migrations" : "db");
  EXPECT_EQ(c.code, run.code) << run.output;
  if (c.code != 0) {
    EXPECT_TRUE(has(run, c.message)) << run.output;
  }
}

const std::string k_table = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n";
const std::string k_cic = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n";
const std::string k_journal_two =
    "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":["
    "{\"idx\":0,\"version\":\"7\",\"when\":1704067200000,\"tag\":\"0000_orders\",\"breakpoints\":true},"
    "{\"idx\":1,\"version\":\"7\",\"when\":1704153600000,\"tag\":\"0001_index\",\"breakpoints\":true}]}";

INSTANTIATE_TEST_SUITE_P(
    Formats, TransactionShape,
    ::testing::Values(
        ShapeCase{"golang_migrate_file_is_one_query", "golang-migrate",
                  {{"db/1_orders.up.sql", k_table + k_cic}}, 1,
                  "golang-migrate sends the whole file as one query"},
        ShapeCase{"golang_migrate_alone_in_its_file", "golang-migrate",
                  {{"db/1_orders.up.sql", k_table}, {"db/2_index.up.sql", k_cic}}, 0, ""},
        ShapeCase{"prisma_script_is_one_query", "prisma",
                  {{"db/20240101000000_orders/migration.sql", k_table + k_cic}}, 1,
                  "Prisma Migrate sends the whole file as one query"},
        ShapeCase{"prisma_alone_in_its_migration", "prisma",
                  {{"db/20240101000000_orders/migration.sql", k_table},
                   {"db/20240102000000_index/migration.sql", "-- CreateIndex\n" + k_cic}},
                  0, ""},
        ShapeCase{"drizzle_runs_in_one_transaction", "drizzle",
                  {{"db/meta/_journal.json", k_journal_two},
                   {"db/0000_orders.sql", k_table},
                   {"db/0001_index.sql", k_cic}},
                  1, "drizzle-kit's migrator runs all pending migrations in one transaction"},
        ShapeCase{"drizzle_plain_index", "drizzle",
                  {{"db/meta/_journal.json", k_journal_two},
                   {"db/0000_orders.sql", k_table},
                   {"db/0001_index.sql", "CREATE INDEX orders_customer_idx ON orders (customer_id);\n"}},
                  0, ""},
        ShapeCase{"goose_wraps_each_migration", "goose",
                  {{"db/00001_orders.sql", "-- +goose Up\n" + k_table}, {"db/00002_index.sql", "-- +goose Up\n" + k_cic}},
                  1, "goose runs each migration in a transaction"},
        ShapeCase{"goose_no_transaction", "goose",
                  {{"db/00001_orders.sql", "-- +goose Up\n" + k_table},
                   {"db/00002_index.sql", "-- +goose NO TRANSACTION\n-- +goose Up\n" + k_cic}},
                  0, ""},
        ShapeCase{"dbmate_wraps_each_migration", "dbmate",
                  {{"db/20240101000000_orders.sql", "-- migrate:up\n" + k_table},
                   {"db/20240102000000_index.sql", "-- migrate:up\n" + k_cic}},
                  1, "dbmate runs each migration in a transaction"},
        ShapeCase{"dbmate_transaction_false_alone", "dbmate",
                  {{"db/20240101000000_orders.sql", "-- migrate:up\n" + k_table},
                   {"db/20240102000000_index.sql", "-- migrate:up transaction:false\n" + k_cic}},
                  0, ""},
        ShapeCase{"diesel_wraps_each_migration", "diesel",
                  {{"db/2024-01-01-000000_orders/up.sql", k_table}, {"db/2024-01-02-000000_index/up.sql", k_cic}},
                  1, "Diesel runs each migration in a transaction"},
        ShapeCase{"diesel_run_in_transaction_false", "diesel",
                  {{"db/2024-01-01-000000_orders/up.sql", k_table},
                   {"db/2024-01-02-000000_index/up.sql", k_cic},
                   {"db/2024-01-02-000000_index/metadata.toml", "run_in_transaction = false\n"}},
                  0, ""},
        ShapeCase{"supabase_batch_even_alone", "supabase",
                  {{"supabase/migrations/20240101000000_orders.sql", k_table},
                   {"supabase/migrations/20240102000000_index.sql", k_cic}},
                  1, "the Supabase CLI sends a file's statements and its history row as one batch"},
        ShapeCase{"supabase_plain_index", "supabase",
                  {{"supabase/migrations/20240101000000_orders.sql", k_table},
                   {"supabase/migrations/20240102000000_index.sql",
                    "create index orders_customer_idx on orders (customer_id);\n"}},
                  0, ""},
        ShapeCase{"flyway_refuses_a_mix", "flyway", {{"db/V1__orders.sql", k_table + k_cic}}, 1,
                  "Flyway refuses a migration that mixes statements"},
        ShapeCase{"flyway_runs_a_lone_concurrent_index_without_transaction", "flyway",
                  {{"db/V1__orders.sql", k_table}, {"db/V2__index.sql", k_cic}}, 0, ""},
        // Plain files have no tool: pgdrift runs such a file without a transaction.
        ShapeCase{"plain_is_flexible", "plain", {{"db/001_orders.sql", k_table + k_cic}}, 0, ""}),
    [](const ::testing::TestParamInfo<ShapeCase>& param) { return std::string(param.param.name); });


// ---------------------------------------------------------------------------------------------
// What a tree assumes of its environment, and input that must not be dropped silently.

// An extension the sandbox lacks is one finding naming the package and the image to use.
TEST(ReplayEnvironment, MissingExtensionNamesThePackageAndTheImage) {
  const Files files = {{"db/V1__shops.sql", "CREATE TABLE shops (id bigint PRIMARY KEY);\n"},
                       {"db/V2__gis.sql", "CREATE EXTENSION IF NOT EXISTS postgis;\n"
                                          "ALTER TABLE shops ADD COLUMN location geography(Point, 4326);\n"}};
  const Outcome run = run_on(files, "flyway");
  EXPECT_EQ(1, run.code) << run.output;
  EXPECT_TRUE(has(run, "replay/extension-unavailable")) << run.output;
  EXPECT_TRUE(has(run, "extension postgis is not installed on the sandbox's PostgreSQL")) << run.output;
  EXPECT_TRUE(has(run, "-postgis-3")) << run.output;
  EXPECT_TRUE(has(run, "--image postgis/postgis:")) << run.output;
  // The safe twin: an extension the server ships replays.
  const Outcome present = run_on({{"db/V1__trgm.sql", "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"}}, "flyway");
  EXPECT_EQ(0, present.code) << present.output;
}

// A template placeholder without a value says which --var to pass, at its file:line; with the
// value the tree replays.
TEST(ReplayEnvironment, PlaceholderWithoutValueSaysWhichVarToPass) {
  const Files files = {{"db/V1__schema.sql", "CREATE SCHEMA app;\n"},
                       {"db/V2__table.sql", "-- the schema Flyway was told to use\n"
                                            "CREATE TABLE ${flyway:defaultSchema}.accounts (id bigint);\n"}};
  const Outcome run = run_on(files, "flyway");
  EXPECT_EQ(1, run.code) << run.output;
  EXPECT_TRUE(has(run, "V2__table.sql:2:14")) << run.output;
  EXPECT_TRUE(has(run, "placeholder ${flyway:defaultSchema} has no value")) << run.output;
  EXPECT_TRUE(has(run, "--var flyway:defaultSchema=VALUE")) << run.output;
  const Outcome with_value = run_on(files, "flyway", "db", "replay", {"--var", "flyway:defaultSchema=app"});
  EXPECT_EQ(0, with_value.code) << with_value.output;
}

// Bad input is exit 2 with the file named, never a silent skip or a truncated statement.
TEST(ReplayInput, NulByteIsAnErrorNamingFileLineAndColumn) {
  const Files files = {{"db/001_users.sql", "CREATE TABLE users (id int);\n"},
                       {"db/002_bad.sql", std::string("SELECT 1;\nALTER TABLE users\0 ADD COLUMN x int;\n", 45)}};
  const Outcome run = run_on(files, "plain");
  EXPECT_EQ(2, run.code) << run.output;
  EXPECT_TRUE(has(run, "002_bad.sql:2:18: file holds a NUL byte")) << run.output;
}

TEST(ReplayInput, DanglingLinkLoopAndFifoAreErrorsNamingTheEntry) {
  struct Odd {
    const char* name;
    std::function<void(const std::filesystem::path&)> make;
    const char* message;
  };
  const std::vector<Odd> odd = {
      {"002_gone.sql", [](const std::filesystem::path& p) { std::filesystem::create_symlink("nowhere.sql", p); },
       "002_gone.sql: is a symbolic link to nothing"},
      {"002_loop.sql", [](const std::filesystem::path& p) { std::filesystem::create_symlink(p.filename(), p); },
       "002_loop.sql: is a symbolic link loop in the migrations directory"},
      {"002_pipe.sql", [](const std::filesystem::path& p) { ASSERT_EQ(0, mkfifo(p.c_str(), 0600)); },
       "002_pipe.sql: is a FIFO (named pipe) in the migrations directory"},
  };
  for (const Odd& o : odd) {
    TempTree tree({{"db/001_users.sql", "CREATE TABLE users (id int);\n"}});
    o.make(tree.path() / "db" / o.name);
    const auto result = run_pgdrift({"replay", "--migrations", tree / "db", "--format", "plain"}, tree.path());
    EXPECT_EQ(2, result.status.code) << o.name << "\n" << result.output;
    EXPECT_NE(result.output.find(o.message), std::string::npos) << result.output;
  }
}

}  // namespace
}  // namespace pgdrift::testing
