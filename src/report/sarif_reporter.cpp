#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "ci_text.hpp"
#include "pgdrift/lint/lint.hpp"
#include "pgdrift/report/ci_formats.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::report {

namespace {

using nlohmann::ordered_json;

bool is_absolute(const std::string& path) { return !path.empty() && (path[0] == '/' || path[0] == '\\'); }

constexpr const char* k_schema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char* k_information_uri = "https://github.com/pgdrift/pgdrift";

// What SARIF's rules[] says about one rule id; texts follow the README's "Rules" table.
struct RuleText {
  std::string short_description;
  std::string full_description;
  std::string help;
  std::string level;  // the rule's default level; empty when unknown
};

const std::map<std::string, RuleText, std::less<>>& fixed_rules() {
  static const std::map<std::string, RuleText, std::less<>> rules = {
      {"replay/statement-failed",
       {"A migration statement failed.",
        "Postgres rejected a statement while the migrations were replayed into an empty database "
        "(also a failure at COMMIT, and a migration that leaves its own transaction open). The "
        "detail holds the message, DETAIL, CONTEXT and SQLSTATE; the hint holds Postgres's HINT.",
        "Fix the statement at the reported line so that every migration applies to an empty "
        "database, in order.",
        "error"}},
      {"replay/server-warning",
       {"The server raised a WARNING while a statement ran.",
        "The server raised a WARNING while a migration statement ran (for example \"there is "
        "already a transaction in progress\").",
        "Read the warning: it usually points at a statement that does not do what the migration "
        "intends.",
        "warning"}},
      {"replay/command-failed",
       {"The migration command failed.",
        "migrations.command exited non-zero or timed out; the detail holds the end of its output.",
        "Run the command locally against an empty database and fix what its output reports.",
        "error"}},
      {"drift/changed-comment",
       {"A comment differs from what the migrations define.",
        "An object's comment in the target differs from the one the migrations produce (only with "
        "drift.compare: [comments]).",
        "Write a migration that sets the comment, or apply the fix SQL to the target.", "warning"}},
      {"drift/changed-privileges",
       {"Privileges differ from what the migrations define.",
        "An object's privileges in the target differ from the ones the migrations produce (only "
        "with drift.compare: [privileges]).",
        "Write a migration that grants or revokes them, or apply the fix SQL to the target.",
        "warning"}},
      {"drift/changed-column-order",
       {"Columns are in a different order.",
        "A table's columns are in a different order in the target than the migrations produce "
        "(only with drift.compare: [column-order]).",
        "Column order only matters to SELECT * and positional INSERTs; recreate the table if it "
        "matters to you.",
        "note"}},
      {"drift/not-checked",
       {"Drift was not checked.",
        "The migrations do not replay, so no target was compared with them.",
        "Fix the replay findings first; drift is checked once the migrations apply.", "note"}},
      {"drift/target-skipped",
       {"A target was skipped.",
        "A target has an empty URL, so it was not compared with the migrations.",
        "Set the target's URL (usually from a CI secret) or remove the target.", "note"}},
      {"drift/target-unreachable",
       {"A target could not be read.",
        "A target database could not be connected to or read; the run exits 3 and the other "
        "targets are still checked.",
        "Check the target's URL, network access and credentials; pgdrift only needs read access.",
        "error"}},
      {"history/pending",
       {"A migration is not applied on the target yet.",
        "A migration in the repository is not applied on the target yet; its objects are not "
        "counted as drift.",
        "Deploy the migration, or ignore this notice if the deployment is still to come.", "note"}},
      {"history/unknown",
       {"A migration is applied on the target but not in the repository.",
        "The target's history table records a migration that the repository does not have.",
        "Add the missing migration file to the repository, or find out who applied it.",
        "warning"}},
      {"history/checksum-mismatch",
       {"A migration file changed after it was applied.",
        "The checksum of a migration file differs from the one recorded when it was applied on the "
        "target.",
        "Restore the file as it was applied and put the change in a new migration.", "error"}},
      {"history/failed",
       {"A migration failed on the target.",
        "The migration tool recorded a failed or dirty migration in the target's history table.",
        "Repair the target (finish or revert the migration) and mark it fixed with the migration "
        "tool.",
        "error"}},
      {"history/no-history-table",
       {"The target has no history table.",
        "The target has no history table for the migrations format; it is compared with every "
        "migration.",
        "Nothing to do when the target is new; otherwise check the configured format and history "
        "table.",
        "note"}},
      {"history/unreadable",
       {"The history table could not be read.",
        "The target's role may not read the history table; drift is still checked.",
        "Grant the role SELECT on the history table to compare the target's history too.",
        "warning"}},
  };
  return rules;
}

// drift/<change>-<kind> (e.g. drift/unexpected-materialized-view), described by its change.
std::optional<RuleText> drift_rule(std::string_view id) {
  constexpr std::string_view prefix = "drift/";
  if (!util::starts_with(id, prefix)) return std::nullopt;
  const std::string_view rest = id.substr(prefix.size());
  const auto dash = rest.find('-');
  if (dash == std::string_view::npos || dash + 1 >= rest.size()) return std::nullopt;
  const std::string_view change = rest.substr(0, dash);
  std::string kind(rest.substr(dash + 1));
  for (char& c : kind) {
    if (c == '-') c = ' ';
  }
  const std::string a_kind =
      (std::string("aeiou").find(kind[0]) != std::string::npos ? "An " : "A ") + kind;
  const std::string lower_a_kind = "a" + a_kind.substr(1);
  if (change == "missing") {
    return RuleText{
        a_kind + " the migrations create is missing.",
        a_kind +
            " that the migrations create is missing in the target (or, for the model, the model "
            "lacks it).",
        "Apply the migration that creates it to the target (the fix SQL creates it), or write a "
        "migration that drops it if it was removed on purpose.",
        "error"};
  }
  if (change == "unexpected") {
    return RuleText{
        a_kind + " exists that no migration creates.",
        a_kind +
            " exists only in the target (created by hand, or by a migration that is not in the "
            "repository); for the model: the model declares it but no migration creates it.",
        "Write a migration that creates it if it should stay, or drop it from the target (the fix "
        "SQL does).",
        kind == "index" ? "warning" : "error"};
  }
  if (change == "changed") {
    return RuleText{
        a_kind + " differs from what the migrations define.",
        "A property of " + lower_a_kind +
            " differs between the target and the schema the migrations produce; the message names "
            "the property with both values.",
        "Write a migration that makes the change, or bring the target in line with the fix SQL.",
        "error"};
  }
  if (change == "renamed") {
    return RuleText{
        a_kind + " looks renamed.",
        "A missing and an unexpected " + kind + " in the target look like one " + kind +
            " renamed.",
        "Rename it back in the target (the fix SQL does), or write a migration that renames it.",
        "error"};
  }
  return std::nullopt;
}

std::string_view level_of(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::notice:
      return "note";
  }
  return "note";
}

// "why" and "hint" of a lint rule (lint/… or destructive/…) as sentences.
std::string sentence(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  if (!text.empty() && text.back() != '.') text += '.';
  return text;
}

std::optional<RuleText> lint_rule(const std::string& id) {
  if (!util::starts_with(id, "lint/") && !util::starts_with(id, "destructive/")) return std::nullopt;
  const lint::RuleInfo* info = lint::find_rule(id);
  if (info == nullptr) return std::nullopt;
  return RuleText{"Migration safety: " + info->id + " (" + info->category + ").", sentence(info->why),
                  sentence(info->hint), std::string(level_of(info->severity))};
}

RuleText rule_text(const std::string& id) {
  const auto& fixed = fixed_rules();
  if (const auto it = fixed.find(id); it != fixed.end()) return it->second;
  if (auto drift = drift_rule(id)) return *drift;
  if (auto lint = lint_rule(id)) return *lint;
  return RuleText{"pgdrift rule " + id + ".", "A finding of pgdrift's rule " + id + ".",
                  "See the finding's message, detail and hint.", ""};
}

constexpr const char* k_srcroot = "%SRCROOT%";

// A path as a URI reference: forward slashes, no leading "./", everything outside RFC 3986's
// unreserved and path characters percent-encoded (':' too, so it never reads as a scheme).
// Absolute paths become file:// URIs.
std::string to_uri(const std::string& path) {
  std::string p = path;
  for (char& c : p) {
    if (c == '\\') c = '/';
  }
  while (util::starts_with(p, "./")) p.erase(0, 2);
  static constexpr std::string_view keep = "-._~!$&'()*+,;=@/";
  std::string out = is_absolute(path) ? "file://" : "";
  for (const char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || keep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      static constexpr char hex[] = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    }
  }
  return out;
}

ordered_json rule_json(const std::string& id) {
  const RuleText text = rule_text(id);
  ordered_json rule;
  rule["id"] = id;
  rule["shortDescription"] = {{"text", text.short_description}};
  rule["fullDescription"] = {{"text", text.full_description}};
  rule["help"] = {{"text", text.help}};
  if (!text.level.empty()) rule["defaultConfiguration"] = {{"level", text.level}};
  return rule;
}

bool has_file(const Finding& f) { return f.location && !f.location->file.empty(); }

// Where a finding is: its file (relative to %SRCROOT%, the checkout, unless absolute) and region,
// plus a logical location naming the object.
ordered_json location_json(const Finding& f) {
  ordered_json location = ordered_json::object();
  if (has_file(f)) {
    const Location& l = *f.location;
    ordered_json artifact;
    artifact["uri"] = to_uri(l.file);
    if (!is_absolute(l.file)) artifact["uriBaseId"] = k_srcroot;
    ordered_json physical;
    physical["artifactLocation"] = std::move(artifact);
    if (l.line > 0) {
      ordered_json region;
      region["startLine"] = l.line;
      if (l.column > 0) region["startColumn"] = l.column;
      if (l.end_line > 0) region["endLine"] = l.end_line;
      if (l.end_column > 0) region["endColumn"] = l.end_column;
      physical["region"] = std::move(region);
    }
    location["physicalLocation"] = std::move(physical);
  }
  if (!f.object.empty()) {
    location["logicalLocations"] = ordered_json::array({{{"fullyQualifiedName", f.object}, {"kind", "object"}}});
  }
  return location;
}

std::string message_text(const Finding& f) {
  std::string text = strip_control(f.message);
  if (!f.hint.empty()) text += "\nhint: " + strip_control(f.hint);
  return text;
}

ordered_json properties_json(const Finding& f) {
  ordered_json properties = ordered_json::object();
  if (!f.target.empty()) properties["target"] = f.target;
  if (!f.object.empty()) properties["object"] = f.object;
  if (!f.property.empty()) properties["property"] = f.property;
  if (!f.detail.empty()) properties["detail"] = strip_control(f.detail);
  if (!f.fix.empty()) properties["fix"] = strip_control(f.fix);
  return properties;
}

// What identifies a finding across commits: rule, file, object, property and target, never the
// line number (moving a statement keeps the alert); without an object, the message. Fields are
// NUL-separated so they cannot run together.
std::string fingerprint_key(const Finding& f) {
  std::string key = f.rule;
  for (const std::string* field : {&f.location->file, &f.object, &f.property, &f.target}) {
    key += '\0';
    key += *field;
  }
  if (f.object.empty()) {
    key += '\0';
    key += f.message;
  }
  return key;
}

ordered_json result_json(const Finding& f, int rule_index, std::set<std::string>& fingerprints) {
  ordered_json result;
  result["ruleId"] = f.rule;
  result["ruleIndex"] = rule_index;
  result["level"] = std::string(level_of(f.severity));
  result["message"] = {{"text", message_text(f)}};
  result["locations"] = ordered_json::array({location_json(f)});
  // Two findings with one key (the same rule on the same object, twice) still get distinct
  // fingerprints: the later ones have their occurrence number hashed in, in report order.
  const std::string key = fingerprint_key(f);
  std::string fingerprint = util::sha256_hex(key);
  for (int occurrence = 2; fingerprints.count(fingerprint) != 0; ++occurrence)
    fingerprint = util::sha256_hex(key + '\0' + std::to_string(occurrence));
  fingerprints.insert(fingerprint);
  result["partialFingerprints"] = {{"pgdrift/v2", fingerprint}};
  if (auto properties = properties_json(f); !properties.empty()) result["properties"] = std::move(properties);
  return result;
}

// A finding without a file (a target's ghost object, an unreachable target): a notification of
// the run, naming its rule, since GitHub code scanning rejects results without a physical location.
ordered_json notification_json(const Finding& f, int rule_index) {
  ordered_json notification;
  notification["level"] = std::string(level_of(f.severity));
  notification["message"] = {{"text", message_text(f)}};
  if (!f.object.empty()) notification["locations"] = ordered_json::array({location_json(f)});
  notification["associatedRule"] = {{"id", f.rule}, {"index", rule_index}};
  if (auto properties = properties_json(f); !properties.empty()) notification["properties"] = std::move(properties);
  return notification;
}

}  // namespace

std::string to_sarif(const Report& given) {
  const Report report = without_secrets(given);
  // rules[] lists every rule the results and notifications use, sorted by id; ruleIndex points
  // into it.
  std::map<std::string, int> rule_index;
  for (const auto& f : report.findings) rule_index.emplace(f.rule, 0);
  ordered_json rules = ordered_json::array();
  for (auto& [id, index] : rule_index) {
    index = static_cast<int>(rules.size());
    rules.push_back(rule_json(id));
  }

  ordered_json results = ordered_json::array();
  ordered_json notifications = ordered_json::array();
  std::set<std::string> fingerprints;
  for (const auto& f : report.findings) {
    if (has_file(f)) {
      results.push_back(result_json(f, rule_index.at(f.rule), fingerprints));
    } else {
      notifications.push_back(notification_json(f, rule_index.at(f.rule)));
    }
  }
  if (report.error_exit_code != 0) {
    std::string text = strip_control(report.error_message);
    if (!report.error_hint.empty()) text += "\nhint: " + strip_control(report.error_hint);
    notifications.push_back({{"level", "error"}, {"message", {{"text", text}}}});
  }

  ordered_json driver;
  driver["name"] = "pgdrift";
  driver["version"] = report.tool_version;
  driver["informationUri"] = k_information_uri;
  driver["rules"] = std::move(rules);

  ordered_json invocation;
  invocation["executionSuccessful"] = report.error_exit_code == 0;
  invocation["exitCode"] = exit_code(report);
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);

  ordered_json run;
  run["tool"] = {{"driver", std::move(driver)}};
  run["invocations"] = ordered_json::array({std::move(invocation)});
  // Relative URIs are relative to the checkout; GitHub resolves them against the repository root.
  run["originalUriBaseIds"] = {
      {k_srcroot, {{"description", {{"text", "The directory pgdrift ran in: the repository root in CI."}}}}}};
  run["columnKind"] = "unicodeCodePoints";  // Location columns count code points
  run["results"] = std::move(results);

  ordered_json sarif;
  sarif["$schema"] = k_schema;
  sarif["version"] = "2.1.0";
  sarif["runs"] = ordered_json::array({std::move(run)});
  return sarif.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace pgdrift::report
