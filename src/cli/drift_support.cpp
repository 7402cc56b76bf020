#include "drift_support.hpp"
#include "lint_support.hpp"
#include "secrets.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::cli {

namespace {

bool glob(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

}  // namespace

std::map<std::string, std::string> targets_of(const config::Config& cfg, const std::vector<std::string>& flags,
                                              Io io) {
  auto targets = cfg.targets;
  for (const auto& flag : flags) {
    const auto eq = flag.find('=');
    const auto name = eq == std::string::npos ? std::string() : flag.substr(0, eq);
    // A name is a plain word: this also catches a bare URL (whose query has '='), which must
    // never become a target name printed in reports.
    const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
    if (!plain) {
      throw usage_error("--target expects NAME=URL or NAME=env:VAR, with a name of letters, digits, '_', '-' or '.'",
                        "for example --target staging=env:STAGING_DATABASE_URL");
    }
    targets[name] = url_argument("--target " + name, flag.substr(eq + 1), io);
  }
  return targets;
}

std::unique_ptr<db::Connection> open_read_only(const db::ConnectionInfo& info, std::chrono::milliseconds lock_timeout) {
  auto actual = info;
  // Startup options, not SET: they hold for the whole session and never outlive it on a pooled
  // server connection; and messages name the URL as the user gave it (url() leaves them out).
  actual.session_options = "-c default_transaction_read_only=on -c statement_timeout=60000 -c lock_timeout=" +
                           std::to_string(lock_timeout.count());
  return db::Connection::open(actual, "pgdrift");
}

std::unique_ptr<db::Connection> open_target(const std::string& name, const std::string& url,
                                            std::chrono::milliseconds lock_timeout) {
  try {
    return open_read_only(db::ConnectionInfo::parse(url), lock_timeout);
  } catch (const Error& e) {
    throw Error(e.kind(), "target " + name + ": " + e.what(), e.hint());
  }
}

std::vector<std::string> locked_relations(db::Connection& connection) {
  std::vector<std::string> held;
  try {
    const auto rows = connection.query(
        "SELECT DISTINCT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || ' (' || "
        "l.mode || ', pid ' || l.pid || ')' AS held FROM pg_catalog.pg_locks l "
        "JOIN pg_catalog.pg_class c ON c.oid = l.relation JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE l.locktype = 'relation' AND l.granted AND l.mode IN ('AccessExclusiveLock', 'ExclusiveLock') "
        "AND l.pid <> pg_catalog.pg_backend_pid() "
        "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
        "ORDER BY 1");
    for (std::size_t r = 0; r < rows.size(); ++r) {
      if (const auto& value = rows.at(r, "held")) held.push_back(*value);
    }
  } catch (const Error&) {
    // pg_locks hidden or the session gone: say what we know.
  }
  return held;
}

diff::CompareOptions compare_options(const config::Config& cfg) {
  diff::CompareOptions options;
  for (const auto& item : cfg.drift.compare) {
    if (item == "comments") options.include_informational.insert("comment");
    if (item == "privileges") options.include_informational.insert("privileges");
    if (item == "column-order") options.include_informational.insert("position");
  }
  options.detect_renames = cfg.drift.detect_renames;
  return options;
}

std::vector<diff::Difference> without_ignored(std::vector<diff::Difference> differences, const config::Config& cfg) {
  const auto ignored = [&cfg](const diff::Difference& d) {
    return std::any_of(cfg.drift.ignore.begin(), cfg.drift.ignore.end(), [&d](const auto& rule) {
      const std::string kind = catalog::to_string(d.id.kind);
      return glob(rule.schema, d.id.schema) && (rule.kind == "*" || rule.kind == kind) && glob(rule.name, d.id.name);
    });
  };
  differences.erase(std::remove_if(differences.begin(), differences.end(), ignored), differences.end());
  return differences;
}

std::vector<Finding> history_findings(const std::vector<history::Entry>& entries, const history::History& history,
                                      migrations::Format format, const std::string& target) {
  std::vector<Finding> out;
  if (!history.found) {
    if (format == migrations::Format::plain) return out;
    Finding f;
    f.rule = "history/no-history-table";
    f.severity = Severity::notice;
    f.target = target;
    f.message = target + " has no " + std::string(migrations::to_string(format)) + " history table";
    f.hint = "a database migrated by another tool (or by hand) cannot be checked for pending migrations";
    out.push_back(std::move(f));
    return out;
  }
  for (const auto& e : entries) {
    Finding f;
    f.rule = "history/" + history::to_string(e.state);
    f.target = target;
    f.object = "migration " + e.version + (e.name.empty() ? "" : " (" + e.name + ")");
    f.detail = e.detail;
    if (e.migration != nullptr) f.location = Location{e.migration->display_path, 0, 0, 0, 0};
    switch (e.state) {
      case history::State::pending:
        f.severity = Severity::notice;
        f.message = "migration " + e.version + " is not applied in " + target + " yet";
        f.hint = "it will be applied by the next deployment; its objects are not counted as drift";
        break;
      case history::State::unknown:
        f.severity = Severity::warning;
        f.message = "migration " + e.version + " is applied in " + target + " but is not in the repository";
        f.hint = "it comes from another branch or was applied by hand: add it to the repository or revert it";
        break;
      case history::State::checksum_mismatch:
        f.severity = Severity::error;
        f.message = "migration " + e.version + " changed after it was applied in " + target;
        f.hint = "never edit an applied migration: restore the file and write a new migration for the change";
        break;
      case history::State::failed:
        f.severity = Severity::error;
        f.message = "migration " + e.version + " failed in " + target + " (" + history.table + " records it as failed or dirty)";
        f.hint = "repair the history table with your migration tool after fixing the database";
        break;
    }
    out.push_back(std::move(f));
  }
  return out;
}

void apply_severity_overrides(std::vector<Finding>& findings, const config::Config& cfg) {
  std::vector<Finding> kept;
  for (auto& f : findings) {
    std::optional<std::string> severity;
    const auto it = cfg.drift.severity.find(f.rule);
    if (it != cfg.drift.severity.end()) severity = it->second;
    if (!severity) severity = lint_severity(cfg, f.rule);
    if (!severity) {
      kept.push_back(std::move(f));
    } else if (*severity != "off") {
      f.severity = *parse_severity(*severity);
      kept.push_back(std::move(f));
    }
  }
  findings = std::move(kept);
}

}  // namespace pgdrift::cli
