#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdrift {

// Finding severity, ordered: notice < warning < error.
enum class Severity { notice = 0, warning = 1, error = 2 };

std::string_view to_string(Severity severity);
// "error", "warning", "notice"; nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view text);

// Where a finding points. Lines and columns are 1-based (columns in code points); 0 = unknown.
struct Location {
  std::string file;  // as the user named it (relative when they gave a relative path)
  int line = 0;
  int column = 0;
  int end_line = 0;
  int end_column = 0;
};

// Everything pgdrift reports is a Finding; reporters only render them. Rule ids are a public
// contract: kebab-case, grouped as replay/…, drift/…, lint/…, history/…, destructive/….
struct Finding {
  std::string rule;
  Severity severity = Severity::error;
  std::string message;
  std::optional<Location> location;
  std::string object;  // e.g. "table public.users"; empty when not about one object
  std::string property;  // drift/changed-*: the property that differs ("type", "default"); else empty
  std::string detail;  // supporting facts (Postgres DETAIL/CONTEXT); may span lines
  std::string hint;    // what to do instead; may be empty
  std::string target;  // the target environment's name; empty for the migrations themselves
  std::string fix;     // SQL that resolves it (drift: brings the target in line); may be empty
};

// Sorts by (file, line, column, rule, message); findings without location first.
void sort_findings(std::vector<Finding>& findings);

}  // namespace pgdrift
