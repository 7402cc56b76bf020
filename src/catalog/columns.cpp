#include <map>
#include <string>
#include <utility>
#include <vector>

#include "relations.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

std::string columns_sql(const Scope& scope) {
  const std::string compression =
      scope.server_version_num >= 140000
          ? "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END"
          : "NULL::pg_catalog.text";
  // OIDs only travel to find an inherited column's parent column; they never enter the model.
  return "SELECT n.nspname AS schema, c.relname AS table_name, c.oid::pg_catalog.text AS table_oid,"
         " a.attname AS name,"
         " pg_catalog.row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS position,"
         " NOT a.attislocal AS inherited,"
         " CASE WHEN NOT a.attislocal THEN (SELECT h.inhparent::pg_catalog.text"
         "  FROM pg_catalog.pg_inherits h"
         "  JOIN pg_catalog.pg_attribute pa ON pa.attrelid = h.inhparent AND pa.attname = a.attname"
         "  AND pa.attnum > 0 AND NOT pa.attisdropped"
         "  WHERE h.inhrelid = c.oid ORDER BY h.inhseqno LIMIT 1) END AS parent_oid,"
         " pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,"
         " pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expression,"
         " a.attgenerated <> '' AS generated, a.attidentity AS identity,"
         " CASE WHEN a.attcollation <> t.typcollation THEN ("
         "  SELECT CASE WHEN co.collnamespace = 'pg_catalog'::pg_catalog.regnamespace"
         "  THEN pg_catalog.quote_ident(co.collname)"
         "  ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)"
         "  END FROM pg_catalog.pg_collation co"
         "  JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
         "  WHERE co.oid = a.attcollation) END AS collation,"
         " CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'plain'"
         "  WHEN 'e' THEN 'external' WHEN 'm' THEN 'main' WHEN 'x' THEN 'extended' END END"
         " AS storage, " +
         compression + " AS compression,"
         " NULLIF(a.attstattarget, -1)::pg_catalog.text AS statistics, " +
         options_sql("a.attoptions") + " AS options,"
         " pg_catalog.col_description(a.attrelid, a.attnum) AS comment, " +
         privileges_sql("a.attacl", "c.relowner") + " AS privileges,"
         " seq.deptype AS sequence_kind, seq.type AS sequence_type, seq.start AS sequence_start,"
         " seq.increment AS sequence_increment, seq.min AS sequence_min, seq.max AS sequence_max,"
         " seq.cache AS sequence_cache, seq.cycle AS sequence_cycle"
         " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
         " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
         " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
         " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
         // The identity sequence, or the owned sequence a serial-style default uses.
         " LEFT JOIN LATERAL (SELECT d.deptype, pg_catalog.format_type(s.seqtypid, NULL) AS type,"
         "  s.seqstart::pg_catalog.text AS start, s.seqincrement::pg_catalog.text AS increment,"
         "  s.seqmin::pg_catalog.text AS min, s.seqmax::pg_catalog.text AS max,"
         "  s.seqcache::pg_catalog.text AS cache, s.seqcycle AS cycle"
         "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_sequence s ON s.seqrelid = d.objid"
         "  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
         "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
         "  AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum"
         "  AND (d.deptype = 'i' OR (d.deptype = 'a' AND EXISTS ("
         "   SELECT 1 FROM pg_catalog.pg_depend dd"
         "   WHERE dd.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND dd.objid = ad.oid"
         "   AND dd.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
         "   AND dd.refobjid = d.objid)))"
         "  ORDER BY d.deptype DESC, d.objid LIMIT 1) seq ON true"
         " WHERE a.attnum > 0 AND NOT a.attisdropped AND " +
         relation_condition(scope, "'r', 'p'");
}

Properties column_properties(const db::Rows& rows, std::size_t r) {
  Properties properties{
      {"type", text(rows, r, "type")},
      {"not_null", boolean(rows.at(r, "not_null"))},
      {"position", text(rows, r, "position")},
  };
  if (boolean(rows.at(r, "generated")) == "true") {
    add_if(properties, "generated", rows.at(r, "default_expression"));
  } else {
    add_if(properties, "default", rows.at(r, "default_expression"));
  }
  const std::string identity = text(rows, r, "identity");
  if (identity == "a") properties["identity"] = "always";
  if (identity == "d") properties["identity"] = "by default";
  if (rows.at(r, "sequence_kind")) {
    const SequenceParameters sequence{text(rows, r, "sequence_type"),
                                      text(rows, r, "sequence_start"),
                                      text(rows, r, "sequence_increment"),
                                      text(rows, r, "sequence_min"),
                                      text(rows, r, "sequence_max"),
                                      text(rows, r, "sequence_cache"),
                                      boolean(rows.at(r, "sequence_cycle")) == "true"};
    const std::string options = non_default_sequence_options(sequence, text(rows, r, "type"));
    // serial_sequence is not in the spec's list: the serial sequence itself is hidden, so its
    // options would otherwise be invisible.
    const std::string name =
        text(rows, r, "sequence_kind") == "i" ? "identity_sequence" : "serial_sequence";
    if (!options.empty()) properties[name] = options;
  }
  add_columns(properties, rows, r, {"collation", "storage", "compression"});
  // statistics (SET STATISTICS) and options (SET (n_distinct = …)) are not in the spec's list;
  // shown only when set.
  add_columns(properties, rows, r, {"statistics", "options", "comment", "privileges"});
  return properties;
}

// An inherited column's properties that must match its parent's for it to stay hidden: not the
// informational ones, nor identity (Postgres does not propagate it to children before 17).
Properties compared(Properties properties) {
  for (const char* name :
       {"position", "comment", "privileges", "identity", "identity_sequence", "serial_sequence"}) {
    properties.erase(name);
  }
  return properties;
}

struct Column {
  ObjectId id;
  Properties properties;
  std::string parent_oid;  // set for inherited columns whose parent has the column
  bool inherited = false;
};

}  // namespace

void read_columns(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(columns_sql(scope));
  std::vector<Column> columns;
  // (table oid, column name) → index in `columns`
  std::map<std::pair<std::string, std::string>, std::size_t> by_table_oid;
  columns.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Column column;
    column.id = {Kind::column, text(rows, r, "schema"), text(rows, r, "name"),
                 text(rows, r, "table_name")};
    column.properties = column_properties(rows, r);
    column.inherited = boolean(rows.at(r, "inherited")) == "true";
    column.parent_oid = text(rows, r, "parent_oid");
    by_table_oid[{text(rows, r, "table_oid"), column.id.name}] = columns.size();
    columns.push_back(std::move(column));
  }
  for (const auto& column : columns) {
    if (column.inherited) {
      // Hidden when it is what the parent's column makes it; shown (whole) when the child
      // changed it, so that difference is not lost.
      const auto parent = by_table_oid.find({column.parent_oid, column.id.name});
      if (parent == by_table_oid.end() ||
          compared(columns[parent->second].properties) == compared(column.properties)) {
        continue;
      }
    }
    model.add(column.id, column.properties);  // copied: children may still compare with it
  }
}

}  // namespace pgdrift::catalog::detail
