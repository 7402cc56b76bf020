#include "pgdrift/diff/expressions.hpp"

#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "compare_match.hpp"

namespace pgdrift::diff {

namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::Properties;
using catalog::SchemaModel;

// The texts sent to the canonicalizer, each once, and their answers.
class Batch {
 public:
  // The position of (id, property, text) in the batch.
  std::size_t add(const ObjectId& id, const std::string& property, const std::string& text) {
    const auto key = std::make_tuple(id, property, text);
    const auto it = m_index.find(key);
    if (it != m_index.end()) return it->second;
    m_index[key] = m_expressions.size();
    m_expressions.push_back({id, property, text});
    return m_expressions.size() - 1;
  }
  bool empty() const { return m_expressions.empty(); }
  void ask(ExpressionCanonicalizer& canonicalizer) {
    m_answers = canonicalizer.canonicalize(m_expressions);
    m_answers.resize(m_expressions.size());
  }
  // Whether the texts at `a` and `b` have the same canonical form.
  bool same(std::size_t a, std::size_t b) const {
    return m_answers[a] && m_answers[b] && *m_answers[a] == *m_answers[b];
  }

 private:
  std::vector<Expression> m_expressions;
  std::map<std::tuple<ObjectId, std::string, std::string>, std::size_t> m_index;
  std::vector<std::optional<std::string>> m_answers;
};

// A property of an object in both models whose texts differ.
struct Pair {
  ObjectId id;
  std::string property;
  std::size_t expected = 0;  // positions in the batch
  std::size_t actual = 0;
};

// A constraint or index on one side only, which compare() may still pair with one of the other
// side by definition when either name looks generated (its name differs between environments).
struct Unnamed {
  ObjectId id;
  std::string definition;
  std::size_t position = 0;  // in the batch
};
using Key = std::tuple<std::string, std::string, Kind, std::string>;  // schema, table, kind, type
struct Sides {
  std::vector<Unnamed> missing;
  std::vector<Unnamed> unexpected;
};

// Whether compare() pairs `missing` and `unexpected` once their definitions read the same.
bool could_pair(const Unnamed& missing, const Unnamed& unexpected) {
  return missing.definition != unexpected.definition &&
         (detail::looks_auto_named(missing.id) || detail::looks_auto_named(unexpected.id));
}

// Constraints and indexes of `model` absent from `other`, grouped as compare() pairs them.
void one_side_only(const SchemaModel& model, const SchemaModel& other, bool expected_side,
                   std::map<Key, Sides>& groups) {
  for (const auto& [id, properties] : model.objects) {
    if ((id.kind != Kind::constraint && id.kind != Kind::index) || other.objects.count(id) != 0)
      continue;
    const auto definition = properties.find("definition");
    if (definition == properties.end()) continue;
    const auto type = properties.find(id.kind == Kind::index ? "unique" : "type");
    const Key key{id.schema, id.table, id.kind, type == properties.end() ? "" : type->second};
    auto& side = expected_side ? groups[key].missing : groups[key].unexpected;
    side.push_back({id, definition->second, 0});
  }
}

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

std::size_t align_expressions(const SchemaModel& expected, SchemaModel& actual,
                              ExpressionCanonicalizer& canonicalizer) {
  Batch batch;
  // The same object in both models.
  std::vector<Pair> pairs;
  for (const auto& [id, properties] : expected.objects) {
    const auto other = actual.objects.find(id);
    if (other == actual.objects.end()) continue;
    for (const auto& [property, text] : properties) {
      if (!is_expression(id.kind, property)) continue;
      const auto value = other->second.find(property);
      // A property set on one side only is a real difference: nothing to canonicalize.
      if (value == other->second.end() || value->second == text) continue;
      pairs.push_back(
          {id, property, batch.add(id, property, text), batch.add(id, property, value->second)});
    }
  }
  // Auto-named constraints and indexes under other names: only where compare() could pair them.
  std::map<Key, Sides> groups;
  one_side_only(expected, actual, true, groups);
  one_side_only(actual, expected, false, groups);
  for (auto& [key, sides] : groups) {
    for (auto& m : sides.missing) {
      for (auto& u : sides.unexpected) {
        if (!could_pair(m, u)) continue;
        m.position = batch.add(m.id, "definition", m.definition);
        u.position = batch.add(u.id, "definition", u.definition);
      }
    }
  }
  if (batch.empty()) return 0;
  batch.ask(canonicalizer);

  std::size_t aligned = 0;
  for (const auto& pair : pairs) {
    if (!batch.same(pair.expected, pair.actual)) continue;
    actual.objects.at(pair.id)[pair.property] = expected.objects.at(pair.id).at(pair.property);
    ++aligned;
  }
  for (const auto& [key, sides] : groups) {
    std::set<ObjectId> taken;
    for (const auto& u : sides.unexpected) {
      for (const auto& m : sides.missing) {
        if (taken.count(m.id) != 0 || !could_pair(m, u) || !batch.same(m.position, u.position))
          continue;
        actual.objects.at(u.id)["definition"] = m.definition;
        taken.insert(m.id);
        ++aligned;
        break;
      }
    }
  }
  return aligned;
}

}  // namespace pgdrift::diff
