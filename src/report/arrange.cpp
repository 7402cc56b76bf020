#include "arrange.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "pgdrift/util/text.hpp"

namespace pgdrift::report {

namespace {

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

bool has_file(const Finding& f) { return f.location && !f.location->file.empty(); }

// drift/* findings that say the target was not compared, rather than a difference.
bool not_compared(const Finding& f) {
  return f.rule == "drift/not-checked" || f.rule == "drift/target-skipped" || f.rule == "drift/target-unreachable" ||
         f.rule == "drift/target-locked";
}

}  // namespace

bool on_new_migration(const Report& report, const Finding& f) {
  if (!has_file(f) || !f.target.empty()) return false;
  if (!report.judged.present) return true;
  const auto& files = report.judged.new_files;
  return std::find(files.begin(), files.end(), f.location->file) != files.end();
}

std::vector<std::string> finding_targets(const Report& report) {
  std::vector<std::string> targets;
  auto add = [&](const std::string& target) {
    const bool used = std::any_of(report.findings.begin(), report.findings.end(),
                                  [&](const Finding& f) { return f.target == target; });
    if (used && std::find(targets.begin(), targets.end(), target) == targets.end()) targets.push_back(target);
  };
  add("");
  for (const auto& check : report.checks) add(check.target);
  for (const auto& f : report.findings) add(f.target);
  return targets;
}

std::vector<Section> arrange(const Report& report) {
  std::vector<Section> sections;
  const auto failing = [&](const Finding& f) { return f.severity >= report.fail_on; };
  for (const auto& target : finding_targets(report)) {
    Section s{SectionKind::failing, target, {}};
    for (const auto& f : report.findings) {
      if (f.target == target && failing(f)) s.findings.push_back(&f);
    }
    if (!s.findings.empty()) sections.push_back(std::move(s));
  }
  Section fresh{SectionKind::new_migrations, "", {}};
  for (const auto& f : report.findings) {
    if (!failing(f) && on_new_migration(report, f)) fresh.findings.push_back(&f);
  }
  if (!fresh.findings.empty()) sections.push_back(std::move(fresh));
  for (const auto& target : finding_targets(report)) {
    Section s{SectionKind::other, target, {}};
    for (const auto& f : report.findings) {
      if (f.target == target && !failing(f) && !on_new_migration(report, f)) s.findings.push_back(&f);
    }
    if (!s.findings.empty()) sections.push_back(std::move(s));
  }
  return sections;
}

std::string target_fix_script(const Report& report, const std::string& target) {
  if (target.empty()) return "";
  if (const auto it = report.fix_scripts.find(target); it != report.fix_scripts.end()) return it->second;
  std::vector<std::string> parts;
  for (const auto& f : report.findings) {
    if (f.target == target && !f.fix.empty()) parts.push_back(f.fix);
  }
  return util::join(parts, "\n");
}

std::vector<SharedHint> shared_hints(const std::vector<const Finding*>& findings) {
  std::vector<SharedHint> out;
  std::vector<std::string> seen;
  for (const Finding* f : findings) {
    if (std::find(seen.begin(), seen.end(), f->rule) != seen.end()) continue;
    seen.push_back(f->rule);
    const bool one = std::all_of(findings.begin(), findings.end(), [&](const Finding* g) {
      return g->rule != f->rule || g->hint == f->hint;
    });
    const auto count = std::count_if(findings.begin(), findings.end(), [&](const Finding* g) { return g->rule == f->rule; });
    if (one && count > 1 && !f->hint.empty()) out.push_back({f->rule, f->hint});
  }
  return out;
}

bool hint_is_shared(const std::vector<SharedHint>& hints, const Finding& f) {
  return std::any_of(hints.begin(), hints.end(),
                     [&](const SharedHint& h) { return h.rule == f.rule && h.hint == f.hint; });
}

std::vector<TargetCount> target_counts(const Report& report) {
  std::vector<TargetCount> out;
  // The targets first, the migrations' own findings last.
  auto targets = finding_targets(report);
  if (!targets.empty() && targets.front().empty()) std::rotate(targets.begin(), targets.begin() + 1, targets.end());
  for (const auto& target : targets) {
    std::size_t differences = 0, ghost_indexes = 0;
    std::array<std::size_t, 3> others{};
    std::vector<std::string> states;
    for (const auto& f : report.findings) {
      if (f.target != target) continue;
      if (f.rule == "drift/target-unreachable") {
        states.push_back("unreachable");
      } else if (f.rule == "drift/target-locked") {
        states.push_back("locked, not checked");
      } else if (f.rule == "drift/target-skipped") {
        states.push_back("skipped");
      } else if (f.rule == "drift/not-checked") {
        states.push_back("not checked");
      } else if (f.rule == "drift/unexpected-index" && target != "model") {
        ++ghost_indexes;
      } else if (util::starts_with(f.rule, "drift/") && !not_compared(f)) {
        ++differences;
      } else {
        ++others[static_cast<std::size_t>(f.severity)];
      }
    }
    std::vector<std::string> parts;
    for (auto& s : states) {
      if (std::find(parts.begin(), parts.end(), s) == parts.end()) parts.push_back(s);
    }
    if (differences > 0) parts.push_back(plural(differences, "difference"));
    if (ghost_indexes > 0) {
      parts.push_back(ghost_indexes == 1 ? std::string("1 index created by hand")
                                         : fmt::format("{} indexes created by hand", ghost_indexes));
    }
    if (others[2] > 0) parts.push_back(plural(others[2], "error"));
    if (others[1] > 0) parts.push_back(plural(others[1], "warning"));
    if (others[0] > 0) parts.push_back(plural(others[0], "notice"));
    out.push_back({target, util::join(parts, ", ")});
  }
  return out;
}

std::string target_label(const std::string& target) { return target.empty() ? "migrations" : target; }

}  // namespace pgdrift::report
