#include <cstdint>
#include <string>
#include <vector>

#include "pgdrift/util/text.hpp"
#include "relations.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

// Identity sequences (internal dependency on their column) and serial sequences (owned by a
// column whose default uses them) are implied by their column, which shows them.
const char* const k_implied_sequence =
    "EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
    " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
    " AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0"
    " AND (d.deptype = 'i' OR (d.deptype = 'a' AND EXISTS ("
    "SELECT 1 FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_depend dd"
    " ON dd.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND dd.objid = ad.oid"
    " WHERE ad.adrelid = d.refobjid AND ad.adnum = d.refobjsubid"
    " AND dd.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dd.refobjid = c.oid))))";

struct TypeRange {
  std::int64_t min;
  std::int64_t max;
};

TypeRange range_of(const std::string& type) {
  if (type == "smallint") return {INT16_MIN, INT16_MAX};
  if (type == "integer") return {INT32_MIN, INT32_MAX};
  return {INT64_MIN, INT64_MAX};
}

}  // namespace

std::string non_default_sequence_options(const SequenceParameters& sequence,
                                         const std::string& expected_type) {
  std::vector<std::string> options;
  if (sequence.type != expected_type) options.push_back("AS " + sequence.type);
  const TypeRange range = range_of(sequence.type);
  const bool ascending = sequence.increment.empty() || sequence.increment[0] != '-';
  // CREATE SEQUENCE's defaults: ascending 1..type max starting at 1, descending type min..-1
  // starting at -1.
  const std::string default_min = ascending ? "1" : std::to_string(range.min);
  const std::string default_max = ascending ? std::to_string(range.max) : "-1";
  const std::string& default_start = ascending ? default_min : default_max;
  if (sequence.start != default_start) options.push_back("START WITH " + sequence.start);
  if (sequence.increment != "1") options.push_back("INCREMENT BY " + sequence.increment);
  if (sequence.min != default_min) options.push_back("MINVALUE " + sequence.min);
  if (sequence.max != default_max) options.push_back("MAXVALUE " + sequence.max);
  if (sequence.cache != "1") options.push_back("CACHE " + sequence.cache);
  if (sequence.cycle) options.push_back("CYCLE");
  return util::join(options, " ");
}

void read_sequences(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, c.relname AS name,"
      " pg_catalog.format_type(s.seqtypid, NULL) AS type, s.seqstart::pg_catalog.text AS start,"
      " s.seqincrement::pg_catalog.text AS increment, s.seqmin::pg_catalog.text AS min,"
      " s.seqmax::pg_catalog.text AS max, s.seqcache::pg_catalog.text AS cache,"
      " s.seqcycle AS cycle, c.relpersistence = 'u' AS unlogged,"
      " (SELECT d.refobjid::pg_catalog.regclass::pg_catalog.text || '.' ||"
      "  pg_catalog.quote_ident(a.attname)"
      "  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a"
      "  ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
      "  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
      "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid > 0"
      "  AND d.deptype = 'a') AS owned_by, " +
      comment_sql("c.oid", "pg_class") + " AS comment, " +
      privileges_sql("c.relacl", "c.relowner") + " AS privileges"
      " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
      " WHERE " + relation_condition(scope, "'S'") + " AND NOT " + k_implied_sequence);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties{
        {"type", text(rows, r, "type")},
        {"start", text(rows, r, "start")},
        {"increment", text(rows, r, "increment")},
        {"min", text(rows, r, "min")},
        {"max", text(rows, r, "max")},
        {"cache", text(rows, r, "cache")},
        {"cycle", boolean(rows.at(r, "cycle"))},
    };
    // Not in the spec's list: shown only when set, so ordinary sequences are unaffected.
    if (boolean(rows.at(r, "unlogged")) == "true") properties["unlogged"] = "true";
    add_columns(properties, rows, r, {"owned_by", "comment", "privileges"});
    model.add({Kind::sequence, text(rows, r, "schema"), text(rows, r, "name"), ""},
              std::move(properties));
  }
}

}  // namespace pgdrift::catalog::detail
