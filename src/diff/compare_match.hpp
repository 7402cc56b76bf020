#pragma once

// Private to compare*.cpp: how objects present on one side only are explained away before they
// are reported as missing / unexpected (covered by their table, matched by an auto-generated
// name, paired as a rename).

#include <set>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"

namespace pgdrift::diff::detail {

// Objects not (yet) explained: in expected only, in actual only. Each step below removes what it
// explains.
struct Unmatched {
  std::set<catalog::ObjectId> missing;
  std::set<catalog::ObjectId> unexpected;
};

// One object under two names: `expected` in the expected model, `actual` in the actual one.
struct Pair {
  catalog::ObjectId expected;
  catalog::ObjectId actual;
};

// True for a table, view or materialized view: the kinds that own sub-objects.
bool owns_sub_objects(catalog::Kind kind);

// True when a constraint's name ends like PostgreSQL's generated ones (_pkey, _key, _check,
// _fkey, _excl, optionally followed by digits as in "users_email_key1"), or an index's in _idx.
bool looks_auto_named(const catalog::ObjectId& id);

// Missing and unexpected tables of the same schema with identical columns (names and types,
// non-empty), paired only one-to-one. Removes the pairs from `unmatched`.
std::vector<Pair> pair_renamed_tables(const catalog::SchemaModel& expected,
                                      const catalog::SchemaModel& actual, Unmatched& unmatched);

// Removes from `unmatched` the sub-objects of every missing/unexpected table, view and
// materialized view, and of the `renamed` tables (expected side and actual side).
void drop_covered(const std::vector<Pair>& renamed, Unmatched& unmatched);

// Missing and unexpected constraints (indexes) of the same table with the same type and
// definition (index: definition and unique), at least one of the two auto-named. Removes the
// pairs from `unmatched`.
std::vector<Pair> pair_auto_named(const catalog::SchemaModel& expected,
                                  const catalog::SchemaModel& actual, Unmatched& unmatched);

// Missing and unexpected columns of the same table with the same type and position, paired
// only one-to-one. Removes the pairs from `unmatched`.
std::vector<Pair> pair_renamed_columns(const catalog::SchemaModel& expected,
                                       const catalog::SchemaModel& actual, Unmatched& unmatched);

}  // namespace pgdrift::diff::detail
