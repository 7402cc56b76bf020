#include <string>

#include "pgdrift/util/text.hpp"
#include "relations.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

// pg_get_indexdef's output without "CREATE [UNIQUE] INDEX <name> ON [ONLY] <table> ", so the
// index's own name and schema do not leak into its definition.
std::string definition(const db::Rows& rows, std::size_t r) {
  const std::string full = text(rows, r, "definition");
  const std::string prefix =
      std::string("CREATE ") + (boolean(rows.at(r, "is_unique")) == "true" ? "UNIQUE " : "") +
      "INDEX " + text(rows, r, "quoted_name") + " ON " +
      (text(rows, r, "table_kind") == "p" ? "ONLY " : "") + text(rows, r, "table_ref") + " ";
  return util::starts_with(full, prefix) ? full.substr(prefix.size()) : full;
}

}  // namespace

void read_indexes(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  // Left out: indexes backing a primary key, unique or exclusion constraint (shown as the
  // constraint) and partitions' indexes attached to a partitioned index (implied by it).
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, c.relname AS table_name, i.relname AS name,"
      " pg_catalog.quote_ident(i.relname) AS quoted_name,"
      " c.oid::pg_catalog.regclass::pg_catalog.text AS table_ref,"
      " c.relkind AS table_kind, pg_catalog.pg_get_indexdef(i.oid) AS definition,"
      " x.indisunique AS is_unique, x.indisvalid AS valid, x.indisclustered AS clustered, " +
      comment_sql("i.oid", "pg_class") + " AS comment"
      " FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
      " JOIN pg_catalog.pg_class c ON c.oid = x.indrelid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE " + relation_condition(scope, "'r', 'p', 'm'", {"c.relname", "i.relname"}) + " AND " +
      Scope::not_extension_member("'pg_catalog.pg_class'::pg_catalog.regclass", "i.oid") +
      " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conindid = i.oid"
      "  AND con.conrelid = c.oid AND con.contype IN ('p', 'u', 'x'))"
      " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid = i.oid)");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties{
        {"definition", definition(rows, r)},
        {"unique", boolean(rows.at(r, "is_unique"))},
        {"valid", boolean(rows.at(r, "valid"))},
    };
    // Not in the spec's list (ALTER TABLE … CLUSTER ON): shown only when set.
    if (boolean(rows.at(r, "clustered")) == "true") properties["clustered"] = "true";
    add_if(properties, "comment", rows.at(r, "comment"));
    model.add(
        {Kind::index, text(rows, r, "schema"), text(rows, r, "name"), text(rows, r, "table_name")},
        std::move(properties));
  }
}

}  // namespace pgdrift::catalog::detail
