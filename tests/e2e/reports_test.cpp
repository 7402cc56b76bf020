// The reports a reviewer reads, on a realistic staging/production divergence built as real
// databases (in a local sandbox started through pgdrift's own sandbox module): production lacks a
// column, has another type, another default and another foreign key action; staging has indexes
// created by hand; a new migration has a lint warning. Checks what the issue asks of each format:
// annotations only on migration lines, a short job summary showing every production difference
// unexpanded, JUnit counts that agree with the exit code, SARIF valid against the 2.1.0 schema
// with unique fingerprints and no result on a directory.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/history/history.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/text.hpp"
#include "support/flyway_target.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_drift = fs::path(PGDRIFT_FIXTURES_DIR) / "drift";

// Where ci/install-deps puts the SARIF 2.1.0 schema (from the npm package @microsoft/jest-sarif);
// PGDRIFT_SARIF_SCHEMA overrides it.
fs::path sarif_schema() {
  if (const char* path = std::getenv("PGDRIFT_SARIF_SCHEMA"); path != nullptr && *path != '\0') return path;
  return "/usr/local/share/pgdrift-test/sarif-schema-2.1.0.json";
}

// What divergence each target has, after the first three migrations were applied.
const char* const k_production_drift =
    "ALTER TABLE users DROP COLUMN display_name;\n"                        // missing column
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(100);\n"            // divergent type
    "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';\n"          // divergent default
    "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey, ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY "
    "(user_id) REFERENCES users (id) ON DELETE RESTRICT;\n";              // FK action
const char* const k_staging_drift =
    "CREATE INDEX users_email_lower_ghost ON users (lower(email));\n"
    "CREATE INDEX users_display_name_ghost ON users (display_name);\n"
    "CREATE INDEX orders_status_ghost ON orders (status);\n"
    "CREATE INDEX orders_user_status_ghost ON orders (user_id, status);\n";

class ReportsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sandbox::Options options;
    options.backend = "local";
    options.env = current_environment();
    s_backend = sandbox::make_backend(options).release();
    s_backend->start();
    s_migrations = migrations::discover({k_drift / "migrations", migrations::Format::automatic, {}}).migrations;
  }
  static void TearDownTestSuite() {
    s_backend->stop();
    delete s_backend;
  }

  // A target database with the fixture's three migrations applied and recorded in Flyway's
  // history table, then `extra` run on it.
  db::ConnectionInfo target(const std::string& extra) {
    return flyway_target(*s_backend, s_migrations, s_migrations.size(), extra);
  }

  // The repository: the fixture's migrations plus a new V4 (pending on both targets) that creates
  // an index without CONCURRENTLY on an existing table.
  void write_repository(const fs::path& root) {
    fs::create_directories(root / "migrations");
    for (const auto& entry : fs::directory_iterator(k_drift / "migrations"))
      fs::copy_file(entry.path(), root / "migrations" / entry.path().filename());
    std::ofstream(root / "migrations" / "V4__orders_status_index.sql")
        << "SET lock_timeout = '5s';\n\nCREATE INDEX orders_status_idx ON orders (status);\n";
  }

  struct Run {
    int exit_code = 0;
    std::string commands;  // stdout and stderr: the workflow commands among the text report
    std::string summary;
    std::string junit;
    nlohmann::json sarif;
    nlohmann::json report;
    fs::path sarif_path;
  };

  Run verify(const fs::path& root, const std::vector<std::pair<std::string, db::ConnectionInfo>>& targets) {
    auto env = e2e_environment();
    env["GITHUB_ACTIONS"] = "true";
    env["GITHUB_STEP_SUMMARY"] = (root / "summary.md").string();
    std::vector<std::string> args = {"verify", "--migrations", "migrations", "--junit", "out/r.xml", "--sarif",
                                     "out/r.sarif", "--json", "out/r.json"};
    for (const auto& [name, info] : targets) {
      args.push_back("--target");
      args.push_back(name + "=" + info.url());
    }
    fs::create_directories(root / "out");
    fs::remove(root / "summary.md");
    const auto result = run_pgdrift(args, root, env);
    Run run;
    run.exit_code = result.status.code;
    run.commands = result.output;
    run.summary = util::read_file((root / "summary.md").string());
    run.junit = util::read_file((root / "out/r.xml").string());
    run.sarif_path = root / "out/r.sarif";
    run.sarif = nlohmann::json::parse(util::read_file(run.sarif_path.string()));
    run.report = nlohmann::json::parse(util::read_file((root / "out/r.json").string()));
    return run;
  }

  static sandbox::Backend* s_backend;
  static std::vector<migrations::Migration> s_migrations;
};

sandbox::Backend* ReportsTest::s_backend = nullptr;
std::vector<migrations::Migration> ReportsTest::s_migrations;

// The workflow command lines ("::error file=…::message") of `output`.
std::vector<std::string> workflow_commands(const std::string& output) {
  std::vector<std::string> out;
  for (const auto& line : util::split(output, '\n')) {
    if (util::starts_with(line, "::")) out.push_back(line);
  }
  return out;
}

// Runs python3 with `args`; its exit code and output.
util::RunResult python(std::vector<std::string> args) {
  util::ProcessSpec spec;
  spec.argv = {"/usr/bin/python3"};  // Debian's, with python3-jsonschema
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = current_environment();
  return util::run_process(spec, std::chrono::seconds{60});
}

// The value of property `name` in a workflow command, "" when absent.
std::string property(const std::string& command, const std::string& name) {
  const auto end = command.find("::", 2);
  const auto properties = command.substr(0, end);
  for (const auto& part : util::split(properties.substr(properties.find(' ') + 1), ',')) {
    if (util::starts_with(part, name + "=")) return part.substr(name.size() + 1);
  }
  return "";
}

struct JUnitCounts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  int cases = 0, failure_elements = 0, error_elements = 0;
};

// The <testsuites> totals and the elements actually present, read with libxml2.
JUnitCounts junit_counts(const std::string& xml) {
  JUnitCounts counts;
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "r.xml", nullptr, XML_PARSE_NONET);
  EXPECT_NE(nullptr, doc) << xml;
  if (doc == nullptr) return counts;
  const xmlNode* root = xmlDocGetRootElement(doc);
  const auto attribute = [](const xmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    const int n = value == nullptr ? 0 : std::atoi(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return n;
  };
  counts.tests = attribute(root, "tests");
  counts.failures = attribute(root, "failures");
  counts.errors = attribute(root, "errors");
  counts.skipped = attribute(root, "skipped");
  for (const xmlNode* suite = root->children; suite != nullptr; suite = suite->next) {
    for (const xmlNode* c = suite->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE || std::string(reinterpret_cast<const char*>(c->name)) != "testcase") continue;
      ++counts.cases;
      for (const xmlNode* e = c->children; e != nullptr; e = e->next) {
        if (e->type != XML_ELEMENT_NODE) continue;
        const std::string name = reinterpret_cast<const char*>(e->name);
        counts.failure_elements += name == "failure";
        counts.error_elements += name == "error";
      }
    }
  }
  xmlFreeDoc(doc);
  return counts;
}

TEST_F(ReportsTest, AStagingProductionDivergenceReadsInTenSeconds) {
  const auto production = target(k_production_drift);
  const auto staging = target(k_staging_drift);
  TempTree repo;
  write_repository(repo.path());
  const auto run = verify(repo.path(), {{"staging", staging}, {"production", production}});
  ASSERT_EQ(1, run.exit_code) << run.commands;

  // The findings the scenario must produce (from the JSON report).
  std::vector<nlohmann::json> production_findings;
  std::size_t ghosts = 0;
  for (const auto& f : run.report["findings"]) {
    if (f.value("target", "") == "production" && util::starts_with(f["rule"].get<std::string>(), "drift/"))
      production_findings.push_back(f);
    if (f.value("target", "") == "staging" && f["rule"] == "drift/unexpected-index") ++ghosts;
  }
  std::set<std::string> production_rules;
  for (const auto& f : production_findings) production_rules.insert(f["rule"].get<std::string>() + " " + f.value("property", ""));
  EXPECT_EQ((std::set<std::string>{"drift/changed-column default", "drift/changed-column type",
                                   "drift/changed-constraint definition", "drift/missing-column "}),
            production_rules)
      << run.report["findings"].dump(2);
  EXPECT_EQ(4u, ghosts) << run.report["findings"].dump(2);

  // Annotations: only on lines of migration files; errors first; the summary-only ones counted.
  const auto commands = workflow_commands(run.commands);
  ASSERT_FALSE(commands.empty()) << run.commands;
  bool saw_non_error = false;
  std::size_t annotations = 0;
  for (const auto& command : commands) {
    if (util::starts_with(command, "::notice title=pgdrift::")) continue;  // the "not annotated" note
    ++annotations;
    const std::string file = property(command, "file");
    ASSERT_FALSE(file.empty()) << "an annotation without a file: " << command;
    EXPECT_TRUE(fs::is_regular_file(repo.path() / file)) << "annotation not on a file: " << command;
    EXPECT_TRUE(util::starts_with(file, "migrations/V")) << command;
    // Errors and warnings at their line; a notice may be about the whole file (a pending migration).
    if (!util::starts_with(command, "::notice ")) {
      EXPECT_FALSE(property(command, "line").empty()) << command;
    }
    const bool error = util::starts_with(command, "::error ");
    EXPECT_FALSE(error && saw_non_error) << "errors come first:\n" << run.commands;
    saw_non_error = saw_non_error || !error;
  }
  EXPECT_NE(std::string::npos, run.commands.find("file=migrations/V4__orders_status_index.sql,line=3"))
      << "the new migration's warning is annotated at its line:\n" << run.commands;
  const std::size_t total = run.report["findings"].size();
  const std::size_t not_annotated = total - annotations;
  EXPECT_GT(not_annotated, 0u);
  const std::string not_annotated_text = std::to_string(not_annotated) + " findings are not annotated";
  EXPECT_NE(std::string::npos, run.summary.find(not_annotated_text)) << run.summary;

  // The summary: short, counts at the top, every production difference visible unexpanded, one
  // fix script per target, no escaped backticks.
  const auto lines = util::split(run.summary, '\n');
  EXPECT_LT(lines.size(), 60u) << run.summary;
  EXPECT_NE(std::string::npos, run.summary.find("**production**: 4 differences")) << run.summary;
  EXPECT_NE(std::string::npos, run.summary.find("**staging**: 4 indexes created by hand")) << run.summary;
  const std::string visible = run.summary.substr(0, run.summary.find("<details>"));
  for (const auto& f : production_findings) {
    const std::string object = f["object"];
    EXPECT_NE(std::string::npos, visible.find(object)) << object << " not visible:\n" << run.summary;
  }
  for (const char* fix : {"ADD COLUMN display_name", "TYPE character varying(200)", "SET DEFAULT 'pending'",
                          "ON DELETE CASCADE"}) {
    EXPECT_NE(std::string::npos, visible.find(fix)) << fix << " not in production's fix script:\n" << run.summary;
  }
  std::size_t scripts = 0;
  for (std::size_t at = run.summary.find("```sql"); at != std::string::npos; at = run.summary.find("```sql", at + 1))
    ++scripts;
  EXPECT_EQ(2u, scripts) << "one fix script per target:\n" << run.summary;
  EXPECT_LT(run.summary.find("production"), run.summary.find("lint/non-concurrent-index"));
  EXPECT_EQ(std::string::npos, run.summary.find("\\`")) << run.summary;
  EXPECT_NE(std::string::npos, run.summary.find("(see `pgdrift status`)")) << run.summary;
  // A hint once per rule, not per row: drift/changed-column (two rows) and drift/changed-constraint
  // share the text.
  std::size_t changed_hints = 0;
  for (std::size_t at = run.summary.find("align production with the migrations"); at != std::string::npos;
       at = run.summary.find("align production with the migrations", at + 1))
    ++changed_hints;
  EXPECT_EQ(2u, changed_hints) << run.summary;
  EXPECT_NE(std::string::npos, run.summary.find("- `drift/changed-column`: align production with the migrations"))
      << run.summary;

  // JUnit: failures for the findings that fail the run only, no empty pass per rule and file.
  const auto junit = junit_counts(run.junit);
  EXPECT_EQ(junit.cases, junit.tests) << run.junit;
  EXPECT_EQ(junit.failure_elements, junit.failures) << run.junit;
  EXPECT_EQ(junit.error_elements, junit.errors) << run.junit;
  EXPECT_GT(junit.failures + junit.errors, 0) << "exit 1 must show as failed:\n" << run.junit;
  EXPECT_LT(junit.tests, 80) << run.junit;
  EXPECT_EQ(std::string::npos, run.junit.find("<failure message=\"index public.users_email_lower_ghost"))
      << "a warning is no failure at --fail-on error:\n" << run.junit;

  // SARIF: unique fingerprints, results only at files relative to %SRCROOT%, ghosts as notifications.
  const auto& sarif_run = run.sarif["runs"][0];
  std::set<std::string> fingerprints;
  for (const auto& result : sarif_run["results"]) {
    const std::string fingerprint = result["partialFingerprints"]["pgdrift/v2"];
    EXPECT_TRUE(fingerprints.insert(fingerprint).second) << "shared fingerprint: " << result.dump(2);
    const auto& artifact = result["locations"][0]["physicalLocation"]["artifactLocation"];
    EXPECT_EQ("%SRCROOT%", artifact["uriBaseId"]) << result.dump(2);
    EXPECT_TRUE(fs::is_regular_file(repo.path() / artifact["uri"].get<std::string>())) << result.dump(2);
  }
  EXPECT_TRUE(sarif_run["originalUriBaseIds"].contains("%SRCROOT%"));
  EXPECT_EQ(total, sarif_run["results"].size() + sarif_run["invocations"][0]["toolExecutionNotifications"].size())
      << "every finding is a result or a notification";
}

TEST_F(ReportsTest, TwoDifferencesOnOneColumnHaveTwoFingerprintsAndTheSarifValidates) {
  const auto production = target(k_production_drift);
  TempTree repo;
  write_repository(repo.path());
  const auto run = verify(repo.path(), {{"production", production}});
  ASSERT_EQ(1, run.exit_code) << run.commands;

  // The schema from the npm package ci/install-deps fetches, checked with Debian's python3-jsonschema.
  const auto schema = sarif_schema();
  const bool validator = fs::exists(schema) && python({"-c", "import jsonschema"}).status.code == 0;
  if (!validator) {
    if (std::getenv("CI") != nullptr) FAIL() << "no SARIF validator: " << schema << " or python3-jsonschema missing (ci/install-deps)";
    GTEST_SKIP() << "no SARIF validator: run ci/install-deps (python3-jsonschema and the SARIF 2.1.0 schema at "
                 << schema << ")";
  }
  const auto validated = python(
      {"-c",
       "import json, sys, jsonschema\n"
       "schema = json.load(open(sys.argv[1]))\n"
       "log = json.load(open(sys.argv[2]))\n"
       "errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))\n"
       "for e in errors: print('/'.join(map(str, e.absolute_path)), e.message)\n"
       "sys.exit(1 if errors else 0)\n",
       schema.string(), run.sarif_path.string()});
  EXPECT_EQ(0, validated.status.code) << validated.output;

  // Production's type and default of one column (users.email's type, orders.status's default) and
  // the rest: each difference its own fingerprint, in the results or (no file) as notifications.
  std::size_t changed_columns = 0;
  for (const auto& n : run.sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]) {
    if (n.contains("associatedRule") && n["associatedRule"]["id"] == "drift/changed-column") ++changed_columns;
  }
  std::set<std::string> fingerprints;
  for (const auto& r : run.sarif["runs"][0]["results"]) {
    EXPECT_TRUE(fingerprints.insert(r["partialFingerprints"]["pgdrift/v2"].get<std::string>()).second) << r.dump(2);
    if (r["ruleId"] == "drift/changed-column") ++changed_columns;
  }
  EXPECT_EQ(2u, changed_columns) << run.sarif.dump(2);
}

TEST_F(ReportsTest, WarningsAloneDoNotFailJUnitAndTheSummaryPasses) {
  const auto staging = target(k_staging_drift);
  TempTree repo;
  write_repository(repo.path());
  const auto run = verify(repo.path(), {{"staging", staging}});
  ASSERT_EQ(0, run.exit_code) << run.commands;
  const auto junit = junit_counts(run.junit);
  EXPECT_EQ(0, junit.failures) << run.junit;
  EXPECT_EQ(0, junit.errors) << run.junit;
  EXPECT_EQ(0, junit.failure_elements) << run.junit;
  EXPECT_NE(std::string::npos, run.junit.find("<system-out>")) << "the warnings are still listed:\n" << run.junit;
  EXPECT_NE(std::string::npos, run.summary.find("passed (exit 0)")) << run.summary;
  // The ghosts are in the collapsed part; nothing is annotated on a directory.
  EXPECT_NE(std::string::npos, run.summary.find("<details><summary>Other findings")) << run.summary;
  for (const auto& command : workflow_commands(run.commands)) {
    if (util::starts_with(command, "::notice title=pgdrift::")) continue;
    EXPECT_TRUE(fs::is_regular_file(repo.path() / property(command, "file"))) << command;
  }
}

}  // namespace
}  // namespace pgdrift::testing
