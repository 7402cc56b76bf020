#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pgdrift/report/report.hpp"

namespace pgdrift::report {
namespace {

Report sample() {
  Report r;
  r.command = "replay";
  r.tool_version = "0.1.0";
  r.migrations_dir = "db/migrations";
  r.format = "flyway";
  r.backend = "local";
  r.server_version = "15.4";
  r.migrations.push_back({"1", "init", "db/migrations/V1__init.sql", "applied", true, "", 12.3456, {{1, 1, "applied", 12.3456, "CREATE TABLE"}}});
  r.migrations.push_back({"2", "bad", "db/migrations/V2__bad.sql", "failed", false, "CREATE INDEX CONCURRENTLY at line 2", 1, {}});
  r.migrations.push_back({"3", "later", "db/migrations/V3__later.sql", "skipped", true, "", 0, {}});
  Finding located;
  located.rule = "replay/statement-failed";
  located.message = "column \"nam\" does not exist";
  located.location = Location{"db/migrations/V2__bad.sql", 4, 8, 4, 20};
  located.detail = "SQLSTATE 42703";
  located.hint = "Perhaps you meant \"name\".";
  Finding warning;
  warning.rule = "replay/server-warning";
  warning.severity = Severity::warning;
  warning.message = "there is already a transaction in progress";
  r.findings = {located, warning};
  return r;
}

TEST(ExitCode, FollowsTheFailureThreshold) {
  auto r = sample();
  EXPECT_EQ(1, exit_code(r));
  r.findings.erase(r.findings.begin());  // only the warning left
  EXPECT_EQ(0, exit_code(r));
  r.fail_on = Severity::warning;
  EXPECT_EQ(1, exit_code(r));
  r.findings.clear();
  EXPECT_EQ(0, exit_code(r));
  r.error_exit_code = 3;
  EXPECT_EQ(3, exit_code(r));
}

TEST(TextReport, ShowsRowsFindingsWithLocationHintAndSummary) {
  std::ostringstream out;
  write_text(out, sample(), {});
  const auto text = out.str();
  EXPECT_NE(std::string::npos, text.find("pgdrift replay · db/migrations (flyway, 3 migrations) · local PostgreSQL 15.4"));
  EXPECT_NE(std::string::npos, text.find("  failed   db/migrations/V2__bad.sql"));
  EXPECT_NE(std::string::npos, text.find("no transaction: CREATE INDEX CONCURRENTLY at line 2"));
  EXPECT_NE(std::string::npos, text.find("  skipped  db/migrations/V3__later.sql\n"));
  EXPECT_NE(std::string::npos,
            text.find("db/migrations/V2__bad.sql:4:8: error: column \"nam\" does not exist [replay/statement-failed]\n"
                      "  detail: SQLSTATE 42703\n  hint: Perhaps you meant \"name\".\n"));
  EXPECT_NE(std::string::npos, text.find("warning: there is already a transaction in progress [replay/server-warning]"));
  EXPECT_NE(std::string::npos, text.find("1 applied, 1 failed, 1 skipped · 1 error, 1 warning, 0 notices in "));
  EXPECT_EQ(std::string::npos, text.find("\x1b[")) << "no colour unless asked";
}

TEST(TextReport, ColourOnlyWhenAskedAndQuietDropsTheTable) {
  std::ostringstream coloured;
  write_text(coloured, sample(), {true, false, false});
  EXPECT_NE(std::string::npos, coloured.str().find("\x1b[1;31m"));
  std::ostringstream quiet;
  write_text(quiet, sample(), {false, false, true});
  EXPECT_EQ(std::string::npos, quiet.str().find("applied  db/"));
  EXPECT_NE(std::string::npos, quiet.str().find("V2__bad.sql:4:8: error"));
}

// Every line of `text` that starts with "::" (a GitHub workflow command when read from stdout).
std::vector<std::string> command_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  // The runner splits lines at '\r' too.
  for (std::string line; std::getline(in, line);) {
    std::istringstream parts(line);
    for (std::string part; std::getline(parts, part, '\r');) {
      if (part.rfind("::", 0) == 0) lines.push_back(part);
    }
  }
  return lines;
}

TEST(TextReport, ControlCharactersInNamesAreEscapedNeverStartALine) {
  auto r = sample();
  r.migrations_dir = "db/mi\ngrations";
  r.migrations[1].file = "db/migrations/V2__a\n::error::x.sql";
  r.findings[0].location->file = "db/migrations/V2__a\n::error::x.sql";
  r.findings[0].message = "relation \"t\r::warning::y\" does not exist";
  r.findings[0].detail = "first line\nsecond \x1b[31mred\x7f line";
  r.findings[1].target = "stag\x01ing";
  r.findings[1].message = "bad \xC2\x85 next line";
  std::ostringstream out;
  write_text(out, r, {true, true, false});
  const auto text = out.str();
  EXPECT_EQ(std::vector<std::string>{}, command_lines(text)) << text;
  EXPECT_NE(std::string::npos, text.find("pgdrift replay · db/mi\\ngrations (flyway")) << text;
  EXPECT_NE(std::string::npos, text.find("failed  \x1b[0m db/migrations/V2__a\\n::error::x.sql ")) << text;
  EXPECT_NE(std::string::npos, text.find("db/migrations/V2__a\\n::error::x.sql:4:8: ")) << text;
  EXPECT_NE(std::string::npos, text.find("relation \"t\\r::warning::y\" does not exist")) << text;
  // Multi-line text keeps its lines, indented; controls inside a line are escaped.
  EXPECT_NE(std::string::npos, text.find("  detail: first line\n          second \\x1b[31mred\\x7f line\n")) << text;
  EXPECT_NE(std::string::npos, text.find("[stag\\x01ing] bad \\u0085 next line")) << text;
}

TEST(TextReport, OrdinaryNamesAreShownUnchanged) {
  auto r = sample();
  r.migrations[1].file = "db/migrations/V2__tab\there é ünïcode.sql";
  std::ostringstream out;
  write_text(out, r, {});
  EXPECT_NE(std::string::npos, out.str().find("  failed   db/migrations/V2__tab\there é ünïcode.sql  ")) << out.str();
}

TEST(JsonReport, HasTheDocumentedFieldsAndOmitsUnknownLocations) {
  const auto j = nlohmann::json::parse(to_json(sample()));
  EXPECT_EQ(1, j["version"]);
  EXPECT_EQ("pgdrift", j["tool"]["name"]);
  EXPECT_EQ("flyway", j["format"]);
  EXPECT_EQ("15.4", j["sandbox"]["server_version"]);
  EXPECT_EQ(12.346, j["migrations"][0]["duration_ms"]);
  EXPECT_EQ("CREATE TABLE", j["migrations"][0]["statements"][0]["command_tag"]);
  EXPECT_FALSE(j["migrations"][1]["in_transaction"]);
  EXPECT_EQ("CREATE INDEX CONCURRENTLY at line 2", j["migrations"][1]["transaction_note"]);
  EXPECT_FALSE(j["migrations"][0].contains("transaction_note"));
  const auto& located = j["findings"][0];
  EXPECT_EQ("db/migrations/V2__bad.sql", located["file"]);
  EXPECT_EQ(4, located["line"]);
  EXPECT_EQ(8, located["column"]);
  EXPECT_EQ(20, located["end_column"]);
  const auto& unlocated = j["findings"][1];
  EXPECT_EQ("warning", unlocated["severity"]);
  EXPECT_FALSE(unlocated.contains("file"));
  EXPECT_FALSE(unlocated.contains("hint"));
  EXPECT_EQ(1, j["summary"]["errors"]);
  EXPECT_EQ(1, j["summary"]["warnings"]);
  EXPECT_EQ(1, j["summary"]["skipped"]);
  EXPECT_EQ(1, j["summary"]["exit_code"]);
  EXPECT_FALSE(j.contains("error"));
}

TEST(UseColor, NoColorAndDumbTerminalsWin) {
  EXPECT_FALSE(use_color(-1, std::string(""), std::nullopt)) << "NO_COLOR set, even empty";
  EXPECT_FALSE(use_color(-1, std::nullopt, std::string("dumb")));
  EXPECT_FALSE(use_color(-1, std::nullopt, std::string("xterm"))) << "not a TTY";
}

}  // namespace
}  // namespace pgdrift::report
