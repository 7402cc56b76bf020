#include <string>

#include "readers.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

// SQL expression: collation `oid` as written after COLLATE: `"C"` for pg_catalog's collations,
// `schema.name` (quoted as needed) for others.
std::string collation_sql(const std::string& oid) {
  return "(SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN ''"
         " ELSE pg_catalog.quote_ident(cn.nspname) || '.' END || "
         "pg_catalog.quote_ident(co.collname)"
         " FROM pg_catalog.pg_collation co"
         " JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
         " WHERE co.oid = " +
         oid + ")";
}

// Types default to USAGE for PUBLIC: a NULL ACL is read as that default, so that revoking it
// shows (as a missing "PUBLIC=USAGE").
std::string type_privileges_sql() {
  return privileges_sql("t.typacl", "t.typowner");
}

// FROM clause over pg_type `t` and its namespace `n`, limited to user types of kind `typtype`
// that no extension owns.
std::string user_types(const Scope& scope, const std::string& typtype) {
  return " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
         " WHERE t.typtype = '" +
         typtype + "' AND " + scope.schema_condition("n") + " AND " +
         Scope::not_extension_member("'pg_catalog.pg_type'::pg_catalog.regclass", "t.oid") +
         scope.focus_condition({"t.typname"});
}

void read_enums(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, t.typname AS name,"
      " (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', '"
      "  ORDER BY e.enumsortorder)"
      "  FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) AS labels, " +
      comment_sql("t.oid", "pg_type") + " AS comment, " + type_privileges_sql() + " AS privileges" +
      user_types(scope, "e"));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties;
    add_columns(properties, rows, r, {"labels", "comment", "privileges"});
    model.add({Kind::enum_type, *rows.at(r, "schema"), *rows.at(r, "name"), ""},
              std::move(properties));
  }
}

void read_domains(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  // Checks are ordered by constraint name (type name sorts bytewise); NOT NULL is typnotnull,
  // not one of the checks (PostgreSQL 17 also stores it as a contype 'n' constraint).
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, t.typname AS name,"
      " pg_catalog.format_type(t.typbasetype, t.typtypmod) AS type,"
      " COALESCE(pg_catalog.pg_get_expr(t.typdefaultbin, 0), t.typdefault) AS \"default\","
      " t.typnotnull AS not_null,"
      " (SELECT pg_catalog.string_agg('CONSTRAINT ' || pg_catalog.quote_ident(c.conname) || ' ' ||"
      "  pg_catalog.pg_get_constraintdef(c.oid), E'\\n' ORDER BY c.conname)"
      "  FROM pg_catalog.pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c') AS checks,"
      " CASE WHEN t.typcollation <>"
      "  (SELECT b.typcollation FROM pg_catalog.pg_type b WHERE b.oid = t.typbasetype)"
      "  THEN " +
      collation_sql("t.typcollation") + " END AS collation, " + comment_sql("t.oid", "pg_type") +
      " AS comment, " + type_privileges_sql() + " AS privileges" + user_types(scope, "d"));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties;
    add_columns(properties, rows, r, {"type", "default"});
    properties["not_null"] = boolean(rows.at(r, "not_null"));
    add_columns(properties, rows, r, {"checks", "collation", "comment", "privileges"});
    model.add({Kind::domain, *rows.at(r, "schema"), *rows.at(r, "name"), ""},
              std::move(properties));
  }
}

// Standalone composite types only (relkind 'c'): the row types of tables, views and sequences
// are implied by their relation.
void read_composites(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, t.typname AS name,"
      " (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' ' ||"
      "  pg_catalog.format_type(a.atttypid, a.atttypmod) ||"
      "  CASE WHEN a.attcollation <> at.typcollation"
      "  THEN ' COLLATE ' || " +
      collation_sql("a.attcollation") +
      " ELSE '' END, ', ' ORDER BY a.attnum)"
      "  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type at ON at.oid = a.atttypid"
      "  WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attributes, " +
      comment_sql("t.oid", "pg_type") + " AS comment" + user_types(scope, "c") +
      " AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
      "  WHERE c.oid = t.typrelid AND c.relkind = 'c' AND " +
      Scope::not_extension_member("'pg_catalog.pg_class'::pg_catalog.regclass", "c.oid") + ")");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties;
    add_columns(properties, rows, r, {"attributes", "comment"});
    model.add({Kind::composite_type, *rows.at(r, "schema"), *rows.at(r, "name"), ""},
              std::move(properties));
  }
}

}  // namespace

void read_types(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  read_enums(connection, scope, model);
  read_domains(connection, scope, model);
  read_composites(connection, scope, model);
}

}  // namespace pgdrift::catalog::detail
