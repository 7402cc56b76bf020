#pragma once

// Private to the replay module: each migration tool's history table, kept in the sandbox the way
// the tool keeps it, so that a migration touching it (ALTER TABLE schema_migrations …) replays as
// it runs under the tool. Catalog introspection leaves these tables out of the model.

#include <optional>
#include <string>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"

namespace pgdrift::replay::detail {

// What the tool writes around one migration: `before` runs on its own before the migration starts
// (golang-migrate's dirty mark, Prisma's started row); `inside` runs after the migration's last
// statement, inside its transaction when it has one; `after` once it committed.
struct HistoryWrites {
  std::vector<std::string> before;
  std::vector<std::string> inside;
  std::vector<std::string> after;
};

class HistoryTable {
 public:
  // The table of `format`'s tool; none for plain (and automatic) trees.
  explicit HistoryTable(migrations::Format format);

  bool exists_for_format() const { return !m_create.empty(); }
  // "public.schema_migrations", for messages ("" before prepare()).
  const std::string& name() const { return m_name; }

  // Creates the table as the tool does before its first migration, unless it is there (a database
  // restored from the replay cache has it); the schema it lands in is resolved once, here, so a
  // migration that changes search_path does not move it. A failure is infrastructure (throws).
  void prepare(db::Connection& connection);

  // The statements the tool runs with `migration` (after prepare()). `statements` are the
  // migration's statement texts (the Supabase CLI records them); `duration_ms` its run time.
  HistoryWrites writes(const migrations::Migration& migration, const std::vector<std::string>& statements,
                       double duration_ms) const;

 private:
  migrations::Format m_format;
  std::string m_table;              // unqualified name
  std::string m_schema_sql;         // the schema the tool creates first, or "" (drizzle, Supabase)
  std::vector<std::string> m_create;  // DDL with {T} standing for the qualified table
  std::string m_name;               // schema.table, resolved by prepare()
  std::string m_qualified;          // quoted schema.table, resolved by prepare()
};

}  // namespace pgdrift::replay::detail
