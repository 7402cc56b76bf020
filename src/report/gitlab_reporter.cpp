#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ci_text.hpp"
#include "pgdrift/report/ci_formats.hpp"
#include "pgdrift/util/hash.hpp"

namespace pgdrift::report {

namespace {

// Code Quality has five levels; pgdrift uses three of them.
std::string_view code_quality_severity(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "major";
    case Severity::warning:
      return "minor";
    case Severity::notice:
      return "info";
  }
  return "info";
}

// What identifies a finding across commits: rule, file, object, property and target, never the line. Without
// an object the message tells findings apart. Fields are NUL-separated so they cannot run together.
std::string fingerprint_key(const Finding& f) {
  std::string key = f.rule;
  key += '\0';
  key += f.location ? f.location->file : std::string();
  key += '\0';
  key += f.object;
  key += '\0';
  key += f.target;
  if (!f.property.empty()) {  // only then, so fingerprints without one stay as they were
    key += '\0';
    key += f.property;
  }
  if (f.object.empty()) {
    key += '\0';
    key += f.message;
  }
  return key;
}

}  // namespace

std::string to_gitlab_code_quality(const Report& given, const std::string& fallback_path) {
  const Report report = without_secrets(given);
  nlohmann::ordered_json issues = nlohmann::ordered_json::array();
  std::set<std::string> used;
  for (const Finding& f : report.findings) {
    // Two findings with the same key (the same rule on the same object, twice) still need distinct
    // fingerprints: the later ones get their occurrence number hashed in, in report order.
    const std::string key = fingerprint_key(f);
    std::string fingerprint = util::sha256_hex(key);
    for (int occurrence = 2; used.count(fingerprint) != 0; ++occurrence) {
      fingerprint = util::sha256_hex(key + '\0' + std::to_string(occurrence));
    }
    used.insert(fingerprint);

    std::string description = f.message;
    if (!f.target.empty()) description += " [" + f.target + "]";
    const bool has_file = f.location && !f.location->file.empty();
    const int line = f.location && f.location->line > 0 ? f.location->line : 1;

    nlohmann::ordered_json issue;
    issue["description"] = strip_control(description);
    issue["check_name"] = f.rule;
    issue["fingerprint"] = fingerprint;
    issue["severity"] = code_quality_severity(f.severity);
    issue["location"] = {{"path", strip_control(has_file ? f.location->file : fallback_path)},
                         {"lines", {{"begin", line}}}};
    issues.push_back(std::move(issue));
  }
  return issues.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pgdrift::report
