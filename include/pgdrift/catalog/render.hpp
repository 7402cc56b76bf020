#pragma once

#include <string>

#include "pgdrift/catalog/schema_model.hpp"

namespace pgdrift::catalog {

// The model as canonical SQL-like DDL: one block per object, in a fixed order (schemas,
// extensions, types, sequences, tables with their columns, constraints, indexes, triggers and
// policies, views, materialized views, functions, procedures), sorted by name within each
// group. No owners, SET lines, version headers, OIDs or timestamps: identical models give
// identical text. Meant to be read (by people or assistants), not necessarily re-executed.
std::string to_text(const SchemaModel& model);

// The model as JSON: {"version": 1, "objects": [{"kind", "schema", "name", "table",
// "properties": {…}}, …]} in identity order ("table" only for sub-objects).
std::string to_json(const SchemaModel& model);

// `name` quoted as an SQL identifier only when needed (upper case, special characters,
// reserved words), as PostgreSQL's quote_ident does.
std::string quote_name(const std::string& name);

}  // namespace pgdrift::catalog
