#include <gtest/gtest.h>

#include "pgdrift/util/redact.hpp"

namespace pgdrift::util {
namespace {

TEST(Redact, MasksEveryFormOfPassword) {
  const struct {
    const char* input;
    const char* expected;
  } cases[] = {
      {"postgresql://app:s3cret@db:5432/app", "postgresql://app:***@db:5432/app"},
      {"postgres://app:p%40ss:word@db/app?sslmode=require", "postgres://app:***@db/app?sslmode=require"},
      {"cannot connect to postgres://u:pw@h/d: refused", "cannot connect to postgres://u:***@h/d: refused"},
      {"host=db password=s3cret user=app", "host=db password=*** user=app"},
      {R"(host=db password='it\'s secret' user=app)", "host=db password=*** user=app"},  // libpq quoting
      {"postgresql://db/app?user=x&password=s3cret&sslmode=off", "postgresql://db/app?user=x&password=***&sslmode=off"},
      {"PGPASSWORD=s3cret psql", "PGPASSWORD=*** psql"},
      {"postgresql://app@db/app", "postgresql://app@db/app"},
      {"no secrets here: a=b", "no secrets here: a=b"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.expected, redact(c.input)) << c.input;
}

}  // namespace
}  // namespace pgdrift::util
