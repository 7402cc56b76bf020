#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "pgdrift/report/ci_formats.hpp"
#include "pgdrift/util/hash.hpp"
#include "unit/report_sample.hpp"

namespace pgdrift::report {
namespace {

using testing::expect_golden;

using nlohmann::json;


json sarif_of(const Report& report) { return json::parse(to_sarif(report)); }

// The findings of `report` that have a file: SARIF results; the others are notifications.
std::vector<const Finding*> located(const Report& report) {
  std::vector<const Finding*> out;
  for (const auto& f : report.findings) {
    if (f.location && !f.location->file.empty()) out.push_back(&f);
  }
  return out;
}

const json& notification_for(const json& sarif, const std::string& rule) {
  for (const auto& n : sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]) {
    if (n.contains("associatedRule") && n["associatedRule"]["id"] == rule) return n;
  }
  static const json none;
  ADD_FAILURE() << "no notification for " << rule;
  return none;
}

const json& result_for(const json& sarif, const std::string& rule) {
  for (const auto& r : sarif["runs"][0]["results"]) {
    if (r["ruleId"] == rule) return r;
  }
  static const json none;
  ADD_FAILURE() << "no result for " << rule;
  return none;
}

TEST(SarifReport, MatchesGolden) {
  expect_golden("sarif.json", to_sarif(testing::sample_report()));
}

TEST(SarifReport, HasEveryRequiredField) {
  const auto report = testing::sample_report();
  const json sarif = sarif_of(report);
  EXPECT_EQ("https://json.schemastore.org/sarif-2.1.0.json", sarif["$schema"]);
  EXPECT_EQ("2.1.0", sarif["version"]);
  ASSERT_EQ(1u, sarif["runs"].size());
  const json& run = sarif["runs"][0];
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ("pgdrift", driver["name"]);
  EXPECT_EQ("0.1.0", driver["version"]);
  ASSERT_TRUE(driver["informationUri"].is_string());
  EXPECT_EQ(0u, driver["informationUri"].get<std::string>().rfind("https://", 0));

  const json& rules = driver["rules"];
  ASSERT_TRUE(rules.is_array());
  std::set<std::string> rule_ids;
  for (const auto& rule : rules) {
    const std::string id = rule["id"];
    EXPECT_TRUE(rule_ids.insert(id).second) << "duplicate rule " << id;
    for (const char* field : {"shortDescription", "fullDescription", "help"}) {
      ASSERT_TRUE(rule[field]["text"].is_string()) << id << " " << field;
      EXPECT_FALSE(rule[field]["text"].get<std::string>().empty()) << id << " " << field;
    }
  }

  const json& results = run["results"];
  ASSERT_EQ(located(report).size(), results.size());
  const json& notifications = run["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(report.findings.size() - results.size(), notifications.size());
  EXPECT_EQ(true, run["invocations"][0]["executionSuccessful"]);
  std::set<std::string> used;
  for (const auto& n : notifications) used.insert(n["associatedRule"]["id"].get<std::string>());
  for (const auto& r : results) {
    const std::string id = r["ruleId"];
    used.insert(id);
    ASSERT_TRUE(r["ruleIndex"].is_number_integer()) << id;
    const auto index = r["ruleIndex"].get<std::size_t>();
    ASSERT_LT(index, rules.size()) << id;
    EXPECT_EQ(id, rules[index]["id"]) << "ruleIndex points at its rule";
    const std::string level = r["level"];
    EXPECT_TRUE(level == "error" || level == "warning" || level == "note") << level;
    EXPECT_FALSE(r["message"]["text"].get<std::string>().empty()) << id;
    ASSERT_EQ(1u, r["locations"].size()) << id;
    const json& physical = r["locations"][0]["physicalLocation"];
    const std::string uri = physical["artifactLocation"]["uri"];
    EXPECT_FALSE(uri.empty()) << id;
    EXPECT_EQ(std::string::npos, uri.find('\\')) << uri;
    EXPECT_NE('/', uri.front()) << "repo-relative: " << uri;
    EXPECT_EQ("%SRCROOT%", physical["artifactLocation"]["uriBaseId"]) << id;
    if (physical.contains("region")) {
      for (const char* field : {"startLine", "startColumn", "endLine", "endColumn"}) {
        if (physical["region"].contains(field)) {
          EXPECT_GE(physical["region"][field].get<int>(), 1) << id << field;
        }
      }
      EXPECT_TRUE(physical["region"].contains("startLine")) << id;
    }
    ASSERT_TRUE(r["partialFingerprints"]["pgdrift/v2"].is_string()) << id;
    EXPECT_EQ(64u, r["partialFingerprints"]["pgdrift/v2"].get<std::string>().size()) << id;
  }
  EXPECT_EQ(used, rule_ids) << "rules[] lists exactly the rules the results and notifications use";
  EXPECT_TRUE(run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"].is_string());
}

TEST(SarifReport, ResultsFollowTheReportOrderWithTheirLevels) {
  const auto report = testing::sample_report();
  const json results = sarif_of(report)["runs"][0]["results"];
  const auto findings = located(report);
  ASSERT_EQ(findings.size(), results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(findings[i]->rule, results[i]["ruleId"]);
    const char* expected = findings[i]->severity == Severity::error     ? "error"
                           : findings[i]->severity == Severity::warning ? "warning"
                                                                        : "note";
    EXPECT_EQ(expected, results[i]["level"]) << findings[i]->rule;
  }
}

TEST(SarifReport, LocatedFindingHasItsRegion) {
  const json r = result_for(sarif_of(testing::sample_report()), "replay/statement-failed");
  const json& physical = r["locations"][0]["physicalLocation"];
  EXPECT_EQ("db/migrations/V2__orders.sql", physical["artifactLocation"]["uri"]);
  EXPECT_EQ(json({{"startLine", 4}, {"startColumn", 8}, {"endLine", 4}, {"endColumn", 11}}),
            physical["region"]);
  EXPECT_EQ(
      "column \"nam\" does not exist\nhint: Perhaps you meant to reference the column "
      "\"orders.name\".",
      r["message"]["text"]);
}

TEST(SarifReport, FileWithoutLineHasNoRegion) {
  const json r = result_for(sarif_of(testing::sample_report()), "history/pending");
  const json& location = r["locations"][0];
  EXPECT_EQ("db/migrations/V3__later.sql", location["physicalLocation"]["artifactLocation"]["uri"]);
  EXPECT_FALSE(location["physicalLocation"].contains("region"));
  EXPECT_EQ("migration 3 (later)", location["logicalLocations"][0]["fullyQualifiedName"]);
}

TEST(SarifReport, FindingWithoutFileIsANotificationNeverAResultOnADirectory) {
  const json sarif = sarif_of(testing::sample_report());
  for (const auto& r : sarif["runs"][0]["results"]) EXPECT_NE("drift/changed-column", r["ruleId"]) << r.dump(2);
  const json& n = notification_for(sarif, "drift/changed-column");
  EXPECT_EQ("error", n["level"]);
  EXPECT_FALSE(n["locations"][0].contains("physicalLocation"));
  EXPECT_EQ(json::array({{{"fullyQualifiedName", "column public.users.email"}, {"kind", "object"}}}),
            n["locations"][0]["logicalLocations"]);
  EXPECT_EQ("staging", n["properties"]["target"]);
  EXPECT_EQ("ALTER TABLE public.users ALTER COLUMN email TYPE character varying(200);", n["properties"]["fix"]);
  // An unreachable target names no object: no location at all.
  EXPECT_FALSE(notification_for(sarif, "drift/target-unreachable").contains("locations"));
}

TEST(SarifReport, MessagesLoseAnsiEscapesAndControlCharacters) {
  const json n = notification_for(sarif_of(testing::sample_report()), "drift/changed-column");
  const std::string text = n["message"]["text"];
  EXPECT_NE(std::string::npos, text.find("100% sure, a,b:c\nsecond line red")) << text;
  EXPECT_EQ(std::string::npos, text.find('\x1b'));
  EXPECT_EQ(std::string::npos, text.find('\x01'));
  EXPECT_EQ(std::string::npos, text.find('\r'));
}

TEST(SarifReport, FingerprintIsRuleFileObjectPropertyTargetNotTheLine) {
  auto report = testing::sample_report();
  const json before = result_for(sarif_of(report), "replay/statement-failed");
  using namespace std::string_literals;
  EXPECT_EQ(util::sha256_hex("replay/statement-failed\0db/migrations/V2__orders.sql\0\0\0\0column \"nam\" does not exist"s),
            before["partialFingerprints"]["pgdrift/v2"]);
  for (auto& f : report.findings) {
    if (f.location) f.location->line += 10;
  }
  const json after = result_for(sarif_of(report), "replay/statement-failed");
  EXPECT_EQ(before["partialFingerprints"], after["partialFingerprints"]);
}

TEST(SarifReport, TwoDifferencesOnOneColumnHaveTwoFingerprints) {
  Report report;
  for (const char* property : {"type", "default"}) {
    Finding f;
    f.rule = "drift/changed-column";
    f.message = std::string("column public.users.email: ") + property + " differs";
    f.object = "column public.users.email";
    f.property = property;
    f.target = "production";
    f.location = Location{"db/V1__users.sql", 3, 0, 0, 0};
    report.findings.push_back(f);
  }
  report.findings.push_back(report.findings.back());  // the very same finding twice: still unique
  const json results = sarif_of(report)["runs"][0]["results"];
  ASSERT_EQ(3u, results.size());
  std::set<std::string> fingerprints;
  for (const auto& r : results) fingerprints.insert(r["partialFingerprints"]["pgdrift/v2"].get<std::string>());
  EXPECT_EQ(3u, fingerprints.size());
  EXPECT_EQ("type", results[0]["properties"]["property"]);
}

TEST(SarifReport, RulesAreDescribedFromTheReadmeTable) {
  Report report;
  report.tool_version = "0.1.0";
  for (const char* rule :
       {"drift/unexpected-index", "drift/missing-materialized-view", "drift/renamed-column",
        "drift/changed-column-order", "history/checksum-mismatch", "lint/something-new", "lint/drop-column",
        "destructive/narrow-type"}) {
    Finding f;
    f.rule = rule;
    f.message = "m";
    report.findings.push_back(f);
  }
  const json rules = sarif_of(report)["runs"][0]["tool"]["driver"]["rules"];
  std::map<std::string, json> by_id;
  for (const auto& rule : rules) by_id[rule["id"]] = rule;
  ASSERT_EQ(8u, by_id.size());
  EXPECT_NE(std::string::npos,
            by_id["drift/unexpected-index"]["shortDescription"]["text"].get<std::string>().find(
                "index exists that no migration creates"));
  EXPECT_EQ("warning", by_id["drift/unexpected-index"]["defaultConfiguration"]["level"]);
  EXPECT_NE(
      std::string::npos,
      by_id["drift/missing-materialized-view"]["shortDescription"]["text"].get<std::string>().find(
          "materialized view the migrations create is missing"));
  EXPECT_NE(
      std::string::npos,
      by_id["drift/renamed-column"]["shortDescription"]["text"].get<std::string>().find("renamed"));
  EXPECT_EQ("note", by_id["drift/changed-column-order"]["defaultConfiguration"]["level"]);
  EXPECT_NE(std::string::npos,
            by_id["history/checksum-mismatch"]["fullDescription"]["text"].get<std::string>().find(
                "checksum"));
  EXPECT_FALSE(by_id["lint/something-new"]["help"]["text"].get<std::string>().empty());
  // Lint rules are described by the rule's own why and safe alternative.
  EXPECT_EQ("Migration safety: drop-column (drops and renames).", by_id["lint/drop-column"]["shortDescription"]["text"]);
  EXPECT_EQ(0u, by_id["lint/drop-column"]["fullDescription"]["text"].get<std::string>().find("DROP COLUMN erases"));
  EXPECT_EQ("error", by_id["lint/drop-column"]["defaultConfiguration"]["level"]);
  EXPECT_NE(std::string::npos, by_id["destructive/narrow-type"]["help"]["text"].get<std::string>().find("Widen only"));
}

TEST(SarifReport, UrisAreRepoRelativeWithForwardSlashesAndEncoded) {
  Report report;
  Finding f;
  f.rule = "replay/statement-failed";
  f.message = "m";
  f.location = Location{".\\db\\my migrations\\V1#a.sql", 1, 1, 0, 0};
  report.findings.push_back(f);
  const json r = sarif_of(report)["runs"][0]["results"][0];
  EXPECT_EQ(json({{"uri", "db/my%20migrations/V1%23a.sql"}, {"uriBaseId", "%SRCROOT%"}}),
            r["locations"][0]["physicalLocation"]["artifactLocation"]);
  // An absolute path stays a file:// URI, with no base.
  report.findings[0].location->file = "/srv/app/V1.sql";
  EXPECT_EQ(json({{"uri", "file:///srv/app/V1.sql"}}),
            sarif_of(report)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]);
  EXPECT_EQ(json({{"startLine", 1}, {"startColumn", 1}}),
            r["locations"][0]["physicalLocation"]["region"]);
}

TEST(SarifReport, CleanRunHasEmptyResultsAndRules) {
  Report report;
  report.tool_version = "0.1.0";
  const json run = sarif_of(report)["runs"][0];
  EXPECT_EQ(json::array(), run["results"]);
  EXPECT_EQ(json::array(), run["tool"]["driver"]["rules"]);
}

}  // namespace
}  // namespace pgdrift::report
