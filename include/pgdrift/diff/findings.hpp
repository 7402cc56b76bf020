#pragma once

#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/diff/compare.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::diff {

// The rule id of a difference: "drift/<change>-<kind>" (drift/missing-table,
// drift/unexpected-index, drift/changed-column, drift/renamed-column, …), except changes of the
// informational properties: drift/changed-comment, drift/changed-privileges,
// drift/changed-column-order.
std::string rule_for(const Difference& difference);

// Errors for tables, columns, constraints, types and everything else, but warnings for
// unexpected indexes and changed comments or privileges, and a notice for column order.
Severity default_severity(const Difference& difference);

struct FindingOptions {
  std::string target;  // the environment's name ("staging"), or "model"
  bool model = false;  // the actual side is the application's declared model, not a database
  std::string reference = "from the migrations";  // how messages name the expected side
};

// One finding per difference, framed expected (the migrations) → actual (`options.target`), each
// with the SQL that would bring the actual side in line (from heal(actual → expected)).
std::vector<Finding> findings(const std::vector<Difference>& differences, const catalog::SchemaModel& expected,
                              const catalog::SchemaModel& actual, const FindingOptions& options);

// The whole SQL script that brings `actual` in line with `expected` for the `reported`
// differences, in dependency order (heal(actual → expected), destructive steps included; a rename
// as one RENAME statement, first): the
// steps of the reported objects and of the dependents the heal rebuilds for them, without the
// steps of objects whose difference is in `all` but not reported (ignored or switched off).
// Statements are separated by '\n'; empty when nothing is to be done.
std::string fix_script(const std::vector<Difference>& reported, const std::vector<Difference>& all,
                       const catalog::SchemaModel& expected, const catalog::SchemaModel& actual);

}  // namespace pgdrift::diff
