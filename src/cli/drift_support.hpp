#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "pgdrift/diff/compare.hpp"
#include "pgdrift/history/history.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::cli {

// Flags of `pgdrift verify` and `pgdrift status` beyond the replay ones.
struct DriftFlags {
  std::vector<std::string> targets;  // NAME=URL
  std::optional<std::string> model;
  std::optional<std::string> model_command;
  bool allow_destructive = false;    // diff --sql
  bool sql = false;                  // diff --sql
  std::vector<std::string> sources;  // diff A B
};

// cfg.targets with the --target NAME=URL (or NAME=env:VAR, see url_argument()) flags applied over
// them. Throws pgdrift::Error (usage) for a flag without '=' or a name, or an unset variable.
std::map<std::string, std::string> targets_of(const config::Config& cfg, const std::vector<std::string>& flags,
                                              Io io);

// Opens a target database read only: default_transaction_read_only, a statement timeout and
// application_name=pgdrift. Throws pgdrift::Error (infrastructure) naming the target and the
// redacted URL.
std::unique_ptr<db::Connection> open_target(const std::string& name, const std::string& url);

// What pgdrift.yml's drift section asks of compare().
diff::CompareOptions compare_options(const config::Config& cfg);

// `differences` without those matching a drift.ignore rule.
std::vector<diff::Difference> without_ignored(std::vector<diff::Difference> differences, const config::Config& cfg);

// history/pending (notice), history/unknown (warning), history/checksum-mismatch and
// history/failed (errors), history/no-history-table (notice), for target `target`.
std::vector<Finding> history_findings(const std::vector<history::Entry>& entries, const history::History& history,
                                      migrations::Format format, const std::string& target);

// Applies drift.severity and lint.severity overrides: a rule set to "off" is dropped, others get
// the new severity.
void apply_severity_overrides(std::vector<Finding>& findings, const config::Config& cfg);

// `pgdrift verify`, `pgdrift status`, `pgdrift diff A B`: return the exit code; throw
// pgdrift::Error for usage and infrastructure errors (after writing the JSON report they can).
int verify_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io);
int status_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io);
int diff_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io);

}  // namespace pgdrift::cli
