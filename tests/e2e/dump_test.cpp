// `pgdrift dump` on the built binary: the same schema written differently dumps byte-identically,
// a live database dumps like the schema file that built it, and secrets stay out of the output.
#include <gtest/gtest.h>

#include <filesystem>

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
    EXPECT_EQ(a.output, b.output) << (extra.empty() ? "text" : "json");
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
