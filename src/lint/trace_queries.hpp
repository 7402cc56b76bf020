#pragma once

// Private to lint/trace: the catalog queries of the Tracer and their rows. Every name is
// schema-qualified (the migration may have set any search_path) and no query changes the session.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/sql/statement.hpp"

namespace pgdrift::lint::trace {

using Oid = std::uint32_t;

// Objects with smaller oids were created by initdb (FirstNormalObjectId).
constexpr Oid k_first_user_oid = 16384;

// One row of the queries below. `kind` says which fields are set:
//   'l' a relation lock this backend holds: oid, mode ("ShareLock"), filenode (absent when the
//       relation was dropped or has no storage), scans (when counted), transaction (its virtual
//       transaction id: equal for two rows only when they come from the same transaction)
//   'r' a relation: oid, filenode, schema, name, scans (tables only, when counted); in
//       snapshots also relkind and table (the indexed table of an index, else itself)
//   'c' a constraint: oid, relkind (its contype: 'f' = foreign key), table (its table), name
//   'd' the current database: oid
struct Row {
  char kind = 'r';
  Oid oid = 0;
  char relkind = 0;
  std::optional<std::string> filenode;
  Oid table = 0;
  std::string schema;
  std::string name;
  std::optional<long long> scans;
  std::string mode;
  std::string transaction;
};

// Runs one of the queries below (`statement`: a statement_sql one, else snapshot_sql); throws
// pgdrift::Error (infrastructure) naming `what`.
std::vector<Row> run(db::Connection& connection, const std::string& sql, const std::string& what, bool statement);

// 'r' rows (table set) for the relations with an oid above `after_relation`, system schemas
// included (see user_schema). When `first`, also 'c' rows for every foreign key and for the
// constraint with the largest oid, and 'd'.
std::string snapshot_sql(Oid after_relation, bool first, int server_version_num);

// Whether relations in `schema` are the user's: not pg_catalog, pg_toast, pg_temp_N or
// information_schema.
bool user_schema(const std::string& schema);

// The query run after (almost) every statement, as a prepared statement: `name` (prefixed
// pgdrift_trace_, one per variant of `sql`), `sql` with $1… and their values. Empty name and sql
// when there is nothing to ask.
struct StatementQuery {
  std::string name;
  std::string sql;
  std::vector<std::optional<std::string>> params;
};

// After a statement: 'l' rows for this backend's locks on relations with oids up to
// `max_relation` (none outside a transaction), when `after_constraint` is set 'c' rows for the
// constraints with a larger oid (created since), and when `all_relations` 'r' rows (no table)
// for every relation up to `max_relation`. The oids are parameters, so one variant's text never
// changes on a connection: prepared once, it is neither parsed nor planned again. Empty when
// there is nothing to ask (max_relation 0 and no `after_constraint`).
StatementQuery statement_query(Oid database, Oid max_relation, std::optional<Oid> after_constraint, bool all_relations,
                               int server_version_num);

// Runs the prepared statement query.name (prepared from query.sql) with query.params; rows as
// run(…, statement = true). Throws pgdrift::Error (infrastructure) naming `what`.
std::vector<Row> run_prepared(db::Connection& connection, const StatementQuery& query, const std::string& what);

// A foreign key whose referencing columns lead no index of its table.
struct UnindexedForeignKey {
  Oid oid = 0;
  Oid table_oid = 0;
  std::string schema, table, name;   // as in the catalog
  std::string columns;               // quoted, in key order: "user_id", "a, b"
  std::string referenced;            // schema.table, as in the catalog
  std::string quoted_table;          // schema.table quoted for SQL
  bool partitioned = false;          // the table is partitioned (no CONCURRENTLY on it)
};

// Every such foreign key outside pg_catalog, information_schema and pg_toast, by table and name.
std::vector<UnindexedForeignKey> unindexed_foreign_keys(db::Connection& connection, int server_version_num);

// Statement classification (trace_statements.cpp).
// The command of a command tag: "INSERT" of "INSERT 0 1", "ALTER TABLE" of "ALTER TABLE".
std::string command_name(std::string_view tag);
// Statements that run without a snapshot: nothing is asked after them.
bool takes_no_snapshot(const std::string& node);
// Statements that take no lock, rewrite or scan worth a finding and create no constraint.
bool changes_nothing_traced(const std::string& node, bool in_transaction);
// Whether `statement` may create a foreign key (declares one, or runs code that could).
bool may_create_foreign_key(const sql::Statement& statement);
// Whether a statement (by its parse node) may drop the session's prepared statements.
bool may_drop_prepared(const std::string& node);
// Whether `statement` may create a table, materialized view or index.
bool may_create_relation(const sql::Statement& statement);
// Statements that may rename relations or schemas (or do anything at all: DO, CALL).
bool renames(const std::string& node);

}  // namespace pgdrift::lint::trace
