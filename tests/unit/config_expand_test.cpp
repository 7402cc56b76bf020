#include <gtest/gtest.h>

#include "pgdrift/config/config.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::config {
namespace {

const Environment k_env = {{"HOST", "db.internal"}, {"EMPTY", ""}, {"PORT", "5432"}};

TEST(ExpandEnv, SubstitutesVariablesDefaultsAndDollars) {
  const struct {
    const char* value;
    const char* expected;
  } cases[] = {
      {"plain text", "plain text"},
      {"postgres://${HOST}:${PORT}/app", "postgres://db.internal:5432/app"},
      {"${MISSING:-fallback}", "fallback"},
      {"${EMPTY:-fallback}", "fallback"},  // empty counts as unset with :-, as in POSIX
      {"${HOST:-fallback}", "db.internal"},
      {"[${EMPTY}]", "[]"},  // set but empty, no default: empty
      {"${MISSING:-}", ""},
      {"${MISSING:-a:b/c d}", "a:b/c d"},  // the default is literal text
      {"cost $$5", "cost $5"},
      {"$${HOST}", "${HOST}"},
      {"echo $HOME $ 1$", "echo $HOME $ 1$"},  // a lone $ stays
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.expected, expand_env(c.value, k_env, "pgdrift.yml:4: key x")) << c.value;
  }
}

std::string error_of(const std::string& value, const std::string& where) {
  try {
    expand_env(value, k_env, where);
  } catch (const Error& e) {
    return std::string(e.what()) + " | " + e.hint();
  }
  return "no error";
}

TEST(ExpandEnv, ReportsUnsetUnterminatedAndInvalidReferences) {
  const std::string syntax =
      " | write ${NAME} or ${NAME:-default} (NAME is letters, digits and _), or $$ for a literal $";
  const struct {
    const char* value;
    std::string expected;
  } cases[] = {
      {"${STAGING_URL}",
       "pgdrift.yml:5: key sandbox.server_url: environment variable STAGING_URL is not set"
       " | set it, or write ${STAGING_URL:-default}"},
      {"x ${HOST",
       "pgdrift.yml:5: key sandbox.server_url: unterminated ${ (no closing })" + syntax},
      {"${}", "pgdrift.yml:5: key sandbox.server_url: invalid variable reference ${}" + syntax},
      {"${1X}", "pgdrift.yml:5: key sandbox.server_url: invalid variable reference ${1X}" + syntax},
      {"${A-b}",
       "pgdrift.yml:5: key sandbox.server_url: invalid variable reference ${A-b}" + syntax},
      // The default may hold a password: only the name is echoed.
      {"${A B:-postgres://u:secret@h}",
       "pgdrift.yml:5: key sandbox.server_url: invalid variable reference ${A B:-...}" + syntax},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.expected, error_of(c.value, "pgdrift.yml:5: key sandbox.server_url")) << c.value;
  }
  EXPECT_EQ("environment variable NOPE is not set | set it, or write ${NOPE:-default}",
            error_of("${NOPE}", ""));
}

}  // namespace
}  // namespace pgdrift::config
