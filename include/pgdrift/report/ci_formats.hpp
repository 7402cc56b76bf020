#pragma once

#include <map>
#include <string>

#include "pgdrift/report/report.hpp"

namespace pgdrift::report {

// JUnit XML: one <testsuite> per check family and target (replay, lint, drift <target>, model,
// history <target>). A check with findings is one <testcase> per file its findings are in (one
// for those without a file); a check without findings is one passing <testcase> (lint: one per
// rule, not per rule and file). <failure> only for findings at or above report.fail_on (text:
// one "path:line: severity: message [rule]" per finding), lower ones in <system-out>;
// infrastructure problems as <error>. So failures + errors is 0 exactly when the exit code is.
// Control characters and ANSI escapes are stripped; everything is XML-escaped.
std::string to_junit(const Report& report);

// GitLab Code Quality: a JSON array of {description, check_name, fingerprint, severity
// (info|minor|major|critical|blocker), location: {path, lines: {begin}}}. Fingerprints are unique
// per finding and stable across commits (rule + file + object + target, never the line number).
// Findings without a file are attached to `fallback_path` (the migrations directory or model file).
std::string to_gitlab_code_quality(const Report& report, const std::string& fallback_path);

// SARIF 2.1.0: one run with tool.driver {name, version, informationUri, rules[]},
// originalUriBaseIds {"%SRCROOT%": the checkout}, and results {ruleId, level, message.text,
// locations[].physicalLocation {artifactLocation {uri relative to %SRCROOT%, uriBaseId}, region}
// (+ logicalLocations naming the object), partialFingerprints} for the findings located in a file.
// Findings without a file (a target's ghost object, an unreachable target) are
// invocations[0].toolExecutionNotifications[] naming their rule: GitHub code scanning rejects a
// whole upload when one result has no physical location. Fingerprints are unique per finding.
std::string to_sarif(const Report& report);

// What a GitHub Actions step gets.
struct GitHubOutput {
  std::string commands;  // ::error/::warning/::notice workflow commands for findings located in a
                         // file, most severe first, those on new migrations first within a type, at
                         // most 10 per type, then one ::notice saying how many were not annotated
  std::string summary;   // Markdown job summary (under 1 MiB, truncated with a note)
  std::map<std::string, std::string> outputs;  // exit-code, findings, drift-detected, report paths
};

struct GitHubOptions {
  std::map<std::string, std::string> report_paths;  // e.g. {"junit-path": "r.xml", "sarif-path": "r.sarif"}
};

// The job summary: counts per target, what fails the run (grouped by target, each with its rules'
// hints once and the target's whole fix script), the other findings on new migrations, the rest
// in one table (rows naming their target) in a collapsed <details>.
GitHubOutput to_github(const Report& report, const GitHubOptions& options);

}  // namespace pgdrift::report
