#include <gtest/gtest.h>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::db {
namespace {

TEST(ConnectionInfo, ParsesUrlsAndKeywordStrings) {
  const auto url = ConnectionInfo::parse("postgresql://app:s3cret@db.internal:6543/shop?sslmode=require");
  EXPECT_EQ("db.internal", url.host);
  EXPECT_EQ("6543", url.port);
  EXPECT_EQ("app", url.user);
  EXPECT_EQ("s3cret", url.password);
  EXPECT_EQ("shop", url.dbname);
  EXPECT_EQ("require", url.options.at("sslmode"));

  const auto kv = ConnectionInfo::parse("host=/tmp/pg port=5433 user=postgres dbname=x");
  EXPECT_EQ("/tmp/pg", kv.host);
  EXPECT_EQ("5433", kv.port);
}

TEST(ConnectionInfo, RendersSocketHostsAsQueryParametersAndRoundTrips) {
  ConnectionInfo info;
  info.host = "/tmp/pgdrift-abc";
  info.port = "5432";
  info.user = "postgres";
  info.dbname = "pgdrift_replay_1";
  EXPECT_EQ("postgresql://postgres@/pgdrift_replay_1?host=/tmp/pgdrift-abc&port=5432", info.url());
  const auto back = ConnectionInfo::parse(info.url());
  EXPECT_EQ(info.host, back.host);
  EXPECT_EQ(info.port, back.port);
  EXPECT_EQ(info.dbname, back.dbname);
}

TEST(ConnectionInfo, EncodesAwkwardPasswordsAndNeverPrintsThem) {
  ConnectionInfo info;
  info.host = "db";
  info.user = "app";
  info.password = "p@ss:w/rd";
  info.dbname = "app";
  EXPECT_EQ("postgresql://app:p%40ss%3Aw%2Frd@db/app", info.url());
  EXPECT_EQ("p@ss:w/rd", ConnectionInfo::parse(info.url()).password);
  EXPECT_EQ("postgresql://app:***@db/app", info.redacted_url());
  EXPECT_NE(std::string::npos, info.conninfo().find("password='p@ss:w/rd'"));
}

TEST(ConnectionInfo, InvalidStringIsAUsageErrorWithoutThePassword) {
  try {
    ConnectionInfo::parse("postgresql://app:s3cret@db/app?nonsense_option=1");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::usage, e.exit_code());
    EXPECT_EQ(std::string::npos, std::string(e.what()).find("s3cret")) << e.what();
    EXPECT_NE(std::string::npos, std::string(e.what()).find("nonsense_option")) << e.what();
  }
}

TEST(Quote, IdentifiersAndLiterals) {
  EXPECT_EQ("\"pgdrift_x\"", quote_ident("pgdrift_x"));
  EXPECT_EQ("\"a\"\"b\"", quote_ident("a\"b"));
  EXPECT_EQ("'it''s'", quote_literal("it's"));
}

}  // namespace
}  // namespace pgdrift::db
