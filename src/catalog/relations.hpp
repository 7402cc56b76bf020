#pragma once

// Helpers shared by the relation readers (tables, columns, constraints, sequences, indexes,
// views). Private to the catalog module.

#include <cstddef>
#include <initializer_list>
#include <string>

#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/db/connection.hpp"
#include "readers.hpp"

namespace pgdrift::catalog::detail {

// SQL condition on pg_class `c` joined to pg_namespace `n`: relations of one of `relkinds`
// (e.g. "'r', 'p'") in the schemas read, not belonging to an extension, and in a focused read
// named by one of `focus_columns`.
std::string relation_condition(const Scope& scope, const std::string& relkinds,
                               std::initializer_list<std::string> focus_columns = {"c.relname"});

// SQL expression: the options array `array` (reloptions, attoptions) as "a=1, b=2" sorted, boolean
// spellings (on/off/yes/no, any case) written true/false; NULL when there are none.
std::string options_sql(const std::string& array);

// The value of `column` in row `r`, "" when NULL.
std::string text(const db::Rows& rows, std::size_t r, const std::string& column);

// A sequence's parameters as stored in pg_sequence (numbers as text).
struct SequenceParameters {
  std::string type;  // format_type of seqtypid: "smallint", "integer" or "bigint"
  std::string start;
  std::string increment;
  std::string min;
  std::string max;
  std::string cache;
  bool cycle = false;
};

// The CREATE SEQUENCE options of `sequence` that differ from the defaults of a sequence of type
// `expected_type`, in CREATE SEQUENCE order, e.g. "START WITH 100 INCREMENT BY 2"; "" when none.
// An "AS <type>" option leads when the sequence's type is not `expected_type`.
std::string non_default_sequence_options(const SequenceParameters& sequence,
                                         const std::string& expected_type);

// Columns of the tables read (identity/serial sequences shown on them). Called by read_tables.
void read_columns(db::Connection& connection, const Scope& scope, SchemaModel& model);
// Table constraints except NOT NULL and inherited ones. Called by read_tables.
void read_constraints(db::Connection& connection, const Scope& scope, SchemaModel& model);

}  // namespace pgdrift::catalog::detail
