#include "trace_queries.hpp"

#include <vector>

#include "pgdrift/util/error.hpp"

namespace pgdrift::lint::trace {
namespace {

// Scan counters read from PostgreSQL 15 on are the flushed total plus this backend's pending
// count, which together only grow; older servers flush asynchronously, so only the pending
// (transaction-local) count is usable there.
constexpr int k_shared_stats_since = 150000;
constexpr int k_partitions_since = 110000;  // conparentid, indnkeyatts

std::string oid_literal(Oid oid) { return "'" + std::to_string(oid) + "'::pg_catalog.oid"; }

// The sequential-scan count (int8) of relation `oid`, an SQL expression. For an index Postgres
// counts index scans there: readers ignore the value for anything but tables.
std::string scans(const std::string& oid, int server_version_num) {
  const std::string pending = "pg_catalog.pg_stat_get_xact_numscans(" + oid + ")";
  if (server_version_num < k_shared_stats_since) return pending;
  return "(pg_catalog.pg_stat_get_numscans(" + oid + ") + " + pending + ")";
}

// Schemas of the user: pg_catalog, pg_toast and pg_temp_N start with the reserved "pg_";
// pgdrift_journal is pgdrift's change journal (replay/journal.cpp), written behind every DDL.
const char* const k_user_schema =
    "n.nspname <> 'information_schema' AND pg_catalog.left(n.nspname, 3) <> 'pg_' AND n.nspname <> 'pgdrift_journal'";

Oid to_oid(const std::optional<std::string>& value) {
  return value && !value->empty() ? static_cast<Oid>(std::stoul(*value)) : 0;
}

}  // namespace

namespace {

std::vector<Row> to_rows(const db::Rows& rows, const std::string& what, bool statement) {
  const std::size_t width = statement ? 6 : 8;
  std::vector<Row> out;
  out.reserve(rows.size());
  for (const auto& values : rows.rows) {
    if (values.size() != width || !values[0] || values[0]->empty()) {
      throw infra_error("tracing the replay failed (" + what + "): unexpected result shape");
    }
    Row row;
    row.kind = (*values[0])[0];
    row.oid = to_oid(values[1]);
    if (statement) {
      // k, o, a, b, c, d: see statement_sql.
      const std::string a = values[2].value_or("");
      if (row.kind == 'l') row.mode = a;
      if (row.kind == 'c') row.relkind = a.empty() ? 0 : a[0];
      if (row.kind == 'r') row.schema = a;
      if (row.kind == 'c') {
        row.table = to_oid(values[3]);
      } else {
        row.filenode = values[3];
      }
      if (values[4]) row.scans = std::stoll(*values[4]);
      if (row.kind == 'l') row.transaction = values[5].value_or("");
      if (row.kind != 'l') row.name = values[5].value_or("");
    } else {
      // k, o, relkind, filenode, tbl, nsp, name, scans: see snapshot_sql.
      row.relkind = values[2] && !values[2]->empty() ? (*values[2])[0] : 0;
      row.filenode = values[3];
      row.table = to_oid(values[4]);
      row.schema = values[5].value_or("");
      row.name = values[6].value_or("");
      if (values[7]) row.scans = std::stoll(*values[7]);
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace

std::vector<Row> run(db::Connection& connection, const std::string& sql, const std::string& what, bool statement) {
  db::Rows rows;
  try {
    rows = connection.query(sql);
  } catch (const Error& e) {
    throw infra_error("tracing the replay failed (" + what + "): " + e.what());
  }
  return to_rows(rows, what, statement);
}

std::vector<Row> run_prepared(db::Connection& connection, const StatementQuery& query, const std::string& what) {
  db::Rows rows;
  try {
    rows = connection.query_prepared(query.name, query.params);
  } catch (const Error& e) {
    throw infra_error("tracing the replay failed (" + what + "): " + e.what());
  }
  return to_rows(rows, what, true);
}

// Columns k, o, relkind, filenode, tbl, nsp, name, scans. Scalar subqueries instead of joins
// keep planning cheap; the caller filters out system schemas.
std::string snapshot_sql(Oid after_relation, bool first, int server_version_num) {
  const std::string counted = server_version_num >= k_shared_stats_since
                                  ? "CASE WHEN c.relkind = 'r' THEN " + scans("c.oid", server_version_num) + " END"
                                  : std::string("NULL::pg_catalog.int8");
  std::string sql =
      "SELECT 'r' AS k, c.oid AS o, c.relkind::pg_catalog.text AS relkind, c.relfilenode AS filenode,"
      " CASE WHEN c.relkind IN ('i', 'I')"
      " THEN (SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = c.oid) ELSE c.oid END AS tbl,"
      " (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = c.relnamespace)::pg_catalog.text AS nsp,"
      " c.relname::pg_catalog.text AS name, " + counted + " AS scans"
      " FROM pg_catalog.pg_class c"
      " WHERE c.oid > " + oid_literal(after_relation) + " AND c.relkind IN ('r', 'p', 'm', 'i', 'I')";
  if (first) {
    sql += " UNION ALL SELECT 'c', con.oid, con.contype::pg_catalog.text, NULL, con.conrelid, NULL,"
           " con.conname::pg_catalog.text, NULL FROM pg_catalog.pg_constraint con"
           " WHERE con.contype = 'f' OR con.oid = (SELECT pg_catalog.max(oid) FROM pg_catalog.pg_constraint)"
           " UNION ALL SELECT 'd', d.oid, NULL, NULL, NULL, NULL, NULL, NULL FROM pg_catalog.pg_database d"
           " WHERE d.datname = pg_catalog.current_database()";
  }
  return sql;
}

bool user_schema(const std::string& schema) {
  return schema != "information_schema" && schema.compare(0, 3, "pg_") != 0 && schema != "pgdrift_journal";
}

StatementQuery statement_query(Oid database, Oid max_relation, std::optional<Oid> after_constraint, bool all_relations,
                               int server_version_num) {
  // Six columns, as few casts as possible (they cost planning time):
  //   'l': o relation, a mode, b file node, c scans, d the transaction ("3/1234", unique per
  //        transaction of this backend)
  //   'c': o constraint, a contype, b its table, d name
  //   'r': o relation, a schema, b file node, c scans (tables), d name
  // pg_relation_filenode() and the counters instead of joins keep planning cheap; a dropped
  // relation's lock is still listed, with no file node. The oids are parameters, their type
  // (oid) inferred from the column they are compared with.
  StatementQuery out;
  std::string max_param;  // "$n" of max_relation, once given
  auto param = [&out](Oid value) {
    out.params.emplace_back(std::to_string(value));
    return "$" + std::to_string(out.params.size());
  };
  std::vector<std::string> branches;
  std::string variant;
  if (max_relation != 0) {
    const std::string database_param = param(database);
    max_param = param(max_relation);
    variant += "_locks";
    branches.push_back(
        "SELECT 'l' AS k, l.relation AS o, l.mode AS a, pg_catalog.pg_relation_filenode(l.relation) AS b, " +
        scans("l.relation", server_version_num) +
        " AS c, l.virtualtransaction AS d"
        " FROM pg_catalog.pg_locks l"
        " WHERE l.locktype = 'relation' AND l.granted AND l.pid = pg_catalog.pg_backend_pid()"
        " AND l.database = " + database_param + " AND l.relation >= " + oid_literal(k_first_user_oid) +
        " AND l.relation <= " + max_param);
  }
  if (after_constraint) {
    variant += "_constraints";
    branches.push_back(
        "SELECT 'c', con.oid, con.contype::pg_catalog.text, con.conrelid, NULL::pg_catalog.int8,"
        " con.conname::pg_catalog.text FROM pg_catalog.pg_constraint con"
        " WHERE con.oid > " + param(*after_constraint));
  }
  if (all_relations && max_relation != 0) {
    variant += "_relations";
    branches.push_back(
        "SELECT 'r', c.oid, n.nspname::pg_catalog.text, c.relfilenode,"
        " CASE WHEN c.relkind = 'r' THEN " + scans("c.oid", server_version_num) + " END, c.relname::pg_catalog.text"
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.oid >= " + oid_literal(k_first_user_oid) + " AND c.oid <= " + max_param +
        " AND c.relkind IN ('r', 'p', 'm', 'i', 'I')");
  }
  for (const auto& branch : branches) out.sql += (out.sql.empty() ? "" : " UNION ALL ") + branch;
  if (!out.sql.empty()) out.name = "pgdrift_trace" + variant;
  return out;
}

std::vector<UnindexedForeignKey> unindexed_foreign_keys(db::Connection& connection, int server_version_num) {
  const bool modern = server_version_num >= k_partitions_since;
  // The index's first n key columns must be exactly the n referencing columns, in any order.
  const std::string leading = "(i.indkey::pg_catalog.int2[])[0:pg_catalog.cardinality(con.conkey) - 1]";
  const std::string sql =
      "SELECT con.oid::pg_catalog.text, n.nspname::pg_catalog.text, c.relname::pg_catalog.text,"
      " con.conname::pg_catalog.text,"
      " (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord)"
      "    FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)"
      "    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),"
      " rn.nspname::pg_catalog.text || '.' || rc.relname::pg_catalog.text,"
      " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
      " (c.relkind = 'p')::pg_catalog.text, con.conrelid::pg_catalog.text"
      " FROM pg_catalog.pg_constraint con"
      " JOIN pg_catalog.pg_class c ON c.oid = con.conrelid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid"
      " JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace"
      " WHERE con.contype = 'f'" + std::string(modern ? " AND con.conparentid = 0" : "") + " AND " + k_user_schema +
      " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i"
      "   WHERE i.indrelid = con.conrelid AND i.indisvalid AND i.indpred IS NULL"
      "   AND i." + std::string(modern ? "indnkeyatts" : "indnatts") + " >= pg_catalog.cardinality(con.conkey)"
      "   AND " + leading + " OPERATOR(pg_catalog.@>) con.conkey"
      "   AND " + leading + " OPERATOR(pg_catalog.<@) con.conkey)"
      " ORDER BY 2, 3, 4";
  db::Rows rows;
  try {
    rows = connection.query(sql);
  } catch (const Error& e) {
    throw infra_error(std::string("tracing the replay failed (foreign keys): ") + e.what());
  }
  std::vector<UnindexedForeignKey> out;
  for (const auto& values : rows.rows) {
    UnindexedForeignKey fk;
    fk.oid = to_oid(values[0]);
    fk.schema = values[1].value_or("");
    fk.table = values[2].value_or("");
    fk.name = values[3].value_or("");
    fk.columns = values[4].value_or("");
    fk.referenced = values[5].value_or("");
    fk.quoted_table = values[6].value_or("");
    fk.partitioned = values[7].value_or("") == "true";
    fk.table_oid = to_oid(values[8]);
    out.push_back(std::move(fk));
  }
  return out;
}

}  // namespace pgdrift::lint::trace
