#include <gtest/gtest.h>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/replay/replay.hpp"

namespace pgdrift::replay {
namespace {

// A framework command that fails and prints the sandbox's password (raw, in DATABASE_URL and as
// PGPASSWORD=) and another URL with a password: its output, shown on failure, holds none of them.
TEST(RunCommand, OutputShownOnFailureHoldsNoPassword) {
  db::ConnectionInfo database;
  database.host = "127.0.0.1";
  database.port = "1";
  database.user = "app";
  database.password = "SandboxPw9";
  database.dbname = "app";
  CommandOptions options;
  options.argv = {
      "/bin/sh", "-c",
      "echo \"connecting to $DATABASE_URL\"; echo \"PGPASSWORD=$PGPASSWORD raw $PGPASSWORD\" >&2; "
      "echo 'upstream postgres://ops:UpstreamPw@prod/app refused'; exit 3"};
  options.env = {{"PATH", "/usr/bin:/bin"}};
  const auto result = run_command(database, options);
  ASSERT_TRUE(result.command.has_value());
  EXPECT_EQ(3, result.command->exit_code);
  const std::string& output = result.command->output;
  EXPECT_EQ(std::string::npos, output.find("SandboxPw9")) << output;
  EXPECT_EQ(std::string::npos, output.find("UpstreamPw")) << output;
  EXPECT_NE(std::string::npos, output.find("upstream postgres://ops:***@prod/app refused"))
      << output;
  EXPECT_NE(std::string::npos, output.find("raw ***")) << output;
}

}  // namespace
}  // namespace pgdrift::replay
