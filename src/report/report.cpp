#include "pgdrift/report/report.hpp"

#include <unistd.h>

namespace pgdrift::report {

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
