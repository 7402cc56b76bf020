// Diesel: __diesel_schema_migrations(version varchar, run_on timestamp), one row per applied
// migration; the version is the folder name before its first '_' with the '-' removed
// ("2023-01-01-000000_create_users" → "20230101000000"), as the migrations module sets it. No
// checksums; a failed migration is rolled back and leaves no row.

#include "tools.hpp"

namespace pgdrift::history::detail {

History read_diesel(db::Connection& connection) {
  return read_version_rows(connection, "__diesel_schema_migrations", "Diesel");
}

std::vector<Entry> compare_diesel(const Migrations& repository, const History& history) {
  return compare_versions(repository, history.applied, /*numeric=*/false, "Diesel");
}

}  // namespace pgdrift::history::detail
