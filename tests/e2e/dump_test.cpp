// `pgdrift dump` on the built binary: the same schema written differently dumps byte-identically,
// a live database dumps like the schema file that built it, and secrets stay out of the output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/util/text.hpp"
#include "support/run_binary.hpp"

namespace pgdrift::testing {
namespace {

const std::filesystem::path k_schemas = std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "schemas";

util::RunResult dump(std::vector<std::string> args) {
  args.insert(args.begin(), "dump");
  return run_pgdrift(args, std::filesystem::temp_directory_path());
}

TEST(Dump, TheSameSchemaWrittenDifferentlyDumpsByteIdentically) {
  for (const auto& extra : {std::vector<std::string>{}, std::vector<std::string>{"--json"}}) {
    auto a_args = extra;
    a_args.insert(a_args.begin(), (k_schemas / "full.sql").string());
    auto b_args = extra;
    b_args.insert(b_args.begin(), (k_schemas / "full_alt.sql").string());
    const auto a = dump(a_args);
    const auto b = dump(b_args);
    ASSERT_EQ(0, a.status.code) << a.output;
    ASSERT_EQ(0, b.status.code) << b.output;
    EXPECT_GT(a.output.size(), 2000u);
    if (extra.empty()) {
      EXPECT_EQ(a.output, b.output);
      continue;
    }
    // The JSON model also says where each object was written: that differs, and must point into
    // each file; the schema itself is identical.
    auto a_json = nlohmann::json::parse(a.output);
    auto b_json = nlohmann::json::parse(b.output);
    std::size_t located = 0;
    for (auto* model : {&a_json, &b_json}) {
      const std::string file = model == &a_json ? "full.sql:" : "full_alt.sql:";
      for (auto& object : (*model)["objects"]) {
        if (!object.contains("created_at")) continue;
        EXPECT_NE(std::string::npos, object["created_at"].get<std::string>().find(file)) << object;
        EXPECT_TRUE(object.contains("changed_at")) << object;
        ++located;
        object.erase("created_at");
        object.erase("changed_at");
      }
    }
    EXPECT_GT(located, 100u);
    EXPECT_EQ(a_json, b_json);
  }
}

TEST(Dump, ALiveDatabaseDumpsLikeTheSchemaFileThatBuiltItAndIsNotWritten) {
  sandbox::Options options;
  options.backend = "local";
  options.env = current_environment();
  auto backend = sandbox::make_backend(options);
  backend->start();
  const auto database = backend->create_database("live");
  {
    auto connection = db::Connection::open(database, "pgdrift-test");
    const auto loaded = connection->execute(util::read_file((k_schemas / "full.sql").string()));
    ASSERT_TRUE(loaded.ok) << loaded.error->message;
  }
  const auto from_file = dump({(k_schemas / "full.sql").string()});
  const auto from_url = dump({database.url()});
  ASSERT_EQ(0, from_url.status.code) << from_url.output;
  EXPECT_EQ(from_file.output, from_url.output);

  // Read only: the catalogs did not change, and a second dump is identical.
  const auto again = dump({database.url()});
  EXPECT_EQ(from_url.output, again.output);
  auto connection = db::Connection::open(database, "pgdrift-test");
  const auto writes = connection->query(
      "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text AS n FROM pg_stat_user_tables");
  EXPECT_EQ("0", *writes.at(0, "n")) << "dump must not write to a database it reads";
  connection.reset();
  backend->stop();
}

TEST(Dump, ASchemaFileWrittenByTodaysPgDumpLoadsLikeTheMigrations) {
  // pg_dump 15.18 (as 15.14+ and the other maintained branches): \restrict / \unrestrict lines,
  // SET and set_config lines, COPY … FROM stdin data blocks. The same schema as
  // drift/migrations, plus one comment and two rows.
  const auto file = dump({(k_schemas / "pg-dump-15.18-with-data.sql").string()});
  const auto migrations = dump({(std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "drift" / "migrations").string()});
  ASSERT_EQ(0, file.status.code) << file.output;
  ASSERT_EQ(0, migrations.status.code) << migrations.output;
  std::string without_comment = file.output;
  const std::string comment = "COMMENT ON TABLE public.users IS 'people who sign in';\n";
  const auto at = without_comment.find(comment);
  ASSERT_NE(at, std::string::npos) << file.output;
  without_comment.erase(at, comment.size());
  EXPECT_EQ(without_comment, migrations.output);
}

TEST(Dump, APsqlMetaCommandThatCannotBeHonouredIsAnErrorAtItsLine) {
  const auto dir = std::filesystem::temp_directory_path() / "pgdrift-dump-connect-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "schema.sql";
  {
    std::ofstream out(file);
    out << "CREATE DATABASE app;\n\n\\connect app\nCREATE TABLE t (id int);\n";
  }
  const auto run = dump({file.string()});
  std::filesystem::remove_all(dir);
  EXPECT_EQ(2, run.status.code) << run.output;
  EXPECT_NE(run.output.find("schema.sql:3: psql meta-command \\connect cannot be honoured"), std::string::npos)
      << run.output;
}

TEST(Dump, PasswordsOfDatabaseUrlsNeverReachTheOutput) {
  const auto result = dump({"postgresql://app:hunter2-secret@127.0.0.1:1/app"});
  EXPECT_EQ(3, result.status.code) << result.output;
  EXPECT_EQ(std::string::npos, result.output.find("hunter2-secret")) << result.output;
  EXPECT_NE(std::string::npos, result.output.find("postgresql://app:***@127.0.0.1:1/app")) << result.output;
}

TEST(Dump, SourceThatIsNeitherUrlDirectoryNorSqlFileIsAUsageError) {
  const auto result = dump({(k_schemas / "missing.sql").string()});
  EXPECT_EQ(2, result.status.code);
  EXPECT_NE(std::string::npos, result.output.find("missing.sql: no such file")) << result.output;
  EXPECT_NE(std::string::npos, result.output.find("a SOURCE is a postgresql:// URL")) << result.output;
}

}  // namespace
}  // namespace pgdrift::testing
