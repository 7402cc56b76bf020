#pragma once

// How the text report and the GitHub job summary order findings for a reviewer: what fails the
// run first, grouped by target; then the other findings on new migrations; then the rest.
#include <string>
#include <vector>

#include "pgdrift/report/report.hpp"

namespace pgdrift::report {

enum class SectionKind {
  failing,         // at or above fail_on, one section per target ("" = the migrations)
  new_migrations,  // below fail_on, about a judged (new) migration itself (no target)
  other,           // everything else, one section per target
};

struct Section {
  SectionKind kind = SectionKind::failing;
  std::string target;  // failing, other: the target ("" = the migrations, "model"); else empty
  std::vector<const Finding*> findings;  // in report order
};

// The findings of `report` in sections (empty sections left out), in the order above.
std::vector<Section> arrange(const Report& report);

// Whether `f` is about the migrations themselves (no target) and located in one the run judged
// (every file when the command judges none).
bool on_new_migration(const Report& report, const Finding& f);

// Targets in a stable order: the migrations themselves (""), then as the checks name them, then
// as the findings do; only those with findings.
std::vector<std::string> finding_targets(const Report& report);

// The whole SQL script that brings `target` in line: report.fix_scripts[target] when set, else the
// `fix` of each of its findings in report order. Empty when there is none.
std::string target_fix_script(const Report& report, const std::string& target);

// The rules with more than one finding among `findings`, all carrying one same, non-empty hint,
// with that hint,
// in order of first appearance: shown once per section instead of on every row.
struct SharedHint {
  std::string rule;
  std::string hint;
};
std::vector<SharedHint> shared_hints(const std::vector<const Finding*>& findings);
// Whether `f`'s hint is one of `hints` (so its row does not repeat it).
bool hint_is_shared(const std::vector<SharedHint>& hints, const Finding& f);

// One phrase per target with findings (the migrations last), for the top of a report: "production: 4 differences",
// "staging: 14 indexes created by hand", "migrations: 1 error, 2 warnings", "production:
// unreachable". Names unescaped.
struct TargetCount {
  std::string target;  // as in Finding::target ("" = the migrations)
  std::string text;    // "4 differences, 14 indexes created by hand"
};
std::vector<TargetCount> target_counts(const Report& report);

// "production", "model", or "migrations" for "".
std::string target_label(const std::string& target);

}  // namespace pgdrift::report
