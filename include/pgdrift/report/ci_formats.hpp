#pragma once

#include <map>
#include <string>

#include "pgdrift/report/report.hpp"

namespace pgdrift::report {

// JUnit XML: one <testsuite> per check family and target (replay, drift <target>, model,
// history <target>), one <testcase> per Check, failures as <failure> (text starting with
// "path:line: " and saying what to do), infrastructure problems as <error>. Counts match the
// children; control characters and ANSI escapes are stripped; everything is XML-escaped.
std::string to_junit(const Report& report);

// GitLab Code Quality: a JSON array of {description, check_name, fingerprint, severity
// (info|minor|major|critical|blocker), location: {path, lines: {begin}}}. Fingerprints are unique
// per finding and stable across commits (rule + file + object + target, never the line number).
// Findings without a file are attached to `fallback_path` (the migrations directory or model file).
std::string to_gitlab_code_quality(const Report& report, const std::string& fallback_path);

// SARIF 2.1.0: one run with tool.driver {name, version, informationUri, rules[]} and results
// {ruleId, level, message.text, locations[].physicalLocation {artifactLocation.uri, region}
// (+ logicalLocations naming the object), partialFingerprints}. Findings without a file are
// attached to `fallback_path` with a logical location naming the object.
std::string to_sarif(const Report& report, const std::string& fallback_path);

// What a GitHub Actions step gets.
struct GitHubOutput {
  std::string commands;  // ::error/::warning/::notice workflow commands, most severe first, at most
                         // 10 per type, then one ::notice saying how many more and where to see them
  std::string summary;   // Markdown job summary (under 1 MiB, truncated with a note)
  std::map<std::string, std::string> outputs;  // exit-code, findings, drift-detected, report paths
};

struct GitHubOptions {
  std::map<std::string, std::string> report_paths;  // e.g. {"junit-path": "r.xml", "sarif-path": "r.sarif"}
  std::string fallback_path;                        // file for findings without one
};

GitHubOutput to_github(const Report& report, const GitHubOptions& options);

}  // namespace pgdrift::report
