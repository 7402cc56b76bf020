#include <gtest/gtest.h>

#include <algorithm>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pgdrift/report/ci_formats.hpp"
#include "unit/report_sample.hpp"

namespace pgdrift::report {
namespace {

using testing::expect_golden;

// The parsed document as plain data, so assertions read like the XML.
struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // concatenated character data of direct children
  std::vector<Element> children;

  std::vector<const Element*> all(const std::string& child) const {
    std::vector<const Element*> out;
    for (const auto& c : children) {
      if (c.name == child) out.push_back(&c);
    }
    return out;
  }
  const Element* first(const std::string& child) const {
    const auto found = all(child);
    return found.empty() ? nullptr : found.front();
  }
  std::string attr(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? "<missing " + key + ">" : it->second;
  }
};

std::string to_string(const xmlChar* s) {
  return s == nullptr ? "" : reinterpret_cast<const char*>(s);
}

Element convert(const xmlNode* node) {
  Element e;
  e.name = to_string(node->name);
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    xmlChar* value = xmlNodeListGetString(node->doc, a->children, 1);
    e.attributes[to_string(a->name)] = to_string(value);
    xmlFree(value);
  }
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) e.children.push_back(convert(c));
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      e.text += to_string(c->content);
  }
  return e;
}

// Parses with libxml2 (well-formedness errors fail the test), returning the root element.
Element parse(const std::string& xml) {
  xmlResetLastError();
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "junit.xml", "UTF-8",
                    XML_PARSE_NONET),
      &xmlFreeDoc);
  const xmlError* error = xmlGetLastError();
  EXPECT_EQ(nullptr, error) << (error != nullptr && error->message != nullptr ? error->message : "")
                            << "\n"
                            << xml;
  if (!doc) return {};
  return convert(xmlDocGetRootElement(doc.get()));
}


int count_attr(const Element& e, const std::string& key) { return std::stoi(e.attr(key)); }

// Every count on <testsuites> and <testsuite> equals what its children show.
void expect_counts_match(const Element& root) {
  int tests = 0, failures = 0, errors = 0;
  for (const Element* suite : root.all("testsuite")) {
    int suite_failures = 0, suite_errors = 0, suite_skipped = 0;
    const auto cases = suite->all("testcase");
    for (const Element* c : cases) {
      const int outcomes = static_cast<int>(c->all("failure").size() + c->all("error").size() +
                                            c->all("skipped").size());
      EXPECT_LE(outcomes, 1) << c->attr("name");
      suite_failures += static_cast<int>(c->all("failure").size());
      suite_errors += static_cast<int>(c->all("error").size());
      suite_skipped += static_cast<int>(c->all("skipped").size());
      EXPECT_EQ(suite->attr("name"), c->attr("classname"));
    }
    EXPECT_EQ(static_cast<int>(cases.size()), count_attr(*suite, "tests")) << suite->attr("name");
    EXPECT_EQ(suite_failures, count_attr(*suite, "failures")) << suite->attr("name");
    EXPECT_EQ(suite_errors, count_attr(*suite, "errors")) << suite->attr("name");
    EXPECT_EQ(suite_skipped, count_attr(*suite, "skipped")) << suite->attr("name");
    tests += static_cast<int>(cases.size());
    failures += suite_failures;
    errors += suite_errors;
  }
  EXPECT_EQ(tests, count_attr(root, "tests"));
  EXPECT_EQ(failures, count_attr(root, "failures"));
  EXPECT_EQ(errors, count_attr(root, "errors"));
}

// No control character but '\n' and '\t', and no ESC, anywhere in text or attribute values.
void expect_clean(const Element& e) {
  auto check = [&](const std::string& s, const std::string& where) {
    for (const char c : s) {
      const auto b = static_cast<unsigned char>(c);
      EXPECT_FALSE((b < 0x20 && c != '\n' && c != '\t') || b == 0x7F)
          << "byte " << int{b} << " in " << where;
    }
  };
  check(e.text, e.name);
  for (const auto& [key, value] : e.attributes) check(value, e.name + "@" + key);
  for (const auto& c : e.children) expect_clean(c);
}

const Element* find_suite(const Element& root, const std::string& name) {
  for (const Element* s : root.all("testsuite")) {
    if (s->attr("name") == name) return s;
  }
  return nullptr;
}

const Element* find_case(const Element& suite, const std::string& name) {
  for (const Element* c : suite.all("testcase")) {
    if (c->attr("name") == name) return c;
  }
  return nullptr;
}

TEST(ReportJunit, MatchesTheGoldenFile) {
  expect_golden("junit.xml", to_junit(testing::sample_report()));
}

TEST(ReportJunit, IsWellFormedWithCountsMatchingChildrenAndNoControlCharacters) {
  const Element root = parse(to_junit(testing::sample_report()));
  EXPECT_EQ("testsuites", root.name);
  EXPECT_EQ("pgdrift", root.attr("name"));
  EXPECT_EQ("1.234", root.attr("time"));  // seconds, 3 decimals
  expect_counts_match(root);
  expect_clean(root);
  std::vector<std::string> suites;
  for (const Element* s : root.all("testsuite")) suites.push_back(s->attr("name"));
  EXPECT_EQ((std::vector<std::string>{"replay", "drift staging", "drift production", "model",
                                      "history staging"}),
            suites);
  EXPECT_EQ("7", root.attr("tests"));
  EXPECT_EQ("3", root.attr("failures"));  // V2, drift staging, model
  EXPECT_EQ("1", root.attr("errors"));    // production unreachable
}

TEST(ReportJunit, ReplayFailureTextStartsWithPathAndLineAndSaysWhatToDo) {
  const Element root = parse(to_junit(testing::sample_report()));
  const Element* replay = find_suite(root, "replay");
  ASSERT_NE(nullptr, replay);
  EXPECT_EQ("0.016", replay->attr("time"));

  const Element* passed = find_case(*replay, "db/migrations/V1__users.sql");
  ASSERT_NE(nullptr, passed);
  EXPECT_TRUE(passed->children.empty());
  EXPECT_EQ("db/migrations/V1__users.sql", passed->attr("file"));

  const Element* failed = find_case(*replay, "db/migrations/V2__orders.sql");
  ASSERT_NE(nullptr, failed);
  EXPECT_EQ("replay", failed->attr("classname"));
  EXPECT_EQ("db/migrations/V2__orders.sql", failed->attr("file"));
  EXPECT_EQ("0.003", failed->attr("time"));
  const Element* failure = failed->first("failure");
  ASSERT_NE(nullptr, failure);
  EXPECT_EQ("column \"nam\" does not exist", failure->attr("message"));
  EXPECT_EQ("replay/statement-failed", failure->attr("type"));
  EXPECT_EQ(
      "db/migrations/V2__orders.sql:4: error: column \"nam\" does not exist "
      "[replay/statement-failed]\n"
      "  detail: SQLSTATE 42703\n"
      "    context: <line 4> & more\n"
      "  hint: Perhaps you meant to reference the column \"orders.name\".",
      failure->text);

  const Element* skipped = find_case(*replay, "db/migrations/V3__later.sql");
  ASSERT_NE(nullptr, skipped);
  EXPECT_NE(nullptr, skipped->first("skipped"));
  EXPECT_EQ(nullptr, skipped->first("failure"));
}

TEST(ReportJunit, DriftFailureListsEveryFindingWithItsFixAndStripsEscapes) {
  const Element root = parse(to_junit(testing::sample_report()));
  const Element* staging = find_suite(root, "drift staging");
  ASSERT_NE(nullptr, staging);
  const Element* c = find_case(*staging, "staging");
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(0u, c->attributes.count("file"));
  EXPECT_EQ("0.040", c->attr("time"));
  const Element* failure = c->first("failure");
  ASSERT_NE(nullptr, failure);
  EXPECT_EQ("drift/changed-column", failure->attr("type"));
  EXPECT_EQ(
      "column public.users.email: type is character varying(50) in staging, character varying(200) "
      "from the "
      "migrations; 100% sure, a,b:c\nsecond line red",
      failure->attr("message"));
  EXPECT_EQ(
      "error: column public.users.email: type is character varying(50) in staging, character "
      "varying(200) "
      "from the migrations; 100% sure, a,b:c\nsecond line red [drift/changed-column]\n"
      "  fix: ALTER TABLE public.users ALTER COLUMN email TYPE character varying(200);",
      failure->text);
  // The ghost index is a warning: below --fail-on error, listed but no failure.
  ASSERT_NE(nullptr, c->first("system-out"));
  EXPECT_EQ(
      "warning: index public.users.users_email_ghost exists in staging but no migration creates it "
      "[drift/unexpected-index]\n"
      "  hint: write a migration for it if it should stay, or drop it from staging\n"
      "  fix: DROP INDEX public.users_email_ghost;",
      c->first("system-out")->text);

  const Element* model = find_case(*find_suite(root, "model"), "model");
  ASSERT_NE(nullptr, model);
  ASSERT_NE(nullptr, model->first("failure"));
  EXPECT_EQ("drift/unexpected-column", model->first("failure")->attr("type"));
}

TEST(ReportJunit, UnreachableTargetIsAnErrorAndNoticesAloneDoNotFail) {
  const Element root = parse(to_junit(testing::sample_report()));
  const Element* production = find_case(*find_suite(root, "drift production"), "production");
  ASSERT_NE(nullptr, production);
  EXPECT_EQ(nullptr, production->first("failure"));
  const Element* error = production->first("error");
  ASSERT_NE(nullptr, error);
  EXPECT_EQ("target production: cannot connect to postgresql://deploy:***@db:5432/app: timeout",
            error->attr("message"));
  EXPECT_EQ("drift/target-unreachable", error->attr("type"));
  EXPECT_EQ("target production: cannot connect to postgresql://deploy:***@db:5432/app: timeout",
            error->text);

  // The pending notice is located at its migration: the case is the check and that file.
  const Element* history = find_case(*find_suite(root, "history staging"), "staging db/migrations/V3__later.sql");
  ASSERT_NE(nullptr, history);
  EXPECT_EQ(nullptr, history->first("failure"));
  EXPECT_EQ(nullptr, history->first("error"));
  ASSERT_NE(nullptr, history->first("system-out"));
  EXPECT_EQ(
      "db/migrations/V3__later.sql: notice: migration 3 is not applied in staging yet "
      "[history/pending]",
      history->first("system-out")->text);
}

TEST(ReportJunit, SpecialCharactersRoundTripThroughAParser) {
  const std::string tricky = "a & b < c > d \"e\" 'f'\tg\nh ]]> i";
  Report r;
  r.checks = {{"replay", tricky, "db/it's & <it>.sql", "", 1, false, "", ""}};
  Finding f;
  f.rule = "replay/statement-failed";
  f.message = tricky;
  f.hint = "use \"quotes\" & <brackets>";
  f.location = Location{"db/it's & <it>.sql", 2, 1, 2, 5};
  r.findings = {f};
  const Element root = parse(to_junit(r));
  const Element* c = find_case(*find_suite(root, "replay"), tricky);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ("db/it's & <it>.sql", c->attr("file"));
  ASSERT_NE(nullptr, c->first("failure"));
  EXPECT_EQ(tricky, c->first("failure")->attr("message"));
  EXPECT_EQ("db/it's & <it>.sql:2: error: " + tricky +
                " [replay/statement-failed]\n  hint: use \"quotes\" & <brackets>",
            c->first("failure")->text);
}

TEST(ReportJunit, StripsEveryKindOfEscapeAndInvalidBytes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\x1b[1;31mbold red\x1b[0m", "bold red"},
      {"\x1b]8;;https://example.com\x07link\x1b]8;;\x1b\\ text", "link text"},
      {"bell\x07 back\x08 nul", "bell back nul"},
      {"cr\r\nlf", "cr\nlf"},
      {"c1 \xc2\x9b[31m x", "c1 [31m x"},
      {"bad \xff byte", "bad \xEF\xBF\xBD byte"},
      {"ok é ✓ \t tab", "ok é ✓ \t tab"},
      {"dangling \x1b", "dangling "},
  };
  for (const auto& [input, expected] : cases) {
    Report r;
    r.checks = {{"model", "model", "", "model", 0, false, "", ""}};
    Finding f;
    f.rule = "drift/unexpected-table";
    f.message = input;
    f.target = "model";
    r.findings = {f};
    const Element root = parse(to_junit(r));
    expect_clean(root);
    const Element* c = find_case(*find_suite(root, "model"), "model");
    ASSERT_NE(nullptr, c);
    ASSERT_NE(nullptr, c->first("failure"));
    EXPECT_EQ(expected, c->first("failure")->attr("message")) << input;
  }
}

TEST(ReportJunit, CleanRunShowsPassingCases) {
  Report r = testing::sample_report();
  r.findings.clear();
  r.checks[4].error = false;
  const Element root = parse(to_junit(r));
  expect_counts_match(root);
  EXPECT_EQ("7", root.attr("tests"));
  EXPECT_EQ("0", root.attr("failures"));
  EXPECT_EQ("0", root.attr("errors"));
}

TEST(ReportJunit, FindingsNoCheckClaimsStillFail) {
  Report r = testing::sample_report();
  Finding warning;
  warning.rule = "replay/server-warning";
  warning.severity = Severity::error;  // raised by lint.severity / drift.severity
  warning.message = "there is already a transaction in progress";
  r.findings.insert(r.findings.begin(), warning);
  const Element root = parse(to_junit(r));
  expect_counts_match(root);
  const Element* other = find_case(*find_suite(root, "replay"), "other findings");
  ASSERT_NE(nullptr, other);
  ASSERT_NE(nullptr, other->first("failure"));
  EXPECT_EQ("error: there is already a transaction in progress [replay/server-warning]",
            other->first("failure")->text);
}

TEST(ReportJunit, FailuresOnlyAtOrAboveFailOnSoTheCountsAgreeWithTheExitCode) {
  Report r = testing::sample_report();
  r.checks.erase(r.checks.begin() + 4);  // production reachable: only findings decide
  r.findings.erase(std::remove_if(r.findings.begin(), r.findings.end(),
                                  [](const Finding& f) { return f.severity == Severity::error; }),
                   r.findings.end());
  ASSERT_EQ(0, exit_code(r));
  Element root = parse(to_junit(r));
  expect_counts_match(root);
  EXPECT_EQ("0", root.attr("failures")) << "warnings and notices do not fail at --fail-on error";
  EXPECT_EQ("0", root.attr("errors"));
  r.fail_on = Severity::warning;
  ASSERT_EQ(1, exit_code(r));
  root = parse(to_junit(r));
  expect_counts_match(root);
  EXPECT_EQ("1", root.attr("failures")) << "the ghost index fails drift staging at --fail-on warning";
}

TEST(ReportJunit, LintIsOneCasePerRuleThatPassedAndOnePerRuleAndFileWithFindings) {
  Report r;
  r.command = "lint";
  for (const char* file : {"db/V1__a.sql", "db/V2__b.sql", "db/V3__c.sql"}) {
    for (const char* rule : {"lint/drop-column", "lint/missing-lock-timeout"}) {
      Check check;
      check.family = "lint";
      check.name = std::string(file) + " " + rule;
      check.file = file;
      check.rule = rule;
      r.checks.push_back(check);
    }
  }
  Finding f;
  f.rule = "lint/drop-column";
  f.message = "DROP COLUMN erases data";
  f.location = Location{"db/V2__b.sql", 4, 1, 0, 0};
  r.findings = {f};
  const Element root = parse(to_junit(r));
  expect_counts_match(root);
  EXPECT_EQ("2", root.attr("tests")) << "not 6: rules x files";
  const Element* lint = find_suite(root, "lint");
  ASSERT_NE(nullptr, lint);
  const Element* failing = find_case(*lint, "db/V2__b.sql lint/drop-column");
  ASSERT_NE(nullptr, failing);
  EXPECT_EQ("db/V2__b.sql:4: error: DROP COLUMN erases data [lint/drop-column]", failing->first("failure")->text);
  const Element* passed = find_case(*lint, "lint/missing-lock-timeout");
  ASSERT_NE(nullptr, passed);
  EXPECT_EQ(nullptr, passed->first("failure"));
}

TEST(ReportJunit, RunThatStoppedEarlyIsAnError) {
  Report r;
  r.command = "replay";
  r.error_exit_code = 3;
  r.error_message = "no PostgreSQL server binaries found";
  r.error_hint = "install postgresql or use --backend docker";
  const Element root = parse(to_junit(r));
  expect_counts_match(root);
  EXPECT_EQ("1", root.attr("errors"));
  const Element* c = find_case(*find_suite(root, "run"), "pgdrift replay");
  ASSERT_NE(nullptr, c);
  ASSERT_NE(nullptr, c->first("error"));
  EXPECT_EQ("infrastructure", c->first("error")->attr("type"));
  EXPECT_EQ(
      "no PostgreSQL server binaries found\n  hint: install postgresql or use --backend docker",
      c->first("error")->text);
}

}  // namespace
}  // namespace pgdrift::report
