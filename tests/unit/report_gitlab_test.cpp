#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "pgdrift/report/ci_formats.hpp"
#include "unit/report_sample.hpp"

namespace pgdrift::report {
namespace {

using testing::expect_golden;

using nlohmann::json;


std::set<std::string> keys(const json& object) {
  std::set<std::string> out;
  for (const auto& item : object.items()) out.insert(item.key());
  return out;
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::vector<std::string> fingerprints(const Report& r) {
  std::vector<std::string> out;
  for (const auto& issue : json::parse(to_gitlab_code_quality(r, "db/migrations"))) {
    out.push_back(issue.at("fingerprint").get<std::string>());
  }
  return out;
}

TEST(ReportGitLab, MatchesTheGoldenFile) {
  expect_golden("gitlab.json", to_gitlab_code_quality(testing::sample_report(), "db/migrations"));
}

TEST(ReportGitLab, EveryFieldOfEveryEntry) {
  struct Expected {
    std::string description;
    std::string severity;
    std::string path;
    int begin;
  };
  const std::map<std::string, Expected> expected = {
      {"replay/statement-failed",
       {"column \"nam\" does not exist", "major", "db/migrations/V2__orders.sql", 4}},
      {"drift/unexpected-index",
       {"index public.users.users_email_ghost exists in staging but no migration creates it "
        "[staging]",
        "minor", "db/migrations", 1}},
      {"drift/changed-column",
       {"column public.users.email: type is character varying(50) in staging, character "
        "varying(200) from the "
        "migrations; 100% sure, a,b:c\nsecond line red [staging]",
        "major", "db/migrations", 1}},
      {"drift/target-unreachable",
       {"target production: cannot connect to postgresql://deploy:***@db:5432/app: timeout "
        "[production]",
        "major", "db/migrations", 1}},
      {"history/pending",
       {"migration 3 is not applied in staging yet [staging]", "info",
        "db/migrations/V3__later.sql", 1}},
      {"drift/unexpected-column",
       {"the model declares column public.users.nickname but no migration creates it [model]",
        "major", "db/migrations", 1}},
  };
  const json issues =
      json::parse(to_gitlab_code_quality(testing::sample_report(), "db/migrations"));
  ASSERT_TRUE(issues.is_array());
  ASSERT_EQ(expected.size(), issues.size());
  std::set<std::string> seen_rules;
  std::set<std::string> seen_fingerprints;
  for (const auto& issue : issues) {
    ASSERT_TRUE(issue.is_object());
    EXPECT_EQ(
        (std::set<std::string>{"description", "check_name", "fingerprint", "severity", "location"}),
        keys(issue));
    const auto rule = issue.at("check_name").get<std::string>();
    ASSERT_EQ(1u, expected.count(rule)) << rule;
    seen_rules.insert(rule);
    const Expected& e = expected.at(rule);
    EXPECT_EQ(e.description, issue.at("description").get<std::string>()) << rule;
    EXPECT_EQ(e.severity, issue.at("severity").get<std::string>()) << rule;
    const auto fingerprint = issue.at("fingerprint").get<std::string>();
    EXPECT_TRUE(is_sha256_hex(fingerprint)) << fingerprint;
    seen_fingerprints.insert(fingerprint);
    const json& location = issue.at("location");
    EXPECT_EQ((std::set<std::string>{"path", "lines"}), keys(location));
    EXPECT_EQ(e.path, location.at("path").get<std::string>()) << rule;
    EXPECT_EQ((std::set<std::string>{"begin"}), keys(location.at("lines")));
    ASSERT_TRUE(location.at("lines").at("begin").is_number_integer()) << rule;
    EXPECT_EQ(e.begin, location.at("lines").at("begin").get<int>()) << rule;
  }
  EXPECT_EQ(expected.size(), seen_rules.size());
  EXPECT_EQ(expected.size(), seen_fingerprints.size());
}

TEST(ReportGitLab, FingerprintsIgnoreLineNumbersButNotTheObject) {
  const Report original = testing::sample_report();
  Report moved = original;
  for (auto& f : moved.findings) {
    if (f.location)
      f.location = Location{f.location->file, f.location->line + 12, 3, f.location->line + 13, 9};
  }
  EXPECT_EQ(fingerprints(original), fingerprints(moved));

  Report renamed = original;
  for (auto& f : renamed.findings) {
    if (f.rule == "drift/unexpected-index") f.object = "index public.users.users_email_other";
  }
  const auto a = fingerprints(original);
  const auto b = fingerprints(renamed);
  int differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differing += a[i] != b[i];
  EXPECT_EQ(1, differing);
}

TEST(ReportGitLab, FindingsWithoutObjectAreToldApartByMessage) {
  Report r;
  Finding first;
  first.rule = "replay/statement-failed";
  first.message = "column \"nam\" does not exist";
  first.location = Location{"db/migrations/V2__orders.sql", 4, 8, 4, 11};
  Finding second = first;
  second.message = "relation \"order\" does not exist";
  second.location->line = 9;
  r.findings = {first, second};
  const auto prints = fingerprints(r);
  ASSERT_EQ(2u, prints.size());
  EXPECT_NE(prints[0], prints[1]);
}

TEST(ReportGitLab, IdenticalFindingsGetDistinctStableFingerprints) {
  Finding f;
  f.rule = "drift/changed-column";
  f.severity = Severity::warning;
  f.message = "column public.t.a: default differs";
  f.object = "column public.t.a";
  f.target = "staging";
  Report single;
  single.findings = {f};
  Report twice;
  twice.findings = {f, f, f};
  const auto one = fingerprints(single);
  const auto three = fingerprints(twice);
  ASSERT_EQ(3u, three.size());
  EXPECT_EQ(one[0], three[0]);  // the first keeps the fingerprint it has alone
  EXPECT_EQ(3u, std::set<std::string>(three.begin(), three.end()).size());
  EXPECT_EQ(three, fingerprints(twice));
}

TEST(ReportGitLab, EmptyReportIsAnEmptyArray) {
  EXPECT_EQ("[]\n", to_gitlab_code_quality(Report{}, "db/migrations"));
}

}  // namespace
}  // namespace pgdrift::report
