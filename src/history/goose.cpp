// goose: goose_db_version(id, version_id bigint, is_applied boolean, tstamp). Each up inserts a
// row; a down deletes the version's rows (goose v3) or inserts one with is_applied = false (older
// goose). The latest row (highest id) per version decides. Version 0 is the row goose writes when
// it creates the table. No checksums and no failure state.

#include <set>

#include "tools.hpp"

namespace pgdrift::history::detail {

History read_goose(db::Connection& connection) {
  const std::string tool = "goose";
  const auto table = find_table(connection, "goose_db_version", tool);
  if (!table) return {false, "goose_db_version", {}};
  const db::Rows rows = select(
      connection, *table, tool,
      "SELECT version_id::text AS version_id, is_applied FROM " + table->sql + " ORDER BY id");
  History history{true, table->name, {}};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Applied row;
    row.version = text(rows, r, "version_id");
    row.success = is_true(rows, r, "is_applied");
    row.rolled_back = !row.success;
    history.applied.push_back(std::move(row));
  }
  return history;
}

std::vector<Entry> compare_goose(const Migrations& repository, const History& history) {
  // The latest row per version, kept in history order; rolled-back versions are not applied.
  std::vector<Applied> applied;
  std::set<std::string> seen;
  std::optional<std::string> newest;
  for (auto row = history.applied.rbegin(); row != history.applied.rend(); ++row) {
    if (compare_numbers(row->version, "0") == 0) continue;
    // Numeric identity: "00002" and "2" are one version.
    std::string normalized = row->version;
    while (normalized.size() > 1 && normalized.front() == '0') normalized.erase(0, 1);
    if (!seen.insert(normalized).second) continue;
    if (row->rolled_back) continue;
    applied.insert(applied.begin(), *row);
    if (!newest || compare_numbers(*newest, row->version) < 0) newest = row->version;
  }
  std::vector<Entry> out = compare_versions(repository, applied, /*numeric=*/true, "goose");
  for (Entry& item : out) {
    if (item.state == State::pending && newest && compare_numbers(item.version, *newest) < 0) {
      item.detail = "older than the newest applied version " + *newest +
                    ": goose up refuses to run it unless given -allow-missing";
    }
  }
  return out;
}

}  // namespace pgdrift::history::detail
