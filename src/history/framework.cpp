// Frameworks that run migrations written in their own language (Alembic, Django, Rails, Knex,
// node-pg-migrate, TypeORM): their history tables, compared with what the framework ran in the
// sandbox (`verify --command`, `status --command`).

#include <algorithm>
#include <set>

#include "pgdrift/util/error.hpp"
#include "tools.hpp"

namespace pgdrift::history {

namespace {

struct Spec {
  const char* tool;
  const char* table;
  const char* select;  // the id as `migration_id`, in the order applied; {table} is replaced
};

const Spec k_specs[] = {
    {"alembic", "alembic_version", "SELECT version_num AS migration_id FROM {table} ORDER BY version_num"},
    {"django", "django_migrations", "SELECT app || '.' || name AS migration_id FROM {table} ORDER BY id"},
    {"rails", "schema_migrations", "SELECT version AS migration_id FROM {table} ORDER BY version"},
    {"knex", "knex_migrations", "SELECT name AS migration_id FROM {table} ORDER BY id"},
    {"node-pg-migrate", "pgmigrations", "SELECT name AS migration_id FROM {table} ORDER BY run_on, id"},
    {"typeorm", "migrations", "SELECT name AS migration_id FROM {table} ORDER BY id"},
};

}  // namespace

History read_framework(db::Connection& connection, const std::string& tool) {
  const Spec* spec = nullptr;
  for (const auto& s : k_specs) {
    if (tool == s.tool) spec = &s;
  }
  if (spec == nullptr) {
    throw usage_error("no history table is known for the framework '" + tool + "'",
                      "README \"Framework migrations\" lists the frameworks pgdrift reads");
  }
  const auto table = detail::find_table(connection, spec->table, tool);
  if (!table) return {false, spec->table, {}};
  std::string sql = spec->select;
  sql.replace(sql.find("{table}"), 7, table->sql);
  const auto rows = detail::select(connection, *table, tool, sql);
  History history{true, table->name, {}};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Applied row;
    row.version = detail::text(rows, r, "migration_id");
    history.applied.push_back(std::move(row));
  }
  return history;
}

std::vector<Entry> compare_framework(const std::vector<migrations::Migration>& repository,
                                     const History& history, const std::string& tool) {
  if (!history.found) return detail::all_pending(repository);
  std::set<std::string> applied;
  std::vector<Entry> out;
  if (tool == "alembic") {
    // alembic_version holds the heads only: what leads up to one is applied.
    std::size_t upto = 0;
    for (const auto& row : history.applied) {
      const auto it = std::find_if(repository.begin(), repository.end(),
                                   [&](const migrations::Migration& m) { return m.version == row.version; });
      if (it == repository.end()) continue;
      upto = std::max(upto, static_cast<std::size_t>(it - repository.begin()) + 1);
    }
    for (std::size_t i = 0; i < upto; ++i) applied.insert(repository[i].version);
  } else {
    for (const auto& row : history.applied) applied.insert(row.version);
  }
  std::set<std::string> known;
  for (const auto& m : repository) {
    known.insert(m.version);
    if (applied.count(m.version) == 0) out.push_back(detail::entry(State::pending, m));
  }
  for (const auto& row : history.applied) {
    if (known.count(row.version) == 0) out.push_back(detail::entry(State::unknown, row.version, ""));
  }
  return out;
}

}  // namespace pgdrift::history
