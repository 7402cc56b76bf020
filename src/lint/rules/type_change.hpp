#pragma once

// Private to lint/rules: what changing a column's type does to the data, shared by
// change-column-type and narrowing-type.

#include <string>
#include <vector>

#include "pgdrift/sql/tree.hpp"

namespace pgdrift::lint::rules {

// A column type as the type rules compare them: Postgres's internal base name ("varchar",
// "int4", "bpchar"), its integer modifiers (length, precision, scale), array depth, and how a
// user would write it ("varchar(20)", "integer[]").
struct ColumnType {
  std::string base;
  std::vector<long long> modifiers;
  std::size_t array_depth = 0;
  std::string shown;
};

ColumnType column_type(const sql::Node& type_name_node);

enum class TypeChange {
  same,              // nothing changes
  binary_coercible,  // the stored values stay valid: no table rewrite (indexes kept)
  rewrite,           // every row is rewritten, every index rebuilt
  narrowing,         // values may be cut, rounded or rejected (and the table is rewritten)
};

// What ALTER COLUMN … TYPE `to` does to a column of type `from`, as PostgreSQL 15 decides it.
// timestamp → timestamptz counts as a rewrite: it is skipped only when the session's TimeZone is
// UTC (PG 12+), which a migration cannot rely on.
TypeChange classify(const ColumnType& from, const ColumnType& to);

// For a column whose old type is unknown: the old types a change to `to` needs no rewrite from,
// as a clause for a message ("the column is a varchar of at most 50 characters"); empty when
// every other type needs a rewrite.
std::string no_rewrite_from(const ColumnType& to);

// Whether a change to `to` can lose data whatever the old type: char(n) blank-pads or cuts every
// value to n characters (and rejects longer ones unless the cast is explicit).
bool narrows_any(const ColumnType& to);

// Whether an ALTER COLUMN … TYPE's USING expression (a null node when absent) keeps the stored
// values: absent, the column itself, or casts of it. Anything else computes new values, which
// is always a rewrite.
bool using_keeps_values(const sql::Node& using_expr, const std::string& column);

}  // namespace pgdrift::lint::rules
