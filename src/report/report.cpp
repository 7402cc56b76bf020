#include "pgdrift/report/report.hpp"

#include <unistd.h>

namespace pgdrift::report {

std::vector<const Finding*> findings_of(const Report& report, const Check& check) {
  std::vector<const Finding*> out;
  if (check.family == "lint") {
    for (const auto& f : report.findings) {
      if (f.rule == check.rule && f.location && f.location->file == check.file) out.push_back(&f);
    }
    return out;
  }
  const std::string prefix = (check.family == "model" ? std::string("drift") : check.family) + "/";
  for (const auto& f : report.findings) {
    if (f.rule.compare(0, prefix.size(), prefix) != 0) continue;
    const bool belongs = check.family == "replay" ? (f.location && f.location->file == check.file)
                                                  : f.target == check.target;
    if (belongs) out.push_back(&f);
  }
  return out;
}

int exit_code(const Report& report) {
  if (report.error_exit_code != 0) return report.error_exit_code;
  for (const auto& f : report.findings) {
    if (f.severity >= report.fail_on) return 1;
  }
  return 0;
}

bool use_color(int fd, const std::optional<std::string>& no_color, const std::optional<std::string>& term) {
  if (no_color) return false;  // https://no-color.org: present with any value disables colour
  if (term && *term == "dumb") return false;
  return ::isatty(fd) == 1;
}

}  // namespace pgdrift::report
