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

TEST(GitHubReport, FindingsWithoutAFileAreSummaryOnlyAndCounted) {
  const auto out = to_github(testing::sample_report(), options());
  // The ghost index, the changed column, the unreachable target and the model's column have no
  // source line: no annotation (never one on the migrations directory), but in the summary.
  for (const char* rule : {"drift/unexpected-index", "drift/changed-column", "drift/target-unreachable",
                           "drift/unexpected-column"}) {
    EXPECT_EQ(std::string::npos, out.commands.find(std::string("title=") + rule)) << out.commands;
    EXPECT_NE(std::string::npos, out.summary.find(rule)) << rule;
  }
  EXPECT_EQ(std::string::npos, out.commands.find("file=db/migrations,")) << out.commands;
  EXPECT_EQ(
      "::notice title=pgdrift::4 findings are not annotated (4 without a source line); see the job summary or "
      "reports/pgdrift.xml, reports/pgdrift.sarif",
      lines_of(out.commands).back());
  EXPECT_NE(std::string::npos, out.summary.find(" 4 findings are not annotated (4 without a source line).\n"))
      << out.summary;
}

TEST(GitHubReport, WithinATypeFindingsOnNewMigrationsComeFirst) {
  std::vector<Finding> findings;
  for (int i = 0; i < 12; ++i) {
    Finding f = finding("lint/missing-lock-timeout", Severity::warning, "old " + std::to_string(i));
    f.location = Location{"db/V0" + std::to_string(10 + i) + "__old.sql", 1, 1, 0, 0};
    findings.push_back(f);
  }
  Finding fresh = finding("lint/non-concurrent-index", Severity::warning, "on the new migration");
  fresh.location = Location{"db/V99__new.sql", 3, 1, 0, 0};
  findings.push_back(fresh);
  auto report = report_of(findings);
  report.judged.present = true;
  report.judged.narrowed = true;
  report.judged.new_files = {"db/V99__new.sql"};
  const auto lines = lines_of(to_github(report, options()).commands);
  ASSERT_EQ(11u, lines.size());
  EXPECT_EQ(0u, lines[0].find("::warning file=db/V99__new.sql,line=3,col=1,")) << lines[0];
  EXPECT_NE(std::string::npos, lines[10].find("3 findings are not annotated (3 over GitHub's limit of 10 per type)"));
}

TEST(GitHubReport, EscapesMessagesAndProperties) {
  const auto commands = to_github(testing::sample_report(), options()).commands;
  auto located = testing::sample_report();
  for (auto& f : located.findings) {
    if (f.rule == "drift/changed-column") f.location = Location{"db/migrations/V1__users.sql", 3, 0, 0, 0};
  }
  const std::string line = line_with(to_github(located, options()).commands, "title=drift/changed-column");
  EXPECT_EQ(
      "::error file=db/migrations/V1__users.sql,line=3,title=drift/changed-column (staging)::column "
      "public.users.email: type is character varying(50) in staging, character varying(200) from the migrations; "
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
  EXPECT_EQ((std::vector<std::string>{"::error", "::notice", "::notice"}), kinds)
      << "the statement failure, the pending migration, then how many were not annotated";
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
      "::notice title=pgdrift::15 findings are not annotated (15 over GitHub's limit of 10 per type); see the "
      "job summary or reports/pgdrift.xml, reports/pgdrift.sarif",
      lines[10]);
}

TEST(GitHubReport, OverflowKeepsASlotForTheMoreNotice) {
  std::vector<Finding> findings;
  for (int i = 0; i < 12; ++i) {
    findings.push_back(finding("history/failed", Severity::error, "e" + std::to_string(i)));
    findings.push_back(finding("history/unknown", Severity::warning, "w" + std::to_string(i)));
    findings.push_back(finding("history/pending", Severity::notice, "n" + std::to_string(i)));
  }
  for (std::size_t i = 0; i < findings.size(); ++i)
    findings[i].location = Location{"db/V" + std::to_string(i) + "__x.sql", 0, 0, 0, 0};
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
  EXPECT_NE(std::string::npos, lines.back().find("::7 findings are not annotated"));

  findings.resize(30);  // 10 of each: nothing hidden, no extra notice
  const auto exact = lines_of(to_github(report_of(findings), options()).commands);
  EXPECT_EQ(30u, exact.size());
  EXPECT_EQ(std::string::npos, exact.back().find("not annotated"));
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

TEST(GitHubReport, SummaryShowsCountsEveryFindingAndFixes) {
  const std::string summary = to_github(testing::sample_report(), options()).summary;
  EXPECT_EQ(0u, summary.find("## pgdrift verify: failed (exit 1)\n"));
  EXPECT_NE(std::string::npos,
            summary.find("**staging**: 1 difference, 1 index created by hand, 1 notice · **production**: unreachable · "
                         "**model**: 1 difference · **migrations**: 1 error\n"))
      << summary;
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
  // One script for staging: the changed column's fix and the ghost index's, in one block.
  EXPECT_NE(std::string::npos,
            summary.find("```sql\nALTER TABLE public.users ALTER COLUMN email TYPE character varying(200);\nDROP INDEX "
                         "public.users_email_ghost;\n```\n"))
      << summary;
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
  EXPECT_EQ(1u, lines_of(out.commands).size()) << "no source lines: only the notice counting them";
  EXPECT_EQ("20000", out.outputs.at("findings"));
}

TEST(GitHubReport, SummaryPutsWhatFailsFirstByTargetWithHintsOnceAndCountsOnTop) {
  std::vector<Finding> findings;
  for (const char* column : {"a", "b"}) {
    Finding f = finding("drift/missing-column", Severity::error, std::string("column public.t.") + column + " is missing in production");
    f.target = "production";
    f.object = std::string("column public.t.") + column;
    f.hint = "apply the migration that creates it to production (see `pgdrift status`)";
    f.fix = std::string("ALTER TABLE public.t ADD COLUMN ") + column + " text;";
    findings.push_back(f);
  }
  Finding ghost = finding("drift/unexpected-index", Severity::warning, "index public.t.ghost exists in staging");
  ghost.target = "staging";
  ghost.fix = "DROP INDEX public.ghost;";
  findings.push_back(ghost);
  Finding lint = finding("lint/non-concurrent-index", Severity::warning, "CREATE INDEX without CONCURRENTLY");
  lint.location = Location{"db/V9__new.sql", 3, 1, 0, 0};
  findings.push_back(lint);
  const std::string summary = to_github(report_of(findings), options()).summary;
  EXPECT_NE(std::string::npos,
            summary.find("**production**: 2 differences · **staging**: 1 index created by hand · **migrations**: 1 "
                         "warning\n"))
      << summary;
  const auto errors = summary.find("### Errors · target production: 2 findings");
  const auto fresh = summary.find("### New migrations: 1 finding");
  const auto details = summary.find("<details><summary>Other findings: 1</summary>");
  const auto staging = summary.find("| warning | `drift/unexpected-index` | **staging** |");
  ASSERT_NE(std::string::npos, errors) << summary;
  EXPECT_LT(errors, fresh) << summary;
  EXPECT_LT(fresh, details) << summary;
  EXPECT_LT(details, staging) << summary;
  // The hint once, its command as code (not an escaped backtick).
  EXPECT_NE(std::string::npos,
            summary.find("- `drift/missing-column`: apply the migration that creates it to production (see `pgdrift "
                         "status`)\n"))
      << summary;
  EXPECT_EQ(summary.find("apply the migration"), summary.rfind("apply the migration")) << summary;
  EXPECT_EQ(std::string::npos, summary.find("\\`")) << summary;
  EXPECT_NE(std::string::npos,
            summary.find("```sql\nALTER TABLE public.t ADD COLUMN a text;\nALTER TABLE public.t ADD COLUMN b text;\n```"))
      << summary;

  // A whole script given for the target replaces the findings' own fixes.
  auto with_script = report_of(findings);
  with_script.fix_scripts["production"] = "ALTER TABLE public.t ADD COLUMN a text, ADD COLUMN b text;";
  const std::string scripted = to_github(with_script, options()).summary;
  EXPECT_NE(std::string::npos, scripted.find("```sql\nALTER TABLE public.t ADD COLUMN a text, ADD COLUMN b text;\n```"));
  EXPECT_EQ(std::string::npos, scripted.find("ADD COLUMN a text;\n"));
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
