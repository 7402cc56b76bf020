#pragma once

// Private to lint/rules: the column types a statement declares, for the hygiene rules (which
// are about the type, so they look at tables created in the same migration too).

#include <cstddef>
#include <string>
#include <vector>

#include "support.hpp"

namespace pgdrift::lint::rules {

// A column type the statement declares: CREATE TABLE's columns, ALTER TABLE … ADD COLUMN, and
// ALTER TABLE … ALTER COLUMN … TYPE (the new type).
struct DeclaredColumn {
  std::string object;  // "column users.id"
  std::string column;  // "id"
  sql::Node type;      // the TypeName
  std::string base;    // builtin_type(type): "int4", "serial", "timestamp", …
  bool primary_key =
      false;  // PRIMARY KEY on the column, or in the same statement's PRIMARY KEY (…)
  bool type_change = false;  // ALTER COLUMN … TYPE
  std::size_t offset = 0;    // the type's location
};

// The columns `statement` declares, in order.
std::vector<DeclaredColumn> declared_columns(const StatementView& statement);

// The base name of a built-in type ("int4", "varchar", "serial"): the last part of a name that is
// unqualified or in pg_catalog; "" for a type of another schema (a user's domain or type).
std::string builtin_type(const sql::Node& type_name);

}  // namespace pgdrift::lint::rules
