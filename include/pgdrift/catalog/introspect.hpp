#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/db/connection.hpp"

namespace pgdrift::catalog {

struct IntrospectOptions {
  std::vector<std::string> include_schemas;  // empty = all non-system schemas
  std::vector<std::string> exclude_schemas;
  std::vector<std::string> exclude_objects;  // globs on "schema.name" (or "name"), e.g. "public.tmp_*"
  // Tables of migration tools, left out of the model (matched by table name in any schema).
  // Framework tools' too (Alembic, Django, Rails' ar_internal_metadata, Knex, node-pg-migrate);
  // TypeORM's `migrations` only when `verify --command` saw TypeORM write it (too common a name).
  std::vector<std::string> history_tables = {"schema_migrations", "flyway_schema_history", "goose_db_version",
                                             "_prisma_migrations", "__drizzle_migrations",
                                             "__diesel_schema_migrations", "alembic_version",
                                             "django_migrations", "ar_internal_metadata", "knex_migrations",
                                             "knex_migrations_lock", "pgmigrations"};
  // When set, only the objects "about" these names are read, as in_focus() decides: a focused read
  // of what a few statements touched (the destructive guard's), far cheaper than the whole schema.
  // Names are unqualified and match in every schema read.
  std::optional<std::vector<std::string>> focus;
};

// Whether a focused read of `names` reads `id`: a column, constraint, trigger or policy when its
// table is named; an index when it or its table is; a function or procedure by its name without
// the argument list; anything else by its own name. A model read with options.focus = names holds
// exactly the database's objects for which this is true.
bool in_focus(const ObjectId& id, const std::vector<std::string>& names);

// Reads the schema of the database `connection` is connected to, in one REPEATABLE READ,
// READ ONLY transaction with search_path = '' (so deparsed names are qualified the same way
// everywhere), DateStyle=ISO, IntervalStyle=postgres, extra_float_digits=3. Leaves out system
// schemas, extension members, dropped columns and implied objects. A handful of set-based
// queries, not one per object. Throws pgdrift::Error (infrastructure) when a query fails.
SchemaModel introspect(db::Connection& connection, const IntrospectOptions& options = {});

// The SET LOCAL statements introspect() runs at the start of its transaction, which decide how
// the deparsers print: anything that compares deparsed text with a model (diff's expression
// canonicalizer) runs them too.
std::vector<std::string> deparse_settings();

}  // namespace pgdrift::catalog
