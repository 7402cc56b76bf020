#pragma once

// Private to the history module: what the per-tool readers and comparisons share, and one
// reader and one comparison per migration tool.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/history/history.hpp"
#include "pgdrift/migrations/migration.hpp"

namespace pgdrift::history::detail {

using migrations::Migration;
using Migrations = std::vector<Migration>;

// A history table as the session resolves it.
struct Table {
  std::string name;  // schema-qualified, for messages: "public.flyway_schema_history"
  std::string sql;   // quoted, for queries: "public"."flyway_schema_history"
};

// Resolves `name` (unqualified: through the search_path) without failing when it is absent:
// nullopt then. Throws pgdrift::Error (infrastructure) naming `name` when the lookup itself fails.
std::optional<Table> find_table(db::Connection& connection, const std::string& name,
                                const std::string& tool);

// Runs the SELECT `sql` against `table`; any failure (permissions, a table of another tool without
// the expected columns) throws pgdrift::Error (infrastructure) naming the table and the tool.
db::Rows select(db::Connection& connection, const Table& table, const std::string& tool,
                const std::string& sql);

// The value in row `r`, column `column`: "" for NULL.
std::string text(const db::Rows& rows, std::size_t r, const std::string& column);
// True for Postgres's text form of boolean true ("t").
bool is_true(const db::Rows& rows, std::size_t r, const std::string& column);

// Orders two integers written in decimal ("007" == "7", "-1" < "0"), without overflow: <0, 0, >0.
// Text that is not an integer orders after every integer, then by plain comparison.
int compare_numbers(std::string_view a, std::string_view b);

// An entry about a repository migration / about a history row with no repository file.
Entry entry(State state, const Migration& migration, std::string detail = {});
Entry entry(State state, std::string version, std::string name, std::string detail = {});

// Every repository migration as pending: what a target without a history table has.
std::vector<Entry> all_pending(const Migrations& repository);

// For tools that keep one row per applied version and nothing more (dbmate, diesel, goose after
// picking the latest row per version): `applied` rows whose version no repository migration has
// (by `numeric` or exact comparison) are unknown; repository migrations without a row are pending.
std::vector<Entry> compare_versions(const Migrations& repository,
                                    const std::vector<Applied>& applied, bool numeric,
                                    const std::string& tool);

// Flyway (flyway.cpp).
History read_flyway(db::Connection& connection);
std::vector<Entry> compare_flyway(const Migrations& repository, const History& history);

// golang-migrate, dbmate, goose, diesel (one file each).
History read_golang_migrate(db::Connection& connection);
std::vector<Entry> compare_golang_migrate(const Migrations& repository, const History& history);
// A table with one row per applied version (dbmate, Diesel): `table_name`'s `version` column.
History read_version_rows(db::Connection& connection, const std::string& table_name, const std::string& tool);
History read_dbmate(db::Connection& connection);
std::vector<Entry> compare_dbmate(const Migrations& repository, const History& history);
History read_goose(db::Connection& connection);
std::vector<Entry> compare_goose(const Migrations& repository, const History& history);
History read_diesel(db::Connection& connection);
History read_supabase(db::Connection& connection);
std::vector<Entry> compare_supabase(const Migrations& repository, const History& history);
std::vector<Entry> compare_diesel(const Migrations& repository, const History& history);

// Prisma (prisma.cpp). Its checksums are SHA-256 hex of migration.sql.
History read_prisma(db::Connection& connection);
std::vector<Entry> compare_prisma(const Migrations& repository, const History& history);
// Prisma's own test: the file, or the file with CRLF turned into LF or LF into CRLF, hashes to
// `recorded` (also in the unpadded hex an old Prisma wrote, when `recorded` is not 64 long).
bool prisma_checksum_matches(std::string_view source, std::string_view recorded);

// Drizzle (drizzle.cpp). Rows carry the SHA-256 hex of the .sql file and the journal's `when`.
History read_drizzle(db::Connection& connection);
std::vector<Entry> compare_drizzle(const Migrations& repository, const History& history);

}  // namespace pgdrift::history::detail
