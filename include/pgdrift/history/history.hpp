#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"

namespace pgdrift::history {

// One row of a migration tool's history table, normalized.
struct Applied {
  std::string version;      // as the tool records it (Flyway "1.1", Prisma folder name, …)
  std::string description;  // when the tool records one
  std::optional<std::string> checksum;  // when the tool records one (in the tool's own scheme)
  bool success = true;                  // false: failed / dirty / rolled back / not applied
  bool rolled_back = false;             // the tool recorded it as undone (Prisma rolled_back_at,
                                        // goose is_applied = false): not applied, not a failure
  bool repeatable = false;              // Flyway repeatable (R__): `version` holds the description
  std::string type;                     // the tool's row type where it has one (Flyway "SQL",
                                        // "BASELINE", "SCHEMA", "DELETE", "UNDO_SQL", …)
  std::string log;                      // the tool's log of the attempt, when recorded (Prisma)
};

// What a target's history table says, for one migrations format.
struct History {
  bool found = false;            // false: no history table (a database never migrated by the tool)
  std::string table;             // e.g. "public.flyway_schema_history"
  std::vector<Applied> applied;  // in the order the tool applied them
};

// Reads the history table of `format` (flyway_schema_history, schema_migrations of golang-migrate
// and dbmate, goose_db_version, _prisma_migrations, __drizzle_migrations,
// __diesel_schema_migrations) from `connection`, read only. A missing table is found=false, not an
// error; a table that cannot be read (permissions) throws pgdrift::Error (infrastructure). Plain
// SQL has no history table (found=false); Format::automatic throws pgdrift::Error (usage).
History read(db::Connection& connection, migrations::Format format);

enum class State {
  pending,            // in the repository, not applied on the target
  unknown,            // applied on the target, not in the repository (another branch, or by hand)
  checksum_mismatch,  // applied, but the file changed since (only where the tool records checksums)
  failed,             // the tool recorded a failed or dirty state
};

// "pending", "unknown", "checksum-mismatch", "failed".
std::string to_string(State state);

struct Entry {
  State state = State::pending;
  std::string version;
  std::string name;                                  // description / file name
  const migrations::Migration* migration = nullptr;  // the repository's file, when there is one
  std::string detail;                                // e.g. "recorded checksum 123, file now 456"
};

// Compares the repository's migrations with a target's history. Only what needs attention is
// returned: applied-and-unchanged migrations are not listed. Entries follow the repository's
// order, then history rows without a file in the order applied. No history table: everything is
// pending (plain SQL or an undetected format: nothing).
std::vector<Entry> compare(const std::vector<migrations::Migration>& repository,
                           const History& history, migrations::Format format);

// The checksum `format`'s tool would record for `migration`, if the tool records one (Flyway:
// its CRC32 over lines; Prisma and Drizzle: SHA-256 hex of the file); nullopt otherwise.
std::optional<std::string> tool_checksum(const migrations::Migration& migration,
                                         migrations::Format format);

// The history table of a framework that runs migrations written in its own language, by the
// framework's name (replay::framework_tools(): "alembic", "django", "rails", "knex",
// "node-pg-migrate", "typeorm"), read only: alembic_version (its heads), django_migrations
// (app.name), schema_migrations (version), knex_migrations, pgmigrations, migrations (name), in
// the order applied. A missing table is found=false. Throws pgdrift::Error (usage) for an unknown
// name, (infrastructure) when the table cannot be read.
History read_framework(db::Connection& connection, const std::string& tool);

// Compares the migrations a framework ran in the sandbox (Migration::version is the id it
// recorded) with a target's history of that framework. Alembic records only its heads: every
// migration up to a head counts as applied. No history table: everything is pending.
std::vector<Entry> compare_framework(const std::vector<migrations::Migration>& repository,
                                     const History& history, const std::string& tool);

}  // namespace pgdrift::history
