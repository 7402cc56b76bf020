#pragma once

// The catalog readers: each fills the model with one family of objects using a few set-based
// queries (never one query per object). They run inside introspect()'s REPEATABLE READ, READ
// ONLY transaction with search_path = '', so every name deparsed by format_type, pg_get_expr,
// pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef…
// comes out schema-qualified the same way whatever the database's own search_path.
//
// Every reader leaves out: system schemas (pg_catalog, information_schema, pg_toast*, pg_temp_*),
// objects that belong to an extension (pg_depend deptype 'e'), and the implied objects named
// below. Values are strings; booleans are "true"/"false"; an absent optional property is simply
// not added (never an empty string), so adding one is a visible difference.
//
// PROPERTY NAMES (the public JSON model; the README documents them from this list):
//   schema            comment, privileges
//   extension         version, schema
//   enum              labels ("'a', 'b'" in sort order), comment, privileges
//   domain            type, default, not_null, checks ("CONSTRAINT c CHECK (…)" joined by "\n",
//                     sorted by constraint name), collation (when not the type's default),
//                     comment, privileges
//   composite type    attributes ("a integer, b text COLLATE \"C\"" in attribute order), comment
//   sequence          type, start, increment, min, max, cache, cycle, owned_by ("schema.table.column"),
//                     comment, privileges — standalone sequences only: identity and serial
//                     sequences are hidden (shown on their column)
//   table             kind ("table" | "partitioned table" | "partition"), partition_key
//                     ("RANGE (created_at)", partitioned tables), partition_of ("public.parent") and
//                     partition_bound ("FOR VALUES …") for partitions, inherits ("public.a, public.b"),
//                     unlogged, rls_enabled, rls_forced, options (reloptions "a=1, b=2"),
//                     comment, privileges
//   column            type (format_type), not_null, default (pg_get_expr; not for generated
//                     columns), identity ("always" | "by default"), identity_sequence (the
//                     sequence options when non-default, e.g. "START WITH 100"), generated
//                     (the expression of a STORED generated column), collation (when not the
//                     type's default), storage and compression (when not the type's default),
//                     position (1-based rank among live columns; informational), comment,
//                     privileges (column grants) — inherited columns of partitions and
//                     children are hidden; dropped columns never appear
//   constraint        type ("primary key" | "unique" | "check" | "foreign key" | "exclusion"),
//                     definition (pg_get_constraintdef), validated, deferrable, deferred,
//                     comment — inherited constraints of partitions/children are hidden; NOT NULL
//                     is a column property, not a constraint
//   index             definition (pg_get_indexdef without "CREATE [UNIQUE] INDEX name ON table":
//                     e.g. "USING btree (lower(email)) INCLUDE (id) WHERE (deleted_at IS NULL)"),
//                     unique, valid, comment — indexes backing PK/unique/exclusion constraints
//                     are hidden (shown as the constraint); partition child indexes are hidden;
//                     indexes of materialized views have table = the view
//   view              definition (pg_get_viewdef, trimmed), options (reloptions), comment, privileges
//   materialized view definition, options, comment, privileges
//   function          name is "f(integer, text)": argument types only (oidvectortypes), as
//                     Postgres tells functions apart — a parameter rename is not a new function;
//   procedure         returns (pg_get_function_result; functions only), language, volatility
//                     ("immutable" | "stable" | "volatile"), security_definer, strict,
//                     definition (pg_get_functiondef, trimmed), comment, privileges
//   trigger           definition (pg_get_triggerdef), enabled ("origin" | "disabled" | "replica" |
//                     "always"), comment — internal (FK) triggers and partition clones hidden
//   policy            command ("ALL" | "SELECT" | …), permissive, roles ("a, b", sorted),
//                     using, with_check, comment
//
// comment: from pg_description (obj_description/col_description), only when set.
// privileges: only when the ACL is not the built-in default (not NULL): the grants to others than
// the owner as "grantee=PRIVILEGE[ WITH GRANT OPTION]" items, sorted, joined by ", " (PUBLIC as
// "PUBLIC"), or "none" when nothing is granted to anyone else (e.g. REVOKE ALL … FROM PUBLIC).
//
// `comment`, `privileges` and `position` are in the model but not compared by default
// (is_informational).

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/db/connection.hpp"

namespace pgdrift::catalog::detail {

// What the readers need to know besides the connection.
struct Scope {
  int server_version_num = 0;
  // SQL condition on a pg_namespace alias selecting the user schemas to read, e.g.
  // schema_condition("n") → "n.nspname NOT IN ('pg_catalog', …) AND …".
  std::string schema_condition(const std::string& alias) const;
  // SQL condition on a catalog row `alias` (with class id `classid`, e.g. "'pg_class'::regclass"
  // and oid column `oid_column`) excluding objects that belong to an extension.
  static std::string not_extension_member(const std::string& classid, const std::string& oid_column);
  // " AND (<col> = ANY(<focus>) OR …)" for a focused read (IntrospectOptions::focus), "" otherwise:
  // the name columns that put a row in focus (see in_focus()).
  std::string focus_condition(std::initializer_list<std::string> name_columns) const;

  std::vector<std::string> include_schemas;
  std::vector<std::string> exclude_schemas;
  std::optional<std::vector<std::string>> focus;
};

// Schemas and extensions.
void read_namespaces(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Enums, domains, composite types.
void read_types(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Standalone sequences.
void read_sequences(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Tables (with partitioning and inheritance), their columns and constraints.
void read_tables(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Indexes not backing constraints (tables and materialized views).
void read_indexes(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Views and materialized views.
void read_views(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Functions and procedures.
void read_routines(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Triggers and row-level-security policies.
void read_triggers_and_policies(db::Connection& connection, const Scope& scope, SchemaModel& model);

}  // namespace pgdrift::catalog::detail
