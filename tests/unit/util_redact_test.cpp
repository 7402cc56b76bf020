#include <gtest/gtest.h>

#include <string>

#include "pgdrift/util/redact.hpp"

namespace pgdrift::util {
namespace {

TEST(Redact, MasksEveryFormOfPassword) {
  const struct {
    const char* input;
    const char* expected;
  } cases[] = {
      {"postgresql://app:s3cret@db:5432/app", "postgresql://app:***@db:5432/app"},
      {"postgres://app:p%40ss:word@db/app?sslmode=require",
       "postgres://app:***@db/app?sslmode=require"},
      {"postgres://user:p%40ss@host", "postgres://user:***@host"},
      {"postgresql://user:pass@host1,host2/db", "postgresql://user:***@host1,host2/db"},
      {"postgresql://user:pass@host1:5432,host2:5433/db?target_session_attrs=any",
       "postgresql://user:***@host1:5432,host2:5433/db?target_session_attrs=any"},
      {"postgres://:pass@host/db", "postgres://:***@host/db"},
      {"postgres://app:p@ss@db/app",
       "postgres://app:***@db/app"},  // an unencoded '@' in the secret
      {"cannot connect to postgres://u:pw@h/d: refused",
       "cannot connect to postgres://u:***@h/d: refused"},
      {"could not connect: 'postgresql://app:S3cret@db.internal'",
       "could not connect: 'postgresql://app:***@db.internal'"},
      {"url \"postgres://app:S3cret@db\" refused", "url \"postgres://app:***@db\" refused"},
      {"host=db password=s3cret user=app", "host=db password=*** user=app"},
      {R"(host=db password='it\'s secret' user=app)",
       "host=db password=*** user=app"},  // libpq quoting
      {"host=db password='a b' user=app", "host=db password=*** user=app"},
      {"host=db password = 'a b'", "host=db password = ***"},
      {"host=db sslpassword=keypass sslmode=verify-full",
       "host=db sslpassword=*** sslmode=verify-full"},
      {"postgresql://db/app?user=x&password=s3cret&sslmode=off",
       "postgresql://db/app?user=x&password=***&sslmode=off"},
      {"PGPASSWORD=s3cret psql", "PGPASSWORD=*** psql"},
      {"env PGHOST=db PGPASSWORD=\"a b\" psql -c 'select 1'",
       "env PGHOST=db PGPASSWORD=*** psql -c 'select 1'"},
      {"docker run -e POSTGRES_PASSWORD=s3cret postgres",
       "docker run -e POSTGRES_PASSWORD=*** postgres"},
      {"migrate --password=s3cret up", "migrate --password=*** up"},
      {"SELECT dblink_connect('host=db password=s3cret dbname=x')",
       "SELECT dblink_connect('host=db password=*** dbname=x')"},
      {"SELECT dblink('host=db password=s3cret')", "SELECT dblink('host=db password=***')"},
      {"postgresql://app@db/app", "postgresql://app@db/app"},
      {"postgres://user@host", "postgres://user@host"},
      {"see https://example.com/a:b@c for help", "see https://example.com/a:b@c for help"},
      {"no secrets here: a=b, passwords=are long", "no secrets here: a=b, passwords=are long"},
      {"password_hash=abc", "password_hash=abc"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(c.expected, redact(c.input)) << c.input;
}

TEST(Redact, IsLinearOnLongTextWithoutSecrets) {
  // A long token (a base64 blob in a server message) must neither crash nor take long.
  const std::string blob(4 * 1024 * 1024, 'a');
  EXPECT_EQ(blob, redact(blob));
  const std::string equals(1024 * 1024, '=');
  EXPECT_EQ(equals, redact(equals));
}

TEST(Redact, SecretNamesAreThoseOfCredentialsAndConnectionStrings) {
  for (const char* name : {"DB_PASSWORD", "PGPASSWORD", "api_token", "CLIENT_SECRET", "SSH_KEY",
                           "DATABASE_URL", "SENTRY_DSN", "GOOGLE_CREDENTIALS"}) {
    EXPECT_TRUE(secret_name(name)) << name;
  }
  for (const char* name : {"START_TIMEOUT", "HOME", "PGHOST", "MODE"})
    EXPECT_FALSE(secret_name(name)) << name;
}

TEST(Redact, MasksTheValuesOfSecretVariablesAChildEchoes) {
  const Environment env = {{"DB_PASSWORD", "rawS3cret"},
                           {"DATABASE_URL", "postgres://app:UrlPw@db/app"},
                           {"GITHUB_SERVER_URL", "https://github.com"},
                           {"API_TOKEN", "abc"},  // too short to mask without mangling the text
                           {"HOME", "/home/runner"}};
  EXPECT_EQ("login with *** failed; url *** refused; see https://github.com from /home/runner; abc",
            redact("login with rawS3cret failed; url postgres://app:UrlPw@db/app refused; "
                   "see https://github.com from /home/runner; abc",
                   env));
  EXPECT_EQ("password=*** on postgres://u:***@h", redact("password=x on postgres://u:y@h", env));
}

}  // namespace
}  // namespace pgdrift::util
