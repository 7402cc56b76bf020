#include "pgdrift/diff/compare.hpp"

#include <algorithm>
#include <tuple>

#include "compare_match.hpp"

namespace pgdrift::diff {
namespace {

using catalog::ObjectId;
using catalog::Properties;

std::optional<std::string> value_of(const Properties& properties, const std::string& name) {
  const auto it = properties.find(name);
  if (it == properties.end()) return std::nullopt;
  return it->second;
}

// One `changed` difference under `id` per compared property whose values differ (a property
// absent on one side differs from any value).
void diff_properties(const ObjectId& id, const Properties& expected, const Properties& actual,
                     const CompareOptions& options, std::vector<Difference>& out) {
  std::set<std::string> names;
  for (const auto& entry : expected) names.insert(entry.first);
  for (const auto& entry : actual) names.insert(entry.first);
  for (const auto& name : names) {
    if (catalog::is_informational(name) && options.include_informational.count(name) == 0) {
      continue;
    }
    auto before = value_of(expected, name);
    auto after = value_of(actual, name);
    if (before == after) continue;
    Difference difference;
    difference.change = Change::changed;
    difference.id = id;
    difference.property = name;
    difference.expected = std::move(before);
    difference.actual = std::move(after);
    out.push_back(std::move(difference));
  }
}

Difference presence(Change change, const ObjectId& id) {
  Difference difference;
  difference.change = change;
  difference.id = id;
  return difference;
}

// A `renamed` difference, then what else differs between the two objects (under the expected
// name).
void report_pairs(const std::vector<detail::Pair>& pairs, bool renamed,
                  const catalog::SchemaModel& expected, const catalog::SchemaModel& actual,
                  const CompareOptions& options, std::vector<Difference>& out) {
  for (const auto& pair : pairs) {
    if (renamed) {
      Difference difference = presence(Change::renamed, pair.expected);
      difference.renamed_from = pair.actual;
      out.push_back(std::move(difference));
    }
    diff_properties(pair.expected, expected.objects.at(pair.expected),
                    actual.objects.at(pair.actual), options, out);
  }
}

}  // namespace

std::string to_string(Change change) {
  switch (change) {
    case Change::missing:
      return "missing";
    case Change::unexpected:
      return "unexpected";
    case Change::changed:
      return "changed";
    case Change::renamed:
      return "renamed";
  }
  return "changed";
}

std::vector<Difference> compare(const catalog::SchemaModel& expected,
                                const catalog::SchemaModel& actual, const CompareOptions& options) {
  std::vector<Difference> out;
  detail::Unmatched unmatched;
  for (const auto& [id, properties] : expected.objects) {
    const auto it = actual.objects.find(id);
    if (it == actual.objects.end()) {
      unmatched.missing.insert(id);
    } else {
      diff_properties(id, properties, it->second, options, out);
    }
  }
  for (const auto& entry : actual.objects) {
    if (expected.objects.count(entry.first) == 0) unmatched.unexpected.insert(entry.first);
  }

  // A renamed table covers its sub-objects on both sides like a missing one would: they are not
  // compared (the rename says it all), so table renames are found before anything is covered.
  std::vector<detail::Pair> renamed_tables;
  if (options.detect_renames) {
    renamed_tables = detail::pair_renamed_tables(expected, actual, unmatched);
  }
  detail::drop_covered(renamed_tables, unmatched);
  report_pairs(renamed_tables, true, expected, actual, options, out);
  if (options.match_auto_named_constraints) {
    report_pairs(detail::pair_auto_named(expected, actual, unmatched), false, expected, actual,
                 options, out);
  }
  if (options.detect_renames) {
    report_pairs(detail::pair_renamed_columns(expected, actual, unmatched), true, expected, actual,
                 options, out);
  }
  for (const auto& id : unmatched.missing) out.push_back(presence(Change::missing, id));
  for (const auto& id : unmatched.unexpected) out.push_back(presence(Change::unexpected, id));

  // An object has at most one presence difference and one per property, so this order is total.
  std::sort(out.begin(), out.end(), [](const Difference& a, const Difference& b) {
    return std::tie(a.id, a.property, a.change) < std::tie(b.id, b.property, b.change);
  });
  return out;
}

}  // namespace pgdrift::diff
