#pragma once

#include <string>
#include <tuple>
#include <vector>

#include "pgdrift/db/connection.hpp"

namespace pgdrift::catalog {

// An object of a kind SchemaModel does not hold (so diff cannot compare it), present in a database.
struct UnmodeledObject {
  // "cast", "collation", "event trigger", "operator", "publication", "statistics object",
  // "text search configuration".
  std::string kind;
  // Schema-qualified where the kind lives in a schema ("public.ci", "public.===(integer,integer)");
  // an event trigger or publication by its name; a cast as "source AS target".
  std::string name;

  friend bool operator<(const UnmodeledObject& a, const UnmodeledObject& b) {
    return std::tie(a.kind, a.name) < std::tie(b.kind, b.name);
  }
  friend bool operator==(const UnmodeledObject& a, const UnmodeledObject& b) {
    return std::tie(a.kind, a.name) == std::tie(b.kind, b.name);
  }
};

// Every object of those kinds that a user made: not built in, not owned by an extension, not
// pgdrift's own change journal; sorted by kind, then name. Throws pgdrift::Error
// (infrastructure) when the query fails.
std::vector<UnmodeledObject> unmodeled_objects(db::Connection& connection);

}  // namespace pgdrift::catalog
