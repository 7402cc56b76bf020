#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "pgdrift/db/connection.hpp"
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
  bool exit_code = false;            // diff --sql --exit-code: exit 1 when there is SQL to run
  std::vector<std::string> sources;  // diff A B
};

// cfg.targets with the --target NAME=URL (or NAME=env:VAR, see url_argument()) flags applied over
// them. Throws pgdrift::Error (usage) for a flag without '=' or a name, or an unset variable.
std::map<std::string, std::string> targets_of(const config::Config& cfg, const std::vector<std::string>& flags,
                                              Io io);

// Opens a database read only: application_name=pgdrift, and as startup options
// default_transaction_read_only, a 60 s statement_timeout and `lock_timeout`. Throws
// pgdrift::Error (infrastructure) naming the redacted URL as given (never pgdrift's own settings).
std::unique_ptr<db::Connection> open_read_only(const db::ConnectionInfo& info, std::chrono::milliseconds lock_timeout);

// open_read_only() for target `name`, whose name its errors carry.
std::unique_ptr<db::Connection> open_target(const std::string& name, const std::string& url,
                                            std::chrono::milliseconds lock_timeout);

// The relations other sessions hold exclusive locks on in `connection`'s database, e.g.
// "public.orders (AccessExclusiveLock, pid 4711)"; empty when none or unreadable.
std::vector<std::string> locked_relations(db::Connection& connection);

// How often a target read stopped by a lock is tried.
constexpr int k_lock_attempts = 3;

// Runs `read` (catalog or history reads on a target), again after a growing pause while a lock
// another session holds stops it (lock_timeout); after the last of `attempts` throws
// db::LockNotAvailable saying which relations are locked and how often it tried.
template <typename Read>
auto read_despite_locks(db::Connection& connection, int attempts, Read read) -> decltype(read()) {
  for (int attempt = 1;; ++attempt) {
    try {
      return read();
    } catch (const db::LockNotAvailable&) {
      if (attempt >= attempts) {
        const auto held = locked_relations(connection);
        std::string what = held.empty() ? "a relation" : held.front();
        for (std::size_t i = 1; i < held.size(); ++i) what += (i + 1 == held.size() ? " and " : ", ") + held[i];
        throw db::LockNotAvailable(what + (held.size() > 1 ? " are" : " is") + " locked by another session; tried " +
                                   std::to_string(attempts) + " times");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{500} * attempt);
    }
  }
}

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
