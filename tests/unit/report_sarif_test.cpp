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


json sarif_of(const Report& report, const std::string& fallback = "db/migrations") {
  return json::parse(to_sarif(report, fallback));
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
  expect_golden("sarif.json", to_sarif(testing::sample_report(), "db/migrations"));
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
  ASSERT_EQ(report.findings.size(), results.size());
  std::set<std::string> used;
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
    if (physical.contains("region")) {
      for (const char* field : {"startLine", "startColumn", "endLine", "endColumn"}) {
        if (physical["region"].contains(field)) {
          EXPECT_GE(physical["region"][field].get<int>(), 1) << id << field;
        }
      }
      EXPECT_TRUE(physical["region"].contains("startLine")) << id;
    }
    ASSERT_TRUE(r["partialFingerprints"]["pgdrift/v1"].is_string()) << id;
    EXPECT_EQ(64u, r["partialFingerprints"]["pgdrift/v1"].get<std::string>().size()) << id;
  }
  EXPECT_EQ(used, rule_ids) << "rules[] lists exactly the rules the results use";
}

TEST(SarifReport, ResultsFollowTheReportOrderWithTheirLevels) {
  const auto report = testing::sample_report();
  const json results = sarif_of(report)["runs"][0]["results"];
  ASSERT_EQ(report.findings.size(), results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(report.findings[i].rule, results[i]["ruleId"]);
    const char* expected = report.findings[i].severity == Severity::error     ? "error"
                           : report.findings[i].severity == Severity::warning ? "warning"
                                                                              : "note";
    EXPECT_EQ(expected, results[i]["level"]) << report.findings[i].rule;
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

TEST(SarifReport, FindingWithoutFileGoesToTheFallbackWithALogicalLocation) {
  const json r =
      result_for(sarif_of(testing::sample_report(), "db/schema.sql"), "drift/changed-column");
  const json& location = r["locations"][0];
  EXPECT_EQ("db/schema.sql", location["physicalLocation"]["artifactLocation"]["uri"]);
  EXPECT_FALSE(location["physicalLocation"].contains("region"));
  EXPECT_EQ(
      json::array({{{"fullyQualifiedName", "column public.users.email"}, {"kind", "object"}}}),
      location["logicalLocations"]);
  EXPECT_EQ("staging", r["properties"]["target"]);
  EXPECT_EQ("ALTER TABLE public.users ALTER COLUMN email TYPE character varying(200);",
            r["properties"]["fix"]);
}

TEST(SarifReport, MessagesLoseAnsiEscapesAndControlCharacters) {
  const json r = result_for(sarif_of(testing::sample_report()), "drift/changed-column");
  const std::string text = r["message"]["text"];
  EXPECT_NE(std::string::npos, text.find("100% sure, a,b:c\nsecond line red")) << text;
  EXPECT_EQ(std::string::npos, text.find('\x1b'));
  EXPECT_EQ(std::string::npos, text.find('\x01'));
  EXPECT_EQ(std::string::npos, text.find('\r'));
}

TEST(SarifReport, FingerprintIsRuleFileObjectTargetNotTheLine) {
  auto report = testing::sample_report();
  const json before = result_for(sarif_of(report), "replay/statement-failed");
  EXPECT_EQ(util::sha256_hex("replay/statement-failed|db/migrations/V2__orders.sql||"),
            before["partialFingerprints"]["pgdrift/v1"]);
  const json ghost = result_for(sarif_of(report), "drift/unexpected-index");
  EXPECT_EQ(
      util::sha256_hex("drift/unexpected-index||index public.users.users_email_ghost|staging"),
      ghost["partialFingerprints"]["pgdrift/v1"]);
  for (auto& f : report.findings) {
    if (f.location) f.location->line += 10;
  }
  const json after = result_for(sarif_of(report), "replay/statement-failed");
  EXPECT_EQ(before["partialFingerprints"], after["partialFingerprints"]);
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
  EXPECT_EQ("db/my%20migrations/V1%23a.sql",
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]);
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
