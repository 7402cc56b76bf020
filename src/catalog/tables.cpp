#include <optional>
#include <string>

#include "relations.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

std::string relation_condition(const Scope& scope, const std::string& relkinds,
                               std::initializer_list<std::string> focus_columns) {
  return "c.relkind IN (" + relkinds + ") AND " + scope.schema_condition("n") + " AND " +
         Scope::not_extension_member("'pg_catalog.pg_class'::pg_catalog.regclass", "c.oid") +
         scope.focus_condition(focus_columns);
}

std::string options_sql(const std::string& array) {
  // Postgres keeps an option's value as written: autovacuum_enabled=off and =false are the same.
  // Sorted bytewise so that the database's collation does not matter.
  return "(SELECT pg_catalog.string_agg(o.name || '=' || CASE"
         " WHEN pg_catalog.lower(o.value) IN ('on', 'true', 'yes') THEN 'true'"
         " WHEN pg_catalog.lower(o.value) IN ('off', 'false', 'no') THEN 'false'"
         " ELSE o.value END, ', ' ORDER BY o.name COLLATE pg_catalog.\"C\")"
         " FROM (SELECT pg_catalog.split_part(x, '=', 1) AS name,"
         " pg_catalog.substr(x, pg_catalog.strpos(x, '=') + 1) AS value"
         " FROM pg_catalog.unnest(" + array + ") x) o)";
}

std::string text(const db::Rows& rows, std::size_t r, const std::string& column) {
  const auto& value = rows.at(r, column);
  return value ? *value : std::string();
}

namespace {

std::string table_kind(const db::Rows& rows, std::size_t r) {
  if (boolean(rows.at(r, "is_partition")) == "true") return "partition";
  return text(rows, r, "relkind") == "p" ? "partitioned table" : "table";
}

// REPLICA IDENTITY when not DEFAULT: "full", "nothing" or "index <name>".
std::optional<std::string> replica_identity(const db::Rows& rows, std::size_t r) {
  const std::string identity = text(rows, r, "replica_identity");
  if (identity == "f") return "full";
  if (identity == "n") return "nothing";
  if (identity == "i") return "index " + text(rows, r, "replica_index");
  return std::nullopt;
}

}  // namespace

void read_tables(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, c.relname AS name, c.relkind AS relkind,"
      " c.relispartition AS is_partition, c.relpersistence = 'u' AS unlogged,"
      " c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced, " +
      options_sql("c.reloptions") + " AS options,"
      " CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,"
      " CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid)"
      " END AS partition_bound,"
      " (SELECT pg_catalog.string_agg(h.inhparent::pg_catalog.regclass::pg_catalog.text, ', '"
      "  ORDER BY h.inhseqno) FROM pg_catalog.pg_inherits h WHERE h.inhrelid = c.oid) AS parents,"
      " c.relreplident AS replica_identity,"
      " (SELECT pg_catalog.quote_ident(ic.relname) FROM pg_catalog.pg_index x"
      "  JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid"
      "  WHERE x.indrelid = c.oid AND x.indisreplident) AS replica_index, " +
      comment_sql("c.oid", "pg_class") + " AS comment, " +
      privileges_sql("c.relacl", "c.relowner") + " AS privileges"
      " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE " + relation_condition(scope, "'r', 'p'"));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string kind = table_kind(rows, r);
    Properties properties{
        {"kind", kind},
        {"unlogged", boolean(rows.at(r, "unlogged"))},
        {"rls_enabled", boolean(rows.at(r, "rls_enabled"))},
        {"rls_forced", boolean(rows.at(r, "rls_forced"))},
    };
    add_if(properties, "partition_key", rows.at(r, "partition_key"));
    if (kind == "partition") {
      add_if(properties, "partition_of", rows.at(r, "parents"));
      add_if(properties, "partition_bound", rows.at(r, "partition_bound"));
    } else {
      add_if(properties, "inherits", rows.at(r, "parents"));
    }
    add_if(properties, "options", rows.at(r, "options"));
    // Not in the spec's list: shown only when not DEFAULT.
    add_if(properties, "replica_identity", replica_identity(rows, r));
    add_columns(properties, rows, r, {"comment", "privileges"});
    model.add({Kind::table, text(rows, r, "schema"), text(rows, r, "name"), ""},
              std::move(properties));
  }
  read_columns(connection, scope, model);
  read_constraints(connection, scope, model);
}

}  // namespace pgdrift::catalog::detail
