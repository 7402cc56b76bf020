#include <gtest/gtest.h>

#include "pgdrift/config/config.hpp"

namespace pgdrift::config {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsUnitsAndBareSeconds) {
  const struct {
    const char* text;
    long long ms;
  } cases[] = {
      {"250ms", 250},    {"30s", 30000}, {"5min", 300000},
      {"2h", 7200000},   {"60", 60000},  {"0", 0},
      {" 10 s ", 10000}, {"0ms", 0},     {"596h", 2145600000LL}, {"2147483647ms", 2147483647LL},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(std::optional<milliseconds>(milliseconds{c.ms}), parse_duration(c.text)) << c.text;
  }
}

TEST(ParseDuration, RejectsMoreThanPostgresAccepts) {
  // statement_timeout's limit is 2147483647 ms (~24.8 days); larger values would make the
  // sandbox refuse SET statement_timeout (an infrastructure error instead of a usage one).
  for (const char* text : {"2147483648ms", "597h", "1000000h", "999999999999h"}) {
    EXPECT_EQ(std::nullopt, parse_duration(text)) << text;
  }
}

TEST(ParseDuration, RejectsMalformedNegativeAndFractional) {
  for (const char* text :
       {"", "s", "-5s", "+5s", "1.5s", "5m", "5 minutes", "5MIN", "ten", "5s5", "9999999999999h"}) {
    EXPECT_EQ(std::nullopt, parse_duration(text)) << text;
  }
}

}  // namespace
}  // namespace pgdrift::config
