// Drizzle: drizzle.__drizzle_migrations(id serial, hash text, created_at bigint). drizzle-orm's
// migrator inserts (SHA-256 hex of the .sql file, the journal entry's `when`) for each migration
// it runs, and runs a journal entry only when its `when` is after the newest created_at; it never
// reads the hash back. Migration does not carry the journal's `when`, so rows are matched to
// journal entries by hash, and a row whose hash matches nothing is paired with the entry at its
// position when that entry is unmatched too (the file changed after it ran).

#include "tools.hpp"

namespace pgdrift::history::detail {
namespace {

constexpr std::size_t k_none = static_cast<std::size_t>(-1);

}  // namespace

History read_drizzle(db::Connection& connection) {
  const std::string tool = "Drizzle";
  const auto table = find_table(connection, "drizzle.__drizzle_migrations", tool);
  if (!table) return {false, "drizzle.__drizzle_migrations", {}};
  const db::Rows rows = select(connection, *table, tool,
                               "SELECT hash, created_at::text AS created_at FROM " + table->sql +
                                   " ORDER BY created_at, id");
  History history{true, table->name, {}};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Applied row;
    row.version = text(rows, r, "created_at");
    row.checksum = text(rows, r, "hash");
    history.applied.push_back(std::move(row));
  }
  return history;
}

std::vector<Entry> compare_drizzle(const Migrations& repository, const History& history) {
  const std::vector<Applied>& rows = history.applied;
  std::vector<std::size_t> row_of(repository.size(), k_none);  // repository index → row index
  std::vector<bool> used(rows.size(), false);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t m = 0; m < repository.size(); ++m) {
      if (row_of[m] == k_none && rows[r].checksum == repository[m].checksum) {
        row_of[m] = r;
        used[r] = true;
        break;
      }
    }
  }
  std::vector<bool> changed(repository.size(), false);
  for (std::size_t r = 0; r < rows.size() && r < repository.size(); ++r) {
    if (!used[r] && row_of[r] == k_none) {
      row_of[r] = r;
      used[r] = true;
      changed[r] = true;
    }
  }
  std::size_t last_applied = k_none;
  for (std::size_t m = 0; m < repository.size(); ++m) {
    if (row_of[m] != k_none) last_applied = m;
  }

  std::vector<Entry> out;
  for (std::size_t m = 0; m < repository.size(); ++m) {
    const Migration& migration = repository[m];
    if (row_of[m] == k_none) {
      const bool skipped = last_applied != k_none && m < last_applied;
      out.push_back(entry(State::pending, migration,
                          skipped ? "a later journal entry is applied: drizzle's migrator skips "
                                    "entries whose `when` is not after the newest applied "
                                    "created_at, so it will not run this one"
                                  : ""));
    } else if (changed[m]) {
      const Applied& row = rows[row_of[m]];
      out.push_back(entry(State::checksum_mismatch, migration,
                          "the row at this journal position records hash " +
                              row.checksum.value_or("") + " (created_at " + row.version +
                              "), the file now hashes to " + migration.checksum +
                              ": it changed after it ran, or the target ran another branch's "
                              "migration here"));
    }
  }
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (used[r]) continue;
    out.push_back(entry(State::unknown, rows[r].version, "",
                        "applied on the target (hash " + rows[r].checksum.value_or("") +
                            "), no journal entry has this file"));
  }
  return out;
}

}  // namespace pgdrift::history::detail
