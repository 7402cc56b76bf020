// Objects of the kinds the model lacks, listed so that `diff` can say it did not compare them
// instead of ignoring them silently. Built-in objects have OIDs below FirstNormalObjectId (16384).

#include "pgdrift/catalog/unmodeled.hpp"

namespace pgdrift::catalog {

namespace {

// The condition that the row `alias` of `catalog` is neither built in nor made by an extension.
std::string user_made(const std::string& catalog, const std::string& alias) {
  return alias + ".oid >= 16384 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE " +
         "d.classid = '" + catalog + "'::pg_catalog.regclass AND d.objid = " + alias +
         ".oid AND d.deptype = 'e')";
}

const char* const k_user_schema =
    "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'pgdrift_journal') "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'";

std::string query() {
  const std::string schema = k_user_schema;
  return std::string(
             "SELECT 'cast' AS kind, pg_catalog.format_type(c.castsource, NULL) || ' AS ' || "
             "pg_catalog.format_type(c.casttarget, NULL) AS name FROM pg_catalog.pg_cast c WHERE ") +
         user_made("pg_catalog.pg_cast", "c") +
         " UNION ALL SELECT 'collation', pg_catalog.quote_ident(n.nspname) || '.' || "
         "pg_catalog.quote_ident(o.collname) FROM pg_catalog.pg_collation o JOIN "
         "pg_catalog.pg_namespace n ON n.oid = o.collnamespace WHERE " +
         user_made("pg_catalog.pg_collation", "o") + " AND " + schema +
         " UNION ALL SELECT 'event trigger', pg_catalog.quote_ident(e.evtname) FROM "
         "pg_catalog.pg_event_trigger e WHERE " +
         user_made("pg_catalog.pg_event_trigger", "e") +
         " AND e.evtname NOT LIKE 'pgdrift\\_journal\\_%'"
         " UNION ALL SELECT 'operator', pg_catalog.quote_ident(n.nspname) || '.' || o.oprname || "
         "'(' || COALESCE(pg_catalog.format_type(NULLIF(o.oprleft, 0), NULL), 'NONE') || ',' || "
         "COALESCE(pg_catalog.format_type(NULLIF(o.oprright, 0), NULL), 'NONE') || ')' FROM "
         "pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace WHERE " +
         user_made("pg_catalog.pg_operator", "o") + " AND " + schema +
         " UNION ALL SELECT 'publication', pg_catalog.quote_ident(p.pubname) FROM "
         "pg_catalog.pg_publication p WHERE " +
         user_made("pg_catalog.pg_publication", "p") +
         " UNION ALL SELECT 'statistics object', pg_catalog.quote_ident(n.nspname) || '.' || "
         "pg_catalog.quote_ident(s.stxname) FROM pg_catalog.pg_statistic_ext s JOIN "
         "pg_catalog.pg_namespace n ON n.oid = s.stxnamespace WHERE " +
         user_made("pg_catalog.pg_statistic_ext", "s") + " AND " + schema +
         " UNION ALL SELECT 'text search configuration', pg_catalog.quote_ident(n.nspname) || '.' "
         "|| pg_catalog.quote_ident(t.cfgname) FROM pg_catalog.pg_ts_config t JOIN "
         "pg_catalog.pg_namespace n ON n.oid = t.cfgnamespace WHERE " +
         user_made("pg_catalog.pg_ts_config", "t") + " AND " + schema +
         " ORDER BY 1, 2";
}

}  // namespace

std::vector<UnmodeledObject> unmodeled_objects(db::Connection& connection) {
  // Type names schema-qualified, as everywhere in the model: search_path = '' for this query only.
  connection.query("BEGIN READ ONLY");
  db::Rows rows;
  try {
    connection.query("SET LOCAL search_path = ''");
    rows = connection.query(query());
  } catch (...) {
    connection.execute("ROLLBACK");
    throw;
  }
  connection.query("COMMIT");
  std::vector<UnmodeledObject> out;
  for (const auto& row : rows.rows) {
    if (row.size() < 2 || !row[0] || !row[1]) continue;
    out.push_back({*row[0], *row[1]});
  }
  return out;
}

}  // namespace pgdrift::catalog
