#include "pgdrift/util/finding.hpp"

#include <algorithm>
#include <tuple>

namespace pgdrift {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::notice: return "notice";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "notice") return Severity::notice;
  if (text == "warning") return Severity::warning;
  if (text == "error") return Severity::error;
  return std::nullopt;
}

void sort_findings(std::vector<Finding>& findings) {
  auto key = [](const Finding& f) {
    const bool located = f.location.has_value();
    const Location none;
    const Location& l = located ? *f.location : none;
    return std::make_tuple(located, l.file, l.line, l.column, f.target, f.rule, f.object, f.message);
  };
  std::stable_sort(findings.begin(), findings.end(),
                   [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
}

}  // namespace pgdrift
