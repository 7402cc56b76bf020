#include "pgdrift/diff/expressions.hpp"

#include <utility>

namespace pgdrift::diff {

namespace {

using catalog::Kind;

// One property whose two texts differ: where it is, and the positions of its two texts in the
// batch sent to the canonicalizer (expected at 2i, actual at 2i + 1).
struct Candidate {
  catalog::ObjectId id;
  std::string property;
};

}  // namespace

bool is_expression(Kind kind, const std::string& property) {
  switch (kind) {
    case Kind::constraint:
    case Kind::index:
    case Kind::view:
    case Kind::materialized_view:
    case Kind::trigger:
      return property == "definition";
    case Kind::column:
      return property == "default" || property == "generated";
    case Kind::domain:
      return property == "default" || property == "checks";
    case Kind::policy:
      return property == "using" || property == "with_check";
    case Kind::function:
    case Kind::procedure:
      // Only an SQL-standard body is deparsed; the canonicalizer answers for no other.
      return property == "definition";
    default:
      return false;
  }
}

std::size_t align_expressions(const catalog::SchemaModel& expected, catalog::SchemaModel& actual,
                              ExpressionCanonicalizer& canonicalizer) {
  std::vector<Candidate> candidates;
  std::vector<Expression> batch;
  for (const auto& [id, properties] : expected.objects) {
    const auto other = actual.objects.find(id);
    if (other == actual.objects.end()) continue;
    for (const auto& [property, text] : properties) {
      if (!is_expression(id.kind, property)) continue;
      const auto value = other->second.find(property);
      // A property set on one side only is a real difference: nothing to canonicalize.
      if (value == other->second.end() || value->second == text) continue;
      candidates.push_back({id, property});
      batch.push_back({id, property, text});
      batch.push_back({id, property, value->second});
    }
  }
  if (batch.empty()) return 0;
  const auto canonical = canonicalizer.canonicalize(batch);
  std::size_t aligned = 0;
  for (std::size_t i = 0; i < candidates.size() && 2 * i + 1 < canonical.size(); ++i) {
    const auto& left = canonical[2 * i];
    const auto& right = canonical[2 * i + 1];
    if (!left || !right || *left != *right) continue;
    actual.objects.at(candidates[i].id)[candidates[i].property] = batch[2 * i].text;
    ++aligned;
  }
  return aligned;
}

}  // namespace pgdrift::diff
