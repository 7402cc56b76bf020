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

// Pieces of DDL shared by the renderer and the healing-SQL generator (diff::heal).

// `text` as an SQL string literal ('it''s'; E'' form when it holds a backslash).
std::string sql_literal(const std::string& text);
// "schema.name", each part quoted as needed; just the name when `schema` is empty.
std::string qualified_name(const std::string& schema, const std::string& name);
// "(expr)" unless the deparsed expression already carries its own parentheses.
std::string parenthesized(const std::string& expr);
// `text` without trailing ';', spaces and newlines (deparsers differ on them).
std::string without_semicolon(std::string text);
// A column as in CREATE TABLE: name, type, collation, identity, generated expression, default
// and, when `with_not_null`, NOT NULL.
std::string column_definition(const ObjectId& id, const Properties& properties, bool with_not_null);

}  // namespace pgdrift::catalog
