#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"

namespace pgdrift::diff {

// One expression-valued property of one object, as a model holds it: the text a deparser printed
// (pg_get_expr, pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef, pg_get_triggerdef).
struct Expression {
  catalog::ObjectId
      id;  // the object it belongs to; its table (or itself) says where to re-create it
  std::string property;  // "definition", "default", "generated", "checks", "using", "with_check"
  std::string text;
};

// True for the properties whose values are deparsed expressions, which the same schema may spell
// differently depending on how it was built (a migration's `col IN ('a', 'b')` on a varchar
// column, and the same check after pg_dump and restore): constraint, index, view, materialized
// view and trigger `definition`; column `default` and `generated`; domain `default` and `checks`;
// policy `using` and `with_check`; function and procedure `definition` (an SQL-standard
// BEGIN ATOMIC body is stored parsed).
bool is_expression(catalog::Kind kind, const std::string& property);

// The seam between comparing models and the server that parses expressions: the real one
// (ServerCanonicalizer) re-creates each text in a sandbox database and reads back the server's
// deparse of it; tests use a recording fake.
class ExpressionCanonicalizer {
 public:
  virtual ~ExpressionCanonicalizer() = default;
  // The canonical form of each expression (same order, same count): its text parsed and
  // deparsed once more by the server. nullopt where that is not possible (the object is unknown
  // where the probe runs, the text does not parse there, …): such a text equals no other.
  virtual std::vector<std::optional<std::string>> canonicalize(
      const std::vector<Expression>& expressions) = 0;
};

// Where `actual` spells an expression property of an object (same identity in both models)
// differently from `expected` but both texts have the same canonical form, sets actual's value to
// expected's text, so that compare(), heal() and findings() see no difference. Likewise for the
// definition of a constraint or index on one side only that compare() pairs by definition with
// one on the other side (same table and type, one of the names auto-generated). Asks
// `canonicalizer` once, with every such text, and not at all when no expression differs. Returns
// how many properties were aligned. A pair that cannot be canonicalized stays different (drift).
std::size_t align_expressions(const catalog::SchemaModel& expected, catalog::SchemaModel& actual,
                              ExpressionCanonicalizer& canonicalizer);

}  // namespace pgdrift::diff
