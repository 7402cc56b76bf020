#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <filesystem>
#include <random>

#include "pgdrift/config/config.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Words = std::vector<std::string>;

class ConfigLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    m_dir = fs::temp_directory_path() /
            ("pgdrift-config-test-" + std::to_string(random()) + std::to_string(random()));
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

  void write(const fs::path& name, const std::string& text) const {
    fs::create_directories((m_dir / name).parent_path());
    std::ofstream(m_dir / name) << text;
  }
  // Writes `text` as ./pgdrift.yml and loads it the way a run without --config would.
  Config load_text(const std::string& text, const Environment& env = {}) const {
    write("pgdrift.yml", text);
    return load(std::nullopt, m_dir, env);
  }
  // "message | hint" of the error loading `text` as ./pgdrift.yml throws, or "no error".
  std::string error_of(const std::string& text, const Environment& env = {}) const {
    try {
      load_text(text, env);
    } catch (const Error& e) {
      EXPECT_EQ(ExitCode::usage, e.exit_code());
      return std::string(e.what()) + " | " + e.hint();
    }
    return "no error";
  }

  fs::path m_dir;
};

TEST_F(ConfigLoad, DefaultsWhenNoFileExists) {
  const Config c = load(std::nullopt, m_dir, {});
  EXPECT_TRUE(c.file.empty());
  EXPECT_EQ("", c.migrations.dir);
  EXPECT_EQ("auto", c.migrations.format);
  EXPECT_TRUE(c.migrations.vars.empty());
  EXPECT_TRUE(c.migrations.command.empty());
  EXPECT_EQ("auto", c.sandbox.backend);
  EXPECT_EQ("", c.sandbox.server_url);
  EXPECT_EQ("", c.sandbox.cache_dir);
  EXPECT_EQ(milliseconds{60000}, c.sandbox.start_timeout);
  EXPECT_EQ("", c.postgres.version);
  EXPECT_EQ(milliseconds{300000}, c.replay.statement_timeout);
  EXPECT_EQ(milliseconds{1800000}, c.replay.command_timeout);
  EXPECT_EQ("error", c.fail_on);
}

TEST_F(ConfigLoad, EmptyOrCommentOnlyFileOrEmptySectionsMeanDefaults) {
  for (const char* text :
       {"", "# nothing yet\n\n", "---\n", "migrations:\nsandbox:\n  backend:\n"}) {
    const Config c = load_text(text);
    EXPECT_EQ(fs::path("pgdrift.yml"), c.file) << text;
    EXPECT_EQ("auto", c.sandbox.backend) << text;
    EXPECT_EQ(milliseconds{300000}, c.replay.statement_timeout) << text;
  }
}

TEST_F(ConfigLoad, ParsesEveryField) {
  const Config c = load_text(R"(# pgdrift settings
migrations:
  dir: db/migrations
  format: golang-migrate
  vars: {Namespace: app, Replicas: 3, Enabled: true, Blank: }
  command: alembic upgrade head
sandbox:
  backend: server
  server_url: postgres://ci@localhost:5432/postgres
  cache_dir: .cache/pgdrift
  start_timeout: 90s
postgres:
  version: 16
replay:
  statement_timeout: 250ms
  command_timeout: 2h
fail_on: warning
)");
  EXPECT_EQ(fs::path("pgdrift.yml"), c.file);
  EXPECT_EQ("db/migrations", c.migrations.dir);
  EXPECT_EQ("golang-migrate", c.migrations.format);
  EXPECT_EQ((std::map<std::string, std::string>{
                {"Blank", ""}, {"Enabled", "true"}, {"Namespace", "app"}, {"Replicas", "3"}}),
            c.migrations.vars);
  EXPECT_EQ((Words{"alembic", "upgrade", "head"}), c.migrations.command);
  EXPECT_EQ("server", c.sandbox.backend);
  EXPECT_EQ("postgres://ci@localhost:5432/postgres", c.sandbox.server_url);
  EXPECT_EQ(".cache/pgdrift", c.sandbox.cache_dir);
  EXPECT_EQ(milliseconds{90000}, c.sandbox.start_timeout);
  EXPECT_EQ("16", c.postgres.version);
  EXPECT_EQ(milliseconds{250}, c.replay.statement_timeout);
  EXPECT_EQ(milliseconds{7200000}, c.replay.command_timeout);
  EXPECT_EQ("warning", c.fail_on);
}

TEST_F(ConfigLoad, ResolvesRelativePathsAgainstTheConfigFileAsNamed) {
  const std::string text = "migrations: {dir: db/migrations}\nsandbox: {cache_dir: ../cache}\n";
  write("pgdrift.yml", text);
  write("sub/pgdrift.yml", text);
  write("sub/deep/pgdrift.yml", "migrations: {dir: /srv/migrations}\n");

  const struct {
    std::optional<fs::path> config;
    std::string dir;
    std::string cache_dir;
  } cases[] = {
      {std::nullopt, "db/migrations", "../cache"},
      {fs::path("pgdrift.yml"), "db/migrations", "../cache"},
      {fs::path("./pgdrift.yml"), "db/migrations", "../cache"},
      {fs::path("sub/pgdrift.yml"), "sub/db/migrations", "cache"},
      {m_dir / "sub/pgdrift.yml", (m_dir / "sub/db/migrations").string(),
       (m_dir / "cache").string()},
      {fs::path("sub/deep/pgdrift.yml"), "/srv/migrations", ""},  // absolute stays absolute
  };
  for (const auto& c : cases) {
    const Config config = load(c.config, m_dir, {});
    const std::string label = c.config ? c.config->string() : "(none)";
    EXPECT_EQ(c.dir, config.migrations.dir) << label;
    EXPECT_EQ(c.cache_dir, config.sandbox.cache_dir) << label;
  }
}

TEST_F(ConfigLoad, SandboxSetupIsAListOfPathsRelativeToTheConfigFile) {
  const std::string text = "sandbox:\n  setup:\n    - db/roles.sql\n    - ${SETUP_DIR}/auth.sql\n    - /srv/ext.sql\n";
  write("sub/pgdrift.yml", text);
  const Environment env = {{"SETUP_DIR", "setup"}};
  EXPECT_EQ((Words{"sub/db/roles.sql", "sub/setup/auth.sql", "/srv/ext.sql"}),
            load(fs::path("sub/pgdrift.yml"), m_dir, env).sandbox.setup);
  EXPECT_EQ((Words{"db/roles.sql", "setup/auth.sql", "/srv/ext.sql"}), load_text(text, env).sandbox.setup);
  // One string is a one-file list; no key, or no value, is no setup.
  EXPECT_EQ((Words{"setup.sql"}), load_text("sandbox: {setup: ./setup.sql}\n").sandbox.setup);
  EXPECT_TRUE(load_text("sandbox: {backend: local}\n").sandbox.setup.empty());
  EXPECT_TRUE(load_text("sandbox:\n  setup:\n").sandbox.setup.empty());

  EXPECT_EQ("pgdrift.yml:2: sandbox.setup must be a list of strings | ",
            error_of("sandbox:\n  setup: {roles: db/roles.sql}\n"));
  EXPECT_EQ("pgdrift.yml:4: sandbox.setup[1] is an empty path | name a file, relative to this file's directory",
            error_of("sandbox:\n  setup:\n    - a.sql\n    - \"\"\n"));
  EXPECT_EQ("pgdrift.yml:3: sandbox.setup must be a list of strings | ",
            error_of("sandbox:\n  setup:\n    - [a.sql]\n"));
}

TEST_F(ConfigLoad, ExpandsEnvironmentVariablesInValues) {
  const Environment env = {{"CI_DATABASE_URL", "postgres://ci@db/postgres"},
                           {"EMPTY", ""},
                           {"NS", "tenant"},
                           {"PGDRIFT_BACKEND", "local"}};
  const Config c = load_text(R"(migrations:
  dir: ${MIGRATIONS_DIR:-db/migrations}
  vars: {Namespace: "${NS}", Price: "$$5", Owner: "${EMPTY:-admin}", Home: $HOME}
sandbox:
  backend: ${PGDRIFT_BACKEND:-auto}
  server_url: ${CI_DATABASE_URL}
replay:
  statement_timeout: ${STATEMENT_TIMEOUT:-0}
)",
                             env);
  EXPECT_EQ("db/migrations", c.migrations.dir);
  EXPECT_EQ((std::map<std::string, std::string>{
                {"Home", "$HOME"}, {"Namespace", "tenant"}, {"Owner", "admin"}, {"Price", "$5"}}),
            c.migrations.vars);
  EXPECT_EQ("local", c.sandbox.backend);
  EXPECT_EQ("postgres://ci@db/postgres", c.sandbox.server_url);
  EXPECT_EQ(milliseconds{0}, c.replay.statement_timeout);
}

TEST_F(ConfigLoad, CommandAsStringIsExpandedThenSplitAndAsListIsNot) {
  const Environment env = {{"URL", "postgres://u@h/db?sslmode=disable"}, {"FLAGS", "-v -x"}};
  const struct {
    const char* yaml;
    Words expected;
  } cases[] = {
      {"alembic upgrade head", {"alembic", "upgrade", "head"}},
      {"migrate -url \"${URL}\" up",
       {"migrate", "-url", "postgres://u@h/db?sslmode=disable", "up"}},
      {"tool ${FLAGS}", {"tool", "-v", "-x"}},  // unquoted: the value is split
      {"tool \"${FLAGS}\"", {"tool", "-v -x"}},
      {"'sh -c \"echo $$HOME\"'", {"sh", "-c", "echo $HOME"}},
      {"[sh, -c, \"echo $HOME && run ${FLAGS}\"]", {"sh", "-c", "echo $HOME && run -v -x"}},
      {"\n    - npx\n    - prisma migrate deploy\n", {"npx", "prisma migrate deploy"}},
      {"[]", {}},
  };
  for (const auto& c : cases) {
    const Config config = load_text(std::string("migrations:\n  command: ") + c.yaml + "\n", env);
    EXPECT_EQ(c.expected, config.migrations.command) << c.yaml;
  }
}

TEST_F(ConfigLoad, ErrorsNameFileLineAndKey) {
  const std::string top_keys =
      "Valid top-level keys: migrations, sandbox, postgres, replay, catalog, targets, model, drift, lint, fail_on";
  const std::string sandbox_keys =
      "Valid keys in sandbox: backend, server_url, docker, cache_dir, start_timeout, replay_cache, replay_cache_size, setup";
  const std::string durations =
      "write a whole number with a unit: 250ms, 30s, 5min or 2h (a bare number is seconds)";
  const struct {
    const char* name;
    std::string yaml;
    std::string expected;
  } cases[] = {
      {"unset variable", "migrations:\n  dir: db\n\n\nsandbox:\n  server_url: ${STAGING_URL}\n",
       "pgdrift.yml:6: key sandbox.server_url: environment variable STAGING_URL is not set"
       " | set it, or write ${STAGING_URL:-default}"},
      {"unset variable in a var", "migrations:\n  vars:\n    Ns: ${NS}\n",
       "pgdrift.yml:3: key migrations.vars.Ns: environment variable NS is not set"
       " | set it, or write ${NS:-default}"},
      {"unknown top-level key", "fail_on: error\nmigration:\n  dir: db\n",
       "pgdrift.yml:2: unknown key 'migration' | did you mean 'migrations'? " + top_keys},
      {"unknown nested key", "# c\nsandbox:\n  backend: local\n\n  bakend: local\n",
       "pgdrift.yml:5: unknown key 'sandbox.bakend' | did you mean 'backend'? " + sandbox_keys},
      {"unknown key, nothing close", "sandbox:\n  image: postgres:16\n",
       "pgdrift.yml:2: unknown key 'sandbox.image' | " + sandbox_keys},
      {"key case matters", "Fail_On: error\n",
       "pgdrift.yml:1: unknown key 'Fail_On' | did you mean 'fail_on'? " + top_keys},
      {"duplicate key", "fail_on: error\nfail_on: notice\n",
       "pgdrift.yml:2: duplicate key 'fail_on' | "},
      {"list where map expected", "migrations:\n  dir: db\n  vars:\n    - a\n    - b\n",
       "pgdrift.yml:3: migrations.vars must be a map of names to values"
       " | for example: vars: {Namespace: app}"},
      {"nested value in vars", "migrations:\n  vars:\n    A: 1\n    B: [1, 2]\n",
       "pgdrift.yml:4: migrations.vars.B must be a single value (a string, number or boolean)"
       " | for example: vars: {Namespace: app}"},
      {"map where string expected", "migrations:\n  dir:\n    path: db\n",
       "pgdrift.yml:2: migrations.dir must be a path (a string) | "},
      {"scalar where section expected", "\nsandbox: local\n",
       "pgdrift.yml:2: sandbox must be a map of settings"
       " | put each setting on its own line below 'sandbox:', indented"},
      {"command as a map", "migrations:\n  command: {run: x}\n",
       "pgdrift.yml:2: migrations.command must be a string or a list of strings | "},
      {"command list with a nested list", "migrations:\n  command:\n    - a\n    - [b]\n",
       "pgdrift.yml:4: migrations.command must be a string or a list of strings | "},
      {"command with open quote", "migrations:\n  command: sh -c 'echo\n",
       "pgdrift.yml:2: migrations.command: unterminated ' quote"
       " | close the quote, or give the command as a list of words"},
      {"bad backend", "sandbox:\n  backend: lcoal\n",
       "pgdrift.yml:2: sandbox.backend must be one of auto, local, docker, server (got 'lcoal')"
       " | did you mean 'local'?"},
      {"bad format", "migrations:\n  format: rails\n",
       "pgdrift.yml:2: migrations.format must be one of auto, plain, flyway, golang-migrate, "
       "dbmate, goose, prisma, drizzle, diesel (got 'rails') | "},
      {"bad fail_on", "fail_on: warn\n",
       "pgdrift.yml:1: fail_on must be one of error, warning, notice (got 'warn')"
       " | did you mean 'warning'?"},
      {"malformed duration", "replay:\n  statement_timeout: 5 minutes\n",
       "pgdrift.yml:2: replay.statement_timeout must be a duration like 30s or 5min"
       " (got '5 minutes') | " +
           durations + "; 0 means no timeout"},
      {"negative duration", "replay:\n  command_timeout: -1s\n",
       "pgdrift.yml:2: replay.command_timeout must be a duration like 30s or 5min (got '-1s') | " +
           durations + "; 0 means no timeout"},
      {"zero start timeout", "sandbox:\n  start_timeout: 0s\n",
       "pgdrift.yml:2: sandbox.start_timeout must be greater than 0 | " + durations},
      {"fractional start timeout", "sandbox:\n  start_timeout: 1.5s\n",
       "pgdrift.yml:2: sandbox.start_timeout must be a duration like 30s or 5min (got '1.5s') | " +
           durations},
      {"minor version", "postgres:\n  version: 15.4\n",
       "pgdrift.yml:2: postgres.version must be a major version number like 15 (got '15.4')"
       " | give only the major version: 15, not 15.4"},
      {"top level is a list", "- migrations\n",
       "pgdrift.yml:1: the top level must be a map of settings"
       " | start with a key such as 'migrations:'"},
      {"two documents", "fail_on: error\n---\nfail_on: notice\n",
       "pgdrift.yml:3: a config file holds one YAML document"
       " | remove the second '---' and merge the settings into one map"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.expected, error_of(c.yaml)) << c.name;
  }
}

TEST_F(ConfigLoad, YamlSyntaxErrorsNameTheLine) {
  const std::string message = error_of("migrations:\n  dir: db\n  format: [auto\nfail_on: error\n");
  EXPECT_EQ(0u, message.rfind("pgdrift.yml:4: invalid YAML: ", 0)) << message;
  const std::string indented = error_of("sandbox:\n  backend: local\n   server_url: x: y\n");
  EXPECT_EQ(0u, indented.rfind("pgdrift.yml:3: invalid YAML: ", 0)) << indented;
}

TEST_F(ConfigLoad, ExplicitPathMustExist) {
  try {
    load(fs::path("ci/pgdrift.yml"), m_dir, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::usage, e.exit_code());
    EXPECT_EQ("ci/pgdrift.yml: config file not found", std::string(e.what()));
    EXPECT_EQ("check the --config path, or omit it to use ./pgdrift.yml when present", e.hint());
  }
}

TEST_F(ConfigLoad, ErrorsNameTheExplicitPathAsGiven) {
  write("ci/pgdrift.yml", "fail_on: loud\n");
  try {
    load(fs::path("ci/pgdrift.yml"), m_dir, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ("ci/pgdrift.yml:1: fail_on must be one of error, warning, notice (got 'loud')",
              std::string(e.what()));
  }
}

TEST_F(ConfigLoad, FallsBackToYamlExtensionAndPrefersYml) {
  write("pgdrift.yaml", "fail_on: notice\n");
  Config c = load(std::nullopt, m_dir, {});
  EXPECT_EQ(fs::path("pgdrift.yaml"), c.file);
  EXPECT_EQ("notice", c.fail_on);

  write("pgdrift.yml", "fail_on: warning\n");
  c = load(std::nullopt, m_dir, {});
  EXPECT_EQ(fs::path("pgdrift.yml"), c.file);
  EXPECT_EQ("warning", c.fail_on);
}

TEST_F(ConfigLoad, ServerUrlIsNeverEchoedInErrors) {
  const std::string message = error_of("sandbox:\n  server_url: postgres://u:hunter2@h/${DB\n");
  EXPECT_EQ(std::string::npos, message.find("hunter2")) << message;
  EXPECT_EQ(0u, message.rfind("pgdrift.yml:2: key sandbox.server_url: unterminated ${", 0))
      << message;
}

}  // namespace
}  // namespace pgdrift::config

namespace pgdrift::config {
namespace {

TEST(ConfigCatalog, ReadsListsAndSingleStrings) {
  const auto dir = std::filesystem::temp_directory_path() / ("pgdrift-config-catalog-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pgdrift.yml") << "catalog:\n  include_schemas: [public, app]\n  exclude_schemas: audit\n"
                                        "  exclude_objects:\n    - \"public.tmp_*\"\n";
  const auto cfg = load(std::nullopt, dir, {});
  EXPECT_EQ((std::vector<std::string>{"public", "app"}), cfg.catalog.include_schemas);
  EXPECT_EQ((std::vector<std::string>{"audit"}), cfg.catalog.exclude_schemas);
  EXPECT_EQ((std::vector<std::string>{"public.tmp_*"}), cfg.catalog.exclude_objects);
  EXPECT_TRUE(cfg.catalog.history_tables.empty());
  std::ofstream(dir / "pgdrift.yml") << "catalog:\n  exclude_objects: {a: b}\n";
  try {
    load(std::nullopt, dir, {});
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string("pgdrift.yml:2: catalog.exclude_objects must be a list of strings"), e.what());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgdrift::config

namespace pgdrift::config {
namespace {

TEST(ConfigDocker, ReadsTheCliTheImageAndTheDockerBackend) {
  const auto dir = std::filesystem::temp_directory_path() / ("pgdrift-config-docker-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto defaults = load(std::nullopt, dir, {});
  EXPECT_EQ("docker", defaults.sandbox.docker);
  EXPECT_EQ("", defaults.postgres.image);
  std::ofstream(dir / "pgdrift.yml") << "sandbox:\n  backend: docker\n  docker: ${DOCKER_CLI:-podman}\n"
                                        "postgres:\n  version: 16\n  image: registry.local/pg:16-custom\n";
  const auto cfg = load(std::nullopt, dir, {});
  EXPECT_EQ("docker", cfg.sandbox.backend);
  EXPECT_EQ("podman", cfg.sandbox.docker);
  EXPECT_EQ("16", cfg.postgres.version);
  EXPECT_EQ("registry.local/pg:16-custom", cfg.postgres.image);
  std::ofstream(dir / "pgdrift.yml") << "postgres:\n  image: [postgres]\n";
  try {
    load(std::nullopt, dir, {});
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string("pgdrift.yml:2: postgres.image must be a string"), e.what());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pgdrift::config

namespace pgdrift::config {
namespace {

// Writes `yaml` as pgdrift.yml in a fresh directory and loads it with `env`.
Config load_yaml(const std::string& yaml, const Environment& env = {}) {
  const auto dir = std::filesystem::temp_directory_path() / ("pgdrift-config-drift-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pgdrift.yml") << yaml;
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  return load(std::nullopt, dir, env);
}

TEST(ConfigDrift, ReadsTargetsModelAndDriftRules) {
  const auto cfg = load_yaml(
      "targets:\n  staging: ${STAGING_URL}\n  production: ${PROD_URL:-}\n"
      "model:\n  file: db/schema.sql\n  command: npx prisma migrate diff --script\n"
      "drift:\n  compare: [comments, column-order]\n"
      "  ignore:\n    - {schema: audit}\n    - kind: index\n      name: \"tmp_*\"\n"
      "  severity: {drift/unexpected-index: off, drift/changed-column: warning}\n"
      "  detect_renames: false\n",
      {{"STAGING_URL", "postgresql://ro@staging/app"}});
  EXPECT_EQ((std::map<std::string, std::string>{{"production", ""}, {"staging", "postgresql://ro@staging/app"}}),
            cfg.targets);
  EXPECT_EQ("db/schema.sql", cfg.model.file);
  EXPECT_EQ((std::vector<std::string>{"npx", "prisma", "migrate", "diff", "--script"}), cfg.model.command);
  EXPECT_EQ((std::vector<std::string>{"comments", "column-order"}), cfg.drift.compare);
  ASSERT_EQ(2u, cfg.drift.ignore.size());
  EXPECT_EQ("audit", cfg.drift.ignore[0].schema);
  EXPECT_EQ("*", cfg.drift.ignore[0].kind);
  EXPECT_EQ("index", cfg.drift.ignore[1].kind);
  EXPECT_EQ("tmp_*", cfg.drift.ignore[1].name);
  EXPECT_EQ("off", cfg.drift.severity.at("drift/unexpected-index"));
  EXPECT_FALSE(cfg.drift.detect_renames);
}

TEST(ConfigDrift, BadValuesNameTheKey) {
  const struct {
    const char* yaml;
    const char* expected;
  } cases[] = {
      {"drift:\n  compare: [owners]\n", "pgdrift.yml:2: drift.compare: 'owners' cannot be compared"},
      {"drift:\n  severity: {drift/changed-column: fatal}\n",
       "pgdrift.yml:2: drift.severity.drift/changed-column: 'fatal' is not a severity"},
      {"drift:\n  ignore:\n    - {kind: indexes}\n", "pgdrift.yml:3: drift.ignore[0].kind must be one of *, schema"},
      {"drift:\n  ignore: {kind: index}\n", "pgdrift.yml:2: drift.ignore must be a list of {schema, kind, name} maps"},
  };
  for (const auto& c : cases) {
    try {
      load_yaml(c.yaml);
      ADD_FAILURE() << "expected an error for " << c.yaml;
    } catch (const Error& e) {
      EXPECT_EQ(0u, std::string(e.what()).rfind(c.expected, 0)) << e.what();
    }
  }
}

TEST(ConfigLint, ReadsExcludesSeveritiesAllowancesAndSwitches) {
  const auto defaults = load_yaml("");
  EXPECT_TRUE(defaults.lint.trace);
  EXPECT_TRUE(defaults.lint.destructive);
  const auto cfg = load_yaml(
      "lint:\n  exclude: [\"*__baseline.sql\", db/old/V1__x.sql]\n"
      "  severity: {prefer-text: off, lint/drop-column: warning}\n"
      "  allow_destructive: {\"V7__*.sql\": legacy table unused since 2024}\n"
      "  trace: false\n  destructive: false\n");
  EXPECT_EQ((std::vector<std::string>{"*__baseline.sql", "db/old/V1__x.sql"}), cfg.lint.exclude);
  EXPECT_EQ((std::map<std::string, std::string>{{"lint/drop-column", "warning"}, {"prefer-text", "off"}}),
            cfg.lint.severity);
  EXPECT_EQ((std::map<std::string, std::string>{{"V7__*.sql", "legacy table unused since 2024"}}),
            cfg.lint.allow_destructive);
  EXPECT_FALSE(cfg.lint.trace);
  EXPECT_FALSE(cfg.lint.destructive);
}

TEST(ConfigLint, BadValuesNameTheKey) {
  const struct {
    const char* yaml;
    const char* expected;
  } cases[] = {
      {"lint:\n  severity: {drop-column: fatal}\n", "pgdrift.yml:2: lint.severity.drop-column: 'fatal' is not a severity"},
      {"lint:\n  allow_destructive: {\"V7__*.sql\": \"\"}\n", "pgdrift.yml:2: lint.allow_destructive.V7__*.sql needs a reason"},
      {"lint:\n  trace: sometimes\n", "pgdrift.yml:2: lint.trace must be one of true, false"},
      {"lint:\n  exclud: [x]\n", "pgdrift.yml:2: unknown key 'lint.exclud'"},
  };
  for (const auto& c : cases) {
    try {
      load_yaml(c.yaml);
      ADD_FAILURE() << "expected an error for " << c.yaml;
    } catch (const Error& e) {
      EXPECT_EQ(0u, std::string(e.what()).rfind(c.expected, 0)) << e.what();
    }
  }
}

// Errors that echo a value never echo a secret a ${VAR} brought in: they name the variable.
TEST_F(ConfigLoad, ErrorsNameTheVariableInsteadOfEchoingASecretValue) {
  const Environment env = {{"START_TIMEOUT_SECRET", "hunter2"},
                           {"BACKEND", "postgres://app:S3cretPw@db/app"},
                           {"MODE", "lcoal"},
                           {"CACHE_TOKEN", "tok123"},
                           {"DB_PASSWORD", "pw-in-severity"},
                           {"PLAIN", "15.4"}};
  const struct {
    const char* yaml;
    const char* expected;
  } cases[] = {
      {"sandbox:\n  start_timeout: ${START_TIMEOUT_SECRET}\n",
       "pgdrift.yml:2: sandbox.start_timeout must be a duration like 30s or 5min"
       " (got the value of ${START_TIMEOUT_SECRET})"},
      {"sandbox:\n  backend: ${BACKEND}\n",  // the name is innocent, the value holds a password
       "pgdrift.yml:2: sandbox.backend must be one of auto, local, docker, server (got the value of ${BACKEND})"},
      {"sandbox:\n  backend: x${START_TIMEOUT_SECRET}${BACKEND}\n",
       "pgdrift.yml:2: sandbox.backend must be one of auto, local, docker, server"
       " (got the value of ${START_TIMEOUT_SECRET}, ${BACKEND})"},
      {"sandbox:\n  replay_cache_size: ${CACHE_TOKEN}\n",
       "pgdrift.yml:2: sandbox.replay_cache_size must be a size like 500MB or 2GiB (got the value of ${CACHE_TOKEN})"},
      {"drift:\n  compare: [comments, \"${DB_PASSWORD}\"]\n",
       "pgdrift.yml:2: drift.compare: the value of ${DB_PASSWORD} cannot be compared"},
      {"drift:\n  severity: {drift/changed-column: \"${DB_PASSWORD}\"}\n",
       "pgdrift.yml:2: drift.severity.drift/changed-column: the value of ${DB_PASSWORD} is not a severity"},
      // The safe twins: a value from an innocent variable, and literal text, are shown.
      {"sandbox:\n  backend: ${MODE}\n",
       "pgdrift.yml:2: sandbox.backend must be one of auto, local, docker, server (got 'lcoal')"},
      {"postgres:\n  version: ${PLAIN}\n",
       "pgdrift.yml:2: postgres.version must be a major version number like 15 (got '15.4')"},
      {"sandbox:\n  backend: postgres://app:Literal@db/app\n",
       "pgdrift.yml:2: sandbox.backend must be one of auto, local, docker, server (got 'postgres://app:***@db/app')"},
  };
  for (const auto& c : cases) {
    const std::string message = error_of(c.yaml, env);
    EXPECT_EQ(c.expected, message.substr(0, message.find(" | "))) << c.yaml;
    for (const char* secret : {"hunter2", "S3cretPw", "tok123", "pw-in-severity", "Literal"}) {
      EXPECT_EQ(std::string::npos, message.find(secret)) << c.yaml;
    }
  }
}

TEST(ReferencedVariables, ListsEachNameOnceSkippingEscapes) {
  EXPECT_EQ((std::vector<std::string>{"A", "B_2"}), referenced_variables("${A}-$${X}-${B_2:-d}-${A}"));
  EXPECT_EQ((std::vector<std::string>{}), referenced_variables("plain $$ text"));
}

}  // namespace
}  // namespace pgdrift::config
