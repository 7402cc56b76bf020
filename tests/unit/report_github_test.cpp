#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pgdrift/report/ci_formats.hpp"
#include "unit/report_sample.hpp"

namespace pgdrift::report {
namespace {

using testing::expect_golden;


GitHubOptions options() {
  GitHubOptions o;
  o.report_paths = {{"junit-path", "reports/pgdrift.xml"}, {"sarif-path", "reports/pgdrift.sarif"}};
  o.fallback_path = "db/migrations";
  return o;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string line_with(const std::string& text, const std::string& needle) {
  for (const auto& line : lines_of(text)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "<no line with " + needle + ">";
}

Finding finding(std::string rule, Severity severity, std::string message) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = severity;
  f.message = std::move(message);
  return f;
}

Report report_of(std::vector<Finding> findings) {
  Report r;
  r.command = "verify";
  r.tool_version = "0.1.0";
  r.findings = std::move(findings);
  sort_findings(r.findings);
  return r;
}

TEST(GitHubReport, MatchesGolden) {
  const auto out = to_github(testing::sample_report(), options());
  expect_golden("github-commands.txt", out.commands);
  expect_golden("github-summary.md", out.summary);
}

TEST(GitHubReport, AnnotationsCarryTheLocationAndTitle) {
  const auto commands = to_github(testing::sample_report(), options()).commands;
  EXPECT_EQ(
      "::error "
      "file=db/migrations/V2__orders.sql,line=4,endLine=4,col=8,endColumn=11,title=replay/"
      "statement-failed::column "
      "\"nam\" does not exist%0Ahint: Perhaps you meant to reference the column \"orders.name\".",
      line_with(commands, "replay/statement-failed"));
  EXPECT_EQ(
      "::notice file=db/migrations/V3__later.sql,title=history/pending (staging)::migration 3 is "
      "not applied in staging yet",
      line_with(commands, "history/pending"));
}

TEST(GitHubReport, FindingsWithoutAFileGoOnTheFallbackPathOrNone) {
  auto o = options();
  const auto on_fallback = to_github(testing::sample_report(), o).commands;
  EXPECT_EQ(0u, line_with(on_fallback, "title=drift/unexpected-column (model)")
                    .find("::error file=db/migrations,title=drift/unexpected-column (model)::"));
  o.fallback_path.clear();
  const auto without = to_github(testing::sample_report(), o).commands;
  EXPECT_EQ(0u, line_with(without, "drift/unexpected-column")
                    .find("::error title=drift/unexpected-column (model)::"));
}

TEST(GitHubReport, EscapesMessagesAndProperties) {
  const auto commands = to_github(testing::sample_report(), options()).commands;
  const std::string line = line_with(commands, "title=drift/changed-column");
  EXPECT_EQ(
      "::error file=db/migrations,title=drift/changed-column (staging)::column public.users.email: "
      "type is character varying(50) in staging, character varying(200) from the migrations; "
      "100%25 sure, a,b:c%0D%0Asecond line red",
      line);
  EXPECT_EQ(std::string::npos, commands.find('\r'));
  EXPECT_EQ(std::string::npos, commands.find('\x1b'));
  EXPECT_EQ(std::string::npos, commands.find('\x01'));

  Finding f = finding("drift/changed-column", Severity::error, "50%\nline");
  f.location = Location{"db/we:ird,name%.sql", 2, 0, 0, 0};
  f.target = "st:ag,e";
  const auto escaped = to_github(report_of({f}), options()).commands;
  EXPECT_EQ(
      "::error file=db/we%3Aird%2Cname%25.sql,line=2,title=drift/changed-column "
      "(st%3Aag%2Ce)::50%25%0Aline\n",
      escaped);
}

TEST(GitHubReport, AFileNameWithANewlineStaysOneCommand) {
  Finding f = finding("lint/drop-column", Severity::error, "DROP COLUMN email");
  f.location = Location{"db/V2__a\n::error::x\r.sql", 2, 0, 0, 0};
  const auto commands = to_github(report_of({f}), options()).commands;
  EXPECT_EQ("::error file=db/V2__a%0A%3A%3Aerror%3A%3Ax%0D.sql,line=2,title=lint/drop-column::DROP COLUMN email\n",
            commands);
}

TEST(GitHubReport, MostSevereFirst) {
  const auto lines = lines_of(to_github(testing::sample_report(), options()).commands);
  std::vector<std::string> kinds;
  for (const auto& line : lines) kinds.push_back(line.substr(0, line.find(' ')));
  EXPECT_EQ((std::vector<std::string>{"::error", "::error", "::error", "::error", "::warning",
                                      "::notice"}),
            kinds);
}

TEST(GitHubReport, AtMostTenPerTypeThenOneNotice) {
  std::vector<Finding> findings;
  for (int i = 0; i < 25; ++i) {
    Finding f = finding("replay/statement-failed", Severity::error, "failure " + std::to_string(i));
    f.location = Location{"db/migrations/V" + std::to_string(100 + i) + "__x.sql", 1, 1, 0, 0};
    findings.push_back(f);
  }
  const auto lines = lines_of(to_github(report_of(findings), options()).commands);
  ASSERT_EQ(11u, lines.size());
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(0u, lines[i].find("::error ")) << lines[i];
  EXPECT_EQ(
      "::notice title=pgdrift::15 more findings not shown as annotations (GitHub shows at most 10 "
      "per type); see the job summary or reports/pgdrift.xml, reports/pgdrift.sarif",
      lines[10]);
}

TEST(GitHubReport, OverflowKeepsASlotForTheMoreNotice) {
  std::vector<Finding> findings;
  for (int i = 0; i < 12; ++i) {
    findings.push_back(finding("history/failed", Severity::error, "e" + std::to_string(i)));
    findings.push_back(finding("history/unknown", Severity::warning, "w" + std::to_string(i)));
    findings.push_back(finding("history/pending", Severity::notice, "n" + std::to_string(i)));
  }
  const auto lines = lines_of(to_github(report_of(findings), options()).commands);
  std::size_t errors = 0, warnings = 0, notices = 0;
  for (const auto& line : lines) {
    errors += line.rfind("::error ", 0) == 0;
    warnings += line.rfind("::warning ", 0) == 0;
    notices += line.rfind("::notice ", 0) == 0;
  }
  EXPECT_EQ(10u, errors);
  EXPECT_EQ(10u, warnings);
  EXPECT_EQ(10u, notices) << "9 findings and the one saying how many more";
  EXPECT_NE(std::string::npos, lines.back().find("::7 more findings not shown"));

  findings.resize(30);  // 10 of each: nothing hidden, no extra notice
  const auto exact = lines_of(to_github(report_of(findings), options()).commands);
  EXPECT_EQ(30u, exact.size());
  EXPECT_EQ(std::string::npos, exact.back().find("more finding"));
}

TEST(GitHubReport, Outputs) {
  const auto out = to_github(testing::sample_report(), options());
  EXPECT_EQ((std::map<std::string, std::string>{{"drift-detected", "true"},
                                                {"exit-code", "1"},
                                                {"findings", "6"},
                                                {"junit-path", "reports/pgdrift.xml"},
                                                {"sarif-path", "reports/pgdrift.sarif"}}),
            out.outputs);

  const auto quiet =
      to_github(report_of({finding("drift/not-checked", Severity::notice, "not checked"),
                           finding("drift/target-skipped", Severity::notice, "skipped"),
                           finding("drift/changed-column-order", Severity::notice, "order")}),
                GitHubOptions{});
  EXPECT_EQ("false", quiet.outputs.at("drift-detected"));
  EXPECT_EQ("0", quiet.outputs.at("exit-code"));
  EXPECT_EQ("3", quiet.outputs.at("findings"));
  EXPECT_EQ(3u, quiet.outputs.size()) << "no report paths given, none invented";

  auto warned = report_of({finding("drift/unexpected-index", Severity::warning, "ghost")});
  EXPECT_EQ("true", to_github(warned, GitHubOptions{}).outputs.at("drift-detected"));
  EXPECT_EQ("0", to_github(warned, GitHubOptions{}).outputs.at("exit-code"));
  warned.error_exit_code = 3;
  EXPECT_EQ("3", to_github(warned, GitHubOptions{}).outputs.at("exit-code"));
  EXPECT_EQ("false", to_github(report_of({finding("history/failed", Severity::error, "x")}), {})
                         .outputs.at("drift-detected"));
}

TEST(GitHubReport, SummaryShowsChecksEveryFindingAndFixes) {
  const std::string summary = to_github(testing::sample_report(), options()).summary;
  EXPECT_EQ(0u, summary.find("## pgdrift verify: failed (exit 1)\n"));
  EXPECT_NE(std::string::npos, summary.find("| replay | — | 2 | 1 | 0 | 1 |"));
  EXPECT_NE(std::string::npos, summary.find("| drift | staging | 0 | 1 | 0 | 2 |"));
  EXPECT_NE(std::string::npos, summary.find("| drift | production | 0 | 0 | 1 | 1 |"));
  EXPECT_NE(std::string::npos, summary.find("| history | staging | 1 | 0 | 0 | 1 |"));
  for (const char* text :
       {"column \"nam\" does not exist<br>detail: SQLSTATE 42703<br>context: &lt;line 4&gt; &amp; "
        "more",
        "index public.users.users_email_ghost exists in staging",
        "100% sure, a,b:c<br>second line red |",
        "target production: cannot connect to postgresql://deploy:\\*\\*\\*@db:5432/app: timeout",
        "migration 3 is not applied in staging yet",
        "the model declares column public.users.nickname but no migration creates it"}) {
    EXPECT_NE(std::string::npos, summary.find(text)) << text;
  }
  EXPECT_NE(std::string::npos, summary.find("```sql\nDROP INDEX public.users_email_ghost;\n```\n"));
  EXPECT_EQ(std::string::npos, summary.find('\x1b'));
  EXPECT_EQ(std::string::npos, summary.find('\r'));
  EXPECT_EQ(std::string::npos, summary.find("truncated"));
}

TEST(GitHubReport, HugeSummaryIsTruncatedUnderOneMebibyteWithANote) {
  std::vector<Finding> findings;
  for (int i = 0; i < 20000; ++i) {
    Finding f = finding("drift/changed-column", Severity::error,
                        "column public.t" + std::to_string(i) + ".c: " + std::string(150, 'x'));
    f.target = "staging";
    f.object = "column public.t" + std::to_string(i) + ".c";
    f.fix = "ALTER TABLE public.t" + std::to_string(i) + " ALTER COLUMN c TYPE text;";
    findings.push_back(f);
  }
  const auto out = to_github(report_of(findings), options());
  EXPECT_LT(out.summary.size(), 1024u * 1024u);
  EXPECT_GT(out.summary.size(), 1000u * 1000u) << "fills the budget before cutting";
  EXPECT_NE(std::string::npos, out.summary.find("**Summary truncated** at GitHub's 1 MiB limit"));
  EXPECT_NE(std::string::npos, out.summary.find(" of 20000 findings shown"));
  EXPECT_EQ(11u, lines_of(out.commands).size());
  EXPECT_EQ("20000", out.outputs.at("findings"));
}

TEST(GitHubReport, IsDeterministic) {
  const auto a = to_github(testing::sample_report(), options());
  const auto b = to_github(testing::sample_report(), options());
  EXPECT_EQ(a.commands, b.commands);
  EXPECT_EQ(a.summary, b.summary);
  EXPECT_EQ(a.outputs, b.outputs);
}

}  // namespace
}  // namespace pgdrift::report
