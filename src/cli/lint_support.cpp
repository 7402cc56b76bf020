#include "lint_support.hpp"

#include <set>

#include <fnmatch.h>

#include <algorithm>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::cli {
namespace {

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool glob(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

std::optional<std::string> lint_severity(const config::Config& cfg, const std::string& finding_rule) {
  for (const auto& [id, severity] : cfg.lint.severity) {
    const auto* info = lint::find_rule(id);
    if (info != nullptr && lint::finding_rule(info->id) == finding_rule) return severity;
  }
  return std::nullopt;
}

void validate_lint_config(const config::Config& cfg) {
  for (const auto& [id, severity] : cfg.lint.severity) {
    if (lint::find_rule(id) != nullptr) continue;
    std::vector<std::string> known;
    for (const auto& info : lint::all_rules()) known.push_back(info.id);
    const auto suggestion = util::did_you_mean(id, known);
    const auto key_line = cfg.lint.severity_lines.find(id);
    const int line = key_line != cfg.lint.severity_lines.end() ? key_line->second : cfg.lint.severity_line;
    const std::string where = cfg.file.string() + (line > 0 ? ":" + std::to_string(line) : "");
    throw usage_error(where + ": lint.severity names an unknown rule '" + id + "'",
                      (suggestion.empty() ? "" : suggestion + " ") + "`pgdrift lint --list-rules` lists every rule id");
  }
}

bool lint_excluded(const config::Config& cfg, const migrations::Migration& migration) {
  const std::string path = migration.display_path;
  return std::any_of(cfg.lint.exclude.begin(), cfg.lint.exclude.end(), [&](const std::string& pattern) {
    return glob(pattern, path) || glob(pattern, base_name(path)) || glob(pattern, migration.path.string());
  });
}

bool excluded_file(const config::Config& cfg, const std::vector<migrations::Migration>& migrations,
                   const std::string& file) {
  for (const auto& m : migrations) {
    if (m.display_path == file) return lint_excluded(cfg, m);
  }
  return false;
}

bool lint_rule_off(const config::Config& cfg, const std::string& finding_rule) {
  const auto severity = lint_severity(cfg, finding_rule);
  return severity && *severity == "off";
}

std::vector<Finding> static_findings(const std::vector<migrations::Migration>& migrations, const std::vector<bool>& judged,
                                     lint::Options options, const config::Config& cfg) {
  const auto is_judged = [&](std::size_t i) { return judged.empty() || (i < judged.size() && judged[i]); };
  // Only what the judged migrations alter needs to be known from the others.
  std::set<std::string> tables;
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (is_judged(i)) {
      const auto altered = lint::altered_tables(migrations[i]);
      tables.insert(altered.begin(), altered.end());
    }
  }
  lint::Knowledge known;
  options.known = &known;
  std::vector<Finding> out;
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const auto& migration = migrations[i];
    if (is_judged(i) && !lint_excluded(cfg, migration)) {
      auto found = lint::check(migration, options);
      out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    if (!tables.empty()) known.learn(migration, tables);
  }
  return out;
}

lint::AllowDestructive allow_destructive(const config::Config& cfg, const Environment& env) {
  lint::AllowDestructive allow;
  allow.files = cfg.lint.allow_destructive;
  const auto flag = env_get(env, "PGDRIFT_ALLOW_DESTRUCTIVE");
  if (flag && !flag->empty() && *flag != "0") allow.reason = "PGDRIFT_ALLOW_DESTRUCTIVE=" + *flag + " (a one-off)";
  return allow;
}

void add_lint_checks(report::Report& report, const std::vector<migrations::Migration>& migrations,
                     const std::vector<std::string>& finding_rules, const config::Config& cfg) {
  for (const auto& migration : migrations) {
    if (lint_excluded(cfg, migration)) continue;
    for (const auto& rule : finding_rules) {
      if (lint_rule_off(cfg, rule)) continue;
      report::Check check;
      check.family = "lint";
      check.name = migration.display_path + " " + rule;
      check.file = migration.display_path;
      check.rule = rule;
      report.checks.push_back(std::move(check));
    }
  }
}

std::vector<std::string> static_rule_ids() {
  std::vector<std::string> out;
  for (const auto& rule : lint::make_rules()) out.push_back(lint::finding_rule(rule->info().id));
  return out;
}

int version_num(const std::string& major, const std::string& what) {
  const bool digits = !major.empty() && major.size() <= 2 &&
                      std::all_of(major.begin(), major.end(), [](char c) { return c >= '0' && c <= '9'; });
  const int n = digits ? std::stoi(major) : 0;
  if (n < 9 || n > 99) {
    throw usage_error(what + ": '" + major + "' is not a PostgreSQL major version",
                      "give the major version as a number, e.g. " + what + " 15");
  }
  return n * 10000;
}

}  // namespace pgdrift::cli
