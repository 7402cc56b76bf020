// dbmate: schema_migrations(version varchar) with one row per applied migration, the version
// exactly as the file name starts. No checksums and no failure state: dbmate runs each
// migration in a transaction (unless `transaction:false`) and writes the row only on success.

#include "tools.hpp"

namespace pgdrift::history::detail {

History read_version_rows(db::Connection& connection, const std::string& table_name, const std::string& tool) {
  const auto table = find_table(connection, table_name, tool);
  if (!table) return {false, table_name, {}};
  const db::Rows rows =
      select(connection, *table, tool, "SELECT version FROM " + table->sql + " ORDER BY version");
  History history{true, table->name, {}};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Applied row;
    row.version = text(rows, r, "version");
    history.applied.push_back(std::move(row));
  }
  return history;
}

History read_dbmate(db::Connection& connection) {
  return read_version_rows(connection, "schema_migrations", "dbmate");
}

std::vector<Entry> compare_dbmate(const Migrations& repository, const History& history) {
  return compare_versions(repository, history.applied, /*numeric=*/false, "dbmate");
}

// The Supabase CLI: supabase_migrations.schema_migrations(version text, name, statements), one
// row per applied file, written in the same batch as the file's statements.
History read_supabase(db::Connection& connection) {
  return read_version_rows(connection, "supabase_migrations.schema_migrations", "the Supabase CLI");
}

std::vector<Entry> compare_supabase(const Migrations& repository, const History& history) {
  return compare_versions(repository, history.applied, /*numeric=*/false, "the Supabase CLI");
}

}  // namespace pgdrift::history::detail
