// Flyway: flyway_schema_history (installed_rank, version, description, type, script, checksum,
// installed_by, installed_on, execution_time, success) in the default schema. Versioned rows carry
// the version; repeatable ones a NULL version and are known by description. Besides "SQL"/"JDBC"
// rows Flyway writes markers: "SCHEMA" (it created the schemas), "BASELINE" (versions up to it
// count as applied), "DELETE" (repair marked a missing migration deleted), "UNDO_*" (undone).

#include <algorithm>
#include <map>

#include "pgdrift/util/text.hpp"
#include "tools.hpp"

namespace pgdrift::history::detail {
namespace {

// Flyway versions: parts separated by '.' or '_', compared as numbers, missing parts are 0.
std::vector<std::string> version_parts(const std::string& version) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : version) {
    if (c == '.' || c == '_') {
      parts.push_back(part);
      part.clear();
    } else {
      part.push_back(c);
    }
  }
  parts.push_back(part);
  return parts;
}

int compare_flyway_versions(const std::string& a, const std::string& b) {
  const auto a_parts = version_parts(a);
  const auto b_parts = version_parts(b);
  for (std::size_t i = 0; i < std::max(a_parts.size(), b_parts.size()); ++i) {
    const int order = compare_numbers(i < a_parts.size() ? a_parts[i] : "0",
                                      i < b_parts.size() ? b_parts[i] : "0");
    if (order != 0) return order;
  }
  return 0;
}

struct VersionLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return compare_flyway_versions(a, b) < 0;
  }
};

bool is_baseline(const Applied& row) {
  return row.type == "BASELINE" || util::ends_with(row.type, "_BASELINE");
}

// What the history says now, after markers, deletions and undos: row index per version and per
// repeatable description (the latest row wins), and the baseline version, if any.
struct Current {
  std::map<std::string, std::size_t, VersionLess> versioned;
  std::map<std::string, std::size_t> repeatable;
  std::optional<std::string> baseline;
};

Current current_state(const std::vector<Applied>& rows) {
  Current current;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Applied& row = rows[i];
    if (row.type == "SCHEMA") continue;
    if (is_baseline(row)) {
      // B__ baseline migrations (types "SQL_BASELINE", …) replace every version up to theirs.
      if (!row.version.empty() &&
          (!current.baseline || compare_flyway_versions(*current.baseline, row.version) < 0)) {
        current.baseline = row.version;
      }
      continue;
    }
    const bool removes = row.type == "DELETE" || util::starts_with(row.type, "UNDO_");
    if (row.repeatable) {
      if (removes)
        current.repeatable.erase(row.version);
      else
        current.repeatable[row.version] = i;
    } else if (removes) {
      current.versioned.erase(row.version);
    } else {
      current.versioned[row.version] = i;
    }
  }
  return current;
}

std::string checksum_detail(const std::string& recorded, const std::string& now) {
  return "recorded checksum " + recorded + ", file now " + now;
}

}  // namespace

History read_flyway(db::Connection& connection) {
  const std::string tool = "Flyway";
  const auto table = find_table(connection, "flyway_schema_history", tool);
  if (!table) return {false, "flyway_schema_history", {}};
  const db::Rows rows = select(connection, *table, tool,
                               "SELECT version, description, type, checksum::text AS checksum, "
                               "success FROM " +
                                   table->sql + " ORDER BY installed_rank");
  History history{true, table->name, {}};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Applied row;
    row.type = text(rows, r, "type");
    row.description = text(rows, r, "description");
    const auto& version = rows.at(r, "version");
    row.repeatable = !version && row.type != "SCHEMA" && !is_baseline(row);
    row.version = version ? *version : (row.repeatable ? row.description : std::string());
    if (const auto& checksum = rows.at(r, "checksum")) row.checksum = *checksum;
    row.success = is_true(rows, r, "success");
    history.applied.push_back(std::move(row));
  }
  return history;
}

std::vector<Entry> compare_flyway(const Migrations& repository, const History& history) {
  const std::vector<Applied>& rows = history.applied;
  Current current = current_state(rows);
  std::optional<std::string> newest;
  for (const auto& [version, index] : current.versioned) {
    if (rows[index].success) newest = version;  // the map is in version order
  }

  std::vector<bool> used(rows.size(), false);
  std::vector<Entry> out;
  // A B<version> baseline script of the repository stands for every version up to its own; the
  // V files it replaces are not in `repository` (discovery leaves them out).
  std::optional<std::string> repository_baseline;
  for (const Migration& migration : repository) {
    const std::string checksum = migrations::flyway_checksum(migration.source);
    if (migration.baseline) {
      repository_baseline = migration.version;
      // Flyway runs a baseline script only on an empty history.
      if (current.versioned.empty() && !current.baseline) out.push_back(entry(State::pending, migration));
      continue;
    }
    if (migration.repeatable) {
      const auto found = current.repeatable.find(migration.version);
      if (found == current.repeatable.end()) {
        out.push_back(entry(State::pending, migration));
        continue;
      }
      used[found->second] = true;
      const Applied& row = rows[found->second];
      if (!row.success) {
        out.push_back(entry(State::failed, migration,
                            "Flyway recorded its last run as failed (success = false)"));
      } else if (row.checksum && *row.checksum != checksum) {
        // A changed repeatable is not drift: Flyway runs it again on the next migrate.
        out.push_back(entry(State::pending, migration,
                            "changed since it last ran (" +
                                checksum_detail(*row.checksum, checksum) +
                                "): flyway migrate runs it again"));
      }
      continue;
    }
    const auto found = current.versioned.find(migration.version);
    if (found == current.versioned.end()) {
      if (current.baseline && compare_flyway_versions(migration.version, *current.baseline) <= 0) {
        continue;  // at or below the baseline: Flyway counts it as already in the database
      }
      std::string detail;
      if (newest && compare_flyway_versions(migration.version, *newest) < 0) {
        detail = "older than the newest applied version " + *newest +
                 ": flyway migrate ignores it unless outOfOrder is set";
      }
      out.push_back(entry(State::pending, migration, detail));
      continue;
    }
    used[found->second] = true;
    const Applied& row = rows[found->second];
    if (!row.success) {
      out.push_back(entry(State::failed, migration,
                          "Flyway recorded it as failed (success = false): fix the database, then "
                          "run flyway repair"));
    } else if (row.checksum && *row.checksum != checksum) {
      out.push_back(
          entry(State::checksum_mismatch, migration, checksum_detail(*row.checksum, checksum)));
    }
  }

  std::vector<std::size_t> left;
  for (const auto& [version, index] : current.versioned) {
    if (used[index]) continue;
    // Applied before the baseline script replaced its file: still accounted for.
    if (repository_baseline && compare_flyway_versions(version, *repository_baseline) <= 0) continue;
    left.push_back(index);
  }
  for (const auto& [description, index] : current.repeatable) {
    if (!used[index]) left.push_back(index);
  }
  std::sort(left.begin(), left.end());  // installed_rank order
  for (const std::size_t index : left) {
    const Applied& row = rows[index];
    if (!row.success) {
      out.push_back(entry(State::failed, row.version, row.description,
                          "Flyway recorded it as failed (success = false); it is not in the "
                          "repository"));
    } else {
      out.push_back(entry(State::unknown, row.version, row.description,
                          "applied on the target, not in the repository"));
    }
  }
  return out;
}

}  // namespace pgdrift::history::detail
