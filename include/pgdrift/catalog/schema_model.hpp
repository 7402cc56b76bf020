#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace pgdrift::catalog {

// What an object is. The string forms ("table", "column", …) are the public contract used in
// the JSON model, in findings and in config globs.
enum class Kind {
  schema,
  extension,
  enum_type,
  domain,
  composite_type,
  sequence,
  table,
  column,
  constraint,
  index,
  view,
  materialized_view,
  function,
  procedure,
  trigger,
  policy,
};

// "schema", "extension", "enum", "domain", "composite type", "sequence", "table", "column",
// "constraint", "index", "view", "materialized view", "function", "procedure", "trigger", "policy".
std::string to_string(Kind kind);

// Identity of an object: never an OID. Relations and types by (schema, name); functions and
// procedures by (schema, "name(identity arguments)"); columns, constraints, indexes, triggers and
// policies by their table (`table`, in the same schema) and their own name. Schemas and
// extensions have an empty `schema`. Names are raw (unquoted) as stored in the catalogs.
struct ObjectId {
  Kind kind = Kind::table;
  std::string schema;
  std::string name;
  std::string table;  // the owning table/view for sub-objects; empty for top-level objects

  // Sorted by schema, then owning table (top-level objects first), then kind, then name.
  friend bool operator<(const ObjectId& a, const ObjectId& b) {
    return std::tie(a.schema, a.table, a.kind, a.name) < std::tie(b.schema, b.table, b.kind, b.name);
  }
  friend bool operator==(const ObjectId& a, const ObjectId& b) {
    return std::tie(a.kind, a.schema, a.name, a.table) == std::tie(b.kind, b.schema, b.name, b.table);
  }
  // e.g. "table public.users", "column public.users.email", "function public.f(integer)",
  // "schema app", "extension pgcrypto".
  std::string display() const;
};

// Normalized properties of one object: name → value, values as Postgres's own deparsers print
// them (with search_path = '' so every name is schema-qualified the same way everywhere).
using Properties = std::map<std::string, std::string>;

// Properties that exist in the model but are not compared unless asked for.
// "comment" and "privileges" on any object; "position" on columns.
bool is_informational(const std::string& property);

// A place in a migration (or schema) file: the path as the user named it, 1-based line and column.
struct SourceLine {
  std::string file;
  int line = 0;
  int column = 0;
  // "db/V3__add_last_login.sql:2"
  std::string text() const { return file + ":" + std::to_string(line); }
};

// Where the replayed files made an object: the statement that created it and the one that last
// changed it (the same statement when nothing changed it since).
struct Provenance {
  SourceLine created;
  SourceLine changed;
};

// A database's schema: every object, sorted by identity. Two databases with the same schema give
// byte-identical models (and dumps).
struct SchemaModel {
  std::map<ObjectId, Properties> objects;
  std::string server_version;  // e.g. "15.4"; informational
  // Models built by replaying files: where each object came from (replay's change journal). Not
  // part of the schema: never compared, absent from models read from a live database.
  std::map<ObjectId, Provenance> provenance;

  // Adds or replaces an object.
  void add(const ObjectId& id, Properties properties) { objects[id] = std::move(properties); }
  // Objects of `kind`, in identity order.
  std::vector<std::pair<ObjectId, Properties>> of_kind(Kind kind) const;
};

}  // namespace pgdrift::catalog
