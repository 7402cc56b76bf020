#include <string>

#include "relations.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

std::string constraint_type(const std::string& contype) {
  if (contype == "p") return "primary key";
  if (contype == "u") return "unique";
  if (contype == "c") return "check";
  if (contype == "f") return "foreign key";
  return "exclusion";
}

}  // namespace

void read_constraints(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  // Inherited constraints (conislocal = false) and the clones Postgres makes for partitions and
  // for foreign keys referencing a partitioned table (conparentid set) are implied by their parent.
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, c.relname AS table_name, con.conname AS name,"
      " con.contype AS contype,"
      " pg_catalog.pg_get_constraintdef(con.oid) AS definition, con.convalidated AS validated,"
      " con.condeferrable AS deferrable, con.condeferred AS deferred, " +
      comment_sql("con.oid", "pg_constraint") + " AS comment"
      " FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conislocal"
      " AND con.conparentid = 0 AND " + relation_condition(scope, "'r', 'p'"));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties{
        {"type", constraint_type(text(rows, r, "contype"))},
        {"definition", text(rows, r, "definition")},
        {"validated", boolean(rows.at(r, "validated"))},
        {"deferrable", boolean(rows.at(r, "deferrable"))},
        {"deferred", boolean(rows.at(r, "deferred"))},
    };
    add_if(properties, "comment", rows.at(r, "comment"));
    model.add({Kind::constraint, text(rows, r, "schema"), text(rows, r, "name"),
               text(rows, r, "table_name")},
              std::move(properties));
  }
}

}  // namespace pgdrift::catalog::detail
