#pragma once

// Private to cli: which migrations `verify` and `lint` judge (new) and which are history.

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pgdrift/config/config.hpp"
#include "pgdrift/history/judge.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/report/report.hpp"

namespace pgdrift::cli {

// The git base a run judges against: --base REF; else (unless migrations.base is "none") the
// CI's own (GitHub pull_request: origin/$GITHUB_BASE_REF; GitLab merge requests:
// $CI_MERGE_REQUEST_DIFF_BASE_SHA); else migrations.base. Nullopt for "none" or when there is none.
struct Base {
  std::string ref;
  history::BaseOrigin origin = history::BaseOrigin::flag;
};
std::optional<Base> choose_base(const config::Config& cfg, const Environment& env);

// Splits the migrations of `dir` (in apply order) into new and history by the base (git), the
// baseline and `applied_on_targets` (see history::JudgeInput); base "none" only turns git off. Throws pgdrift::Error (usage) for a
// base git cannot use.
history::Judged judge_migrations(const config::Config& cfg, const Environment& env, const std::filesystem::path& dir,
                                 const std::vector<migrations::Migration>& migrations, migrations::Format format,
                                 std::vector<std::set<std::string>> applied_on_targets = {});

// Records in `report` what was judged: report.judged and each migration row's `judged`.
// `all_requested`: --base none.
void describe_judged(report::Report& report, const history::Judged& judged,
                     const std::vector<migrations::Migration>& migrations, bool all_requested);

// The number of leading history migrations: the part of a replay the replay cache can hold.
std::size_t history_prefix(const history::Judged& judged);

}  // namespace pgdrift::cli
