#include "pgdrift/report/report.hpp"

#include <unistd.h>

#include <algorithm>

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

std::string judged_sentence(const Report& report) {
  const auto& j = report.judged;
  if (!j.present) return "";
  const std::string verb = report.command == "lint" ? "read for context" : "replayed";
  const auto count = [](std::size_t n, const std::string& word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  if (!j.narrowed) {
    const std::string all = "Judged every migration (" + std::to_string(j.new_files.size()) + ")";
    if (j.all_requested) return all + ": base none.";
    return all + ": no base given (pass --base origin/main to judge only the migrations a change adds).";
  }
  // A commit id (GitLab's base) reads better short.
  std::string base = j.base;
  if (base.size() == 40 && base.find_first_not_of("0123456789abcdef") == std::string::npos) base = base.substr(0, 12);
  std::string out;
  if (j.new_files.empty()) {
    out = "No new migrations since " + base + " to judge";
  } else {
    std::vector<std::string> shown(j.new_files.begin(), j.new_files.begin() + std::min<std::size_t>(j.new_files.size(), 5));
    std::string names;
    for (std::size_t i = 0; i < shown.size(); ++i) names += (i == 0 ? "" : ", ") + shown[i];
    if (j.new_files.size() > shown.size()) names += " and " + std::to_string(j.new_files.size() - shown.size()) + " more";
    out = "Judged " + count(j.new_files.size(), "new migration") + " since " + base + " (" + names + ")";
  }
  const bool all_cached = j.cache_covers >= j.history_count;
  if (j.cache == "hit") {
    out += "; " + count(j.history_count, "history migration") + " not judged (" +
           (all_cached ? std::string("restored from the replay cache")
                       : std::to_string(j.cache_covers) + " restored from the replay cache, the rest replayed") +
           ")";
  } else {
    out += "; " + count(j.history_count, "history migration") + " " + verb + ", not judged";
    if (j.cache == "saved") {
      out += all_cached ? " (now in the replay cache)"
                        : " (the first " + std::to_string(j.cache_covers) + " now in the replay cache)";
    }
  }
  return out + ".";
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
