// golang-migrate: schema_migrations(version bigint, dirty boolean) holds one row, the current
// version. Every version up to it counts as applied; dirty means the migration to that version
// stopped part-way (golang-migrate refuses to run until `migrate force`). With no row, or the
// nil version -1, nothing is applied.

#include "tools.hpp"

namespace pgdrift::history::detail {

History read_golang_migrate(db::Connection& connection) {
  const std::string tool = "golang-migrate";
  const auto table = find_table(connection, "schema_migrations", tool);
  if (!table) return {false, "schema_migrations", {}};
  // golang-migrate itself reads the first row only.
  const db::Rows rows =
      select(connection, *table, tool,
             "SELECT version::text AS version, dirty FROM " + table->sql + " LIMIT 1");
  History history{true, table->name, {}};
  if (rows.size() == 1) {
    Applied row;
    row.version = text(rows, 0, "version");
    row.success = !is_true(rows, 0, "dirty");
    history.applied.push_back(std::move(row));
  }
  return history;
}

std::vector<Entry> compare_golang_migrate(const Migrations& repository, const History& history) {
  if (history.applied.empty()) return all_pending(repository);
  const Applied& current = history.applied.front();
  const bool dirty = !current.success;
  const std::string dirty_detail =
      "golang-migrate marked the database dirty at this version: the migration stopped "
      "part-way. Repair the schema by hand, then run migrate force with the version it matches";
  std::vector<Entry> out;
  bool in_repository = false;
  for (const Migration& migration : repository) {
    const int order = compare_numbers(migration.version, current.version);
    if (order > 0) {
      out.push_back(entry(State::pending, migration));
    } else if (order == 0) {
      in_repository = true;
      if (dirty) out.push_back(entry(State::failed, migration, dirty_detail));
    }
  }
  if (in_repository) return out;
  if (compare_numbers(current.version, "0") < 0) {  // the nil version: nothing applied
    if (dirty) {
      out.push_back(entry(State::failed, current.version, "",
                          "golang-migrate marked the database dirty with no version: migrating "
                          "down from the first version stopped part-way"));
    }
  } else if (dirty) {
    out.push_back(entry(State::failed, current.version, "",
                        dirty_detail + "; the version is not in the repository"));
  } else {
    out.push_back(entry(State::unknown, current.version, "",
                        "the target's current version is not in the repository"));
  }
  return out;
}

}  // namespace pgdrift::history::detail
