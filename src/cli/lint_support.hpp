#pragma once

// Private to cli: what `pgdrift lint` and `pgdrift verify` share about linting.

#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "pgdrift/lint/lint.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/report/report.hpp"

namespace pgdrift::cli {

// Throws pgdrift::Error (usage) when lint.severity names a rule pgdrift does not have.
void validate_lint_config(const config::Config& cfg);

// Whether lint.exclude leaves `migration` out (a glob matching its path or its file name).
bool lint_excluded(const config::Config& cfg, const migrations::Migration& migration);

// What lint.severity sets for a finding id ("lint/drop-column"; its keys may omit "lint/").
std::optional<std::string> lint_severity(const config::Config& cfg, const std::string& finding_rule);

// Whether lint.exclude leaves out the migration whose display path is `file`.
bool excluded_file(const config::Config& cfg, const std::vector<migrations::Migration>& migrations,
                   const std::string& file);

// Whether lint.severity turns the rule of a finding id ("lint/drop-column") off.
bool lint_rule_off(const config::Config& cfg, const std::string& finding_rule);

// The static findings of the judged migrations that lint.exclude does not leave out. `migrations`
// are in apply order; `judged` (parallel, empty = all) marks the ones to check. Each is checked
// knowing what the migrations before it built (lint::Knowledge, read statically: history files
// are read, not linted).
std::vector<Finding> static_findings(const std::vector<migrations::Migration>& migrations, const std::vector<bool>& judged,
                                     lint::Options options, const config::Config& cfg);

// lint.allow_destructive and PGDRIFT_ALLOW_DESTRUCTIVE=1.
lint::AllowDestructive allow_destructive(const config::Config& cfg, const Environment& env);

// One lint check per (migration, rule) for JUnit and the job summary, for the rules given.
void add_lint_checks(report::Report& report, const std::vector<migrations::Migration>& migrations,
                     const std::vector<std::string>& finding_rules, const config::Config& cfg);

// The finding ids of the static rules, in README order.
std::vector<std::string> static_rule_ids();

// "150000" style version number from a major version ("15"); throws pgdrift::Error (usage)
// naming `what` when it is not a supported major version.
int version_num(const std::string& major, const std::string& what);

}  // namespace pgdrift::cli
