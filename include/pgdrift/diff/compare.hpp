#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"

namespace pgdrift::diff {

// How an object differs between the expected model (what the migrations build) and the actual
// one (a target database, or the declared model).
enum class Change {
  missing,     // in expected, not in actual
  unexpected,  // in actual only (a "ghost": created by hand, or by a migration not in the repo)
  changed,     // in both, one property differs
  renamed,     // a likely rename: expected `id` is actual `renamed_from` (same type and position)
};

// "missing", "unexpected", "changed", "renamed".
std::string to_string(Change change);

struct Difference {
  Change change = Change::changed;
  catalog::ObjectId id;                       // the expected object; for `unexpected`, the actual one
  std::optional<catalog::ObjectId> renamed_from;  // `renamed`: the actual object's identity
  std::string property;                       // `changed`: the property that differs
  std::optional<std::string> expected;        // `changed`: value in expected (nullopt = not set)
  std::optional<std::string> actual;          // `changed`: value in actual (nullopt = not set)
};

struct CompareOptions {
  // Informational properties to compare too: any of "comment", "privileges", "position".
  std::set<std::string> include_informational;
  // Match constraints whose names look auto-generated (*_pkey, *_key, *_check, *_fkey, *_excl)
  // by (table, type, definition) instead of by name, since environments built differently
  // name them differently.
  bool match_auto_named_constraints = true;
  // Report a missing + unexpected pair of columns (same table, type and position) or tables
  // (same columns) as one `renamed` difference.
  bool detect_renames = true;
};

// Every difference between `expected` and `actual`, sorted by identity then property. A
// sub-object of a missing/unexpected table is not reported separately (the table covers it).
std::vector<Difference> compare(const catalog::SchemaModel& expected, const catalog::SchemaModel& actual,
                                const CompareOptions& options = {});

}  // namespace pgdrift::diff
