#include "judge_support.hpp"

namespace pgdrift::cli {

std::optional<Base> choose_base(const config::Config& cfg, const Environment& env) {
  const std::string& configured = cfg.migrations.base;
  if (cfg.migrations.base_from_flag) {
    if (configured == "none" || configured.empty()) return std::nullopt;
    return Base{configured, history::BaseOrigin::flag};
  }
  if (configured == "none") return std::nullopt;
  // The CI's own base wins over a configured one: a pull request into another branch than the
  // configured one is judged against the branch it goes into.
  // GITHUB_BASE_REF is set on pull_request events only: the branch the change goes into.
  if (const auto ref = env_get(env, "GITHUB_BASE_REF"); ref && !ref->empty()) {
    return Base{"origin/" + *ref, history::BaseOrigin::github};
  }
  if (const auto sha = env_get(env, "CI_MERGE_REQUEST_DIFF_BASE_SHA"); sha && !sha->empty()) {
    return Base{*sha, history::BaseOrigin::gitlab};
  }
  if (!configured.empty()) return Base{configured, history::BaseOrigin::config};
  return std::nullopt;
}

history::Judged judge_migrations(const config::Config& cfg, const Environment& env, const std::filesystem::path& dir,
                                 const std::vector<migrations::Migration>& migrations, migrations::Format format,
                                 std::vector<std::set<std::string>> applied_on_targets) {
  history::JudgeInput input;
  input.format = format;
  input.baseline = cfg.migrations.baseline;
  input.applied_on_targets = std::move(applied_on_targets);
  if (const auto base = choose_base(cfg, env)) {
    input.git = history::read_git_changes(dir, base->ref, base->origin, env);
  }
  return history::judge(migrations, input);
}

void describe_judged(report::Report& report, const history::Judged& judged,
                     const std::vector<migrations::Migration>& migrations, bool all_requested) {
  report.judged.present = true;
  report.judged.all_requested = all_requested;
  report.judged.narrowed = judged.narrowed;
  report.judged.base = judged.base;
  report.judged.history_count = judged.history_count();
  report.judged.new_files.clear();
  for (std::size_t i = 0; i < migrations.size() && i < judged.is_new.size(); ++i) {
    if (judged.is_new[i]) report.judged.new_files.push_back(migrations[i].display_path);
  }
  for (auto& row : report.migrations) {
    for (std::size_t i = 0; i < migrations.size() && i < judged.is_new.size(); ++i) {
      if (migrations[i].display_path == row.file) row.judged = judged.is_new[i];
    }
  }
}

std::size_t history_prefix(const history::Judged& judged) {
  std::size_t n = 0;
  while (n < judged.is_new.size() && !judged.is_new[n]) ++n;
  return n;
}

}  // namespace pgdrift::cli
