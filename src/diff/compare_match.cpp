#include "compare_match.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace pgdrift::diff::detail {
namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::Properties;
using catalog::SchemaModel;

// What two objects must share to be paired; compared as a whole.
using Key = std::vector<std::string>;
using KeyOf = std::function<std::optional<Key>(const ObjectId&, const Properties&)>;
using Groups = std::map<Key, std::vector<ObjectId>>;

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const std::string* find(const Properties& properties, const char* name) {
  const auto it = properties.find(name);
  return it == properties.end() ? nullptr : &it->second;
}

// The unexplained objects of `kind` on one side grouped by `key_of` (objects without a key are
// left out), in identity order within a group.
Groups group(const std::set<ObjectId>& ids, const SchemaModel& model, Kind kind,
             const KeyOf& key_of) {
  Groups groups;
  for (const auto& id : ids) {
    if (id.kind != kind) continue;
    if (auto key = key_of(id, model.objects.at(id))) groups[*key].push_back(id);
  }
  return groups;
}

void remove(const Pair& pair, Unmatched& unmatched) {
  unmatched.missing.erase(pair.expected);
  unmatched.unexpected.erase(pair.actual);
}

// Pairs a missing and an unexpected object only when their key is shared by exactly one object
// on each side: an ambiguous rename is reported as what it is, missing plus unexpected.
std::vector<Pair> pair_one_to_one(const SchemaModel& expected, const SchemaModel& actual,
                                  Unmatched& unmatched, Kind kind, const KeyOf& expected_key,
                                  const KeyOf& actual_key) {
  const Groups left = group(unmatched.missing, expected, kind, expected_key);
  const Groups right = group(unmatched.unexpected, actual, kind, actual_key);
  std::vector<Pair> pairs;
  for (const auto& [key, ids] : left) {
    const auto it = right.find(key);
    if (ids.size() == 1 && it != right.end() && it->second.size() == 1) {
      pairs.push_back({ids.front(), it->second.front()});
    }
  }
  for (const auto& pair : pairs) remove(pair, unmatched);
  return pairs;
}

// "name type" of each column of `table`, in name order; nullopt for a table without columns.
std::optional<Key> column_signature(const SchemaModel& model, const ObjectId& table) {
  Key signature{table.schema};
  const ObjectId first{Kind::column, table.schema, "", table.name};
  for (auto it = model.objects.lower_bound(first);
       it != model.objects.end() && it->first.kind == Kind::column &&
       it->first.schema == table.schema && it->first.table == table.name;
       ++it) {
    const std::string* type = find(it->second, "type");
    signature.push_back(it->first.name);
    signature.push_back(type ? *type : std::string());
  }
  if (signature.size() == 1) return std::nullopt;
  return signature;
}

// Removes every sub-object of `owner` (schema, table == owner's name) from `ids`.
void erase_sub_objects(const ObjectId& owner, std::set<ObjectId>& ids) {
  // Sub-objects sort by (schema, table, kind, name): they are one contiguous range.
  auto it = ids.lower_bound(ObjectId{Kind::schema, owner.schema, "", owner.name});
  while (it != ids.end() && it->schema == owner.schema && it->table == owner.name) {
    it = ids.erase(it);
  }
}

}  // namespace

bool owns_sub_objects(Kind kind) {
  return kind == Kind::table || kind == Kind::view || kind == Kind::materialized_view;
}

bool looks_auto_named(const ObjectId& id) {
  std::string name = id.name;
  // PostgreSQL appends a number when the generated name is taken: users_email_key1.
  while (!name.empty() && name.back() >= '0' && name.back() <= '9') name.pop_back();
  if (id.kind == Kind::index) return ends_with(name, "_idx");
  if (id.kind != Kind::constraint) return false;
  for (const char* suffix : {"_pkey", "_key", "_check", "_fkey", "_excl"}) {
    if (ends_with(name, suffix)) return true;
  }
  return false;
}

std::vector<Pair> pair_renamed_tables(const SchemaModel& expected, const SchemaModel& actual,
                                      Unmatched& unmatched) {
  // Each side reads its columns from its own model.
  const auto key_in = [](const SchemaModel& model) -> KeyOf {
    return [&model](const ObjectId& id, const Properties&) { return column_signature(model, id); };
  };
  return pair_one_to_one(expected, actual, unmatched, Kind::table, key_in(expected),
                         key_in(actual));
}

void drop_covered(const std::vector<Pair>& renamed, Unmatched& unmatched) {
  const auto drop_owned = [](std::set<ObjectId>& ids) {
    std::vector<ObjectId> owners;
    for (const auto& id : ids) {
      if (owns_sub_objects(id.kind)) owners.push_back(id);
    }
    for (const auto& owner : owners) erase_sub_objects(owner, ids);
  };
  drop_owned(unmatched.missing);
  drop_owned(unmatched.unexpected);
  for (const auto& pair : renamed) {
    erase_sub_objects(pair.expected, unmatched.missing);
    erase_sub_objects(pair.actual, unmatched.unexpected);
  }
}

std::vector<Pair> pair_auto_named(const SchemaModel& expected, const SchemaModel& actual,
                                  Unmatched& unmatched) {
  std::vector<Pair> pairs;
  for (const Kind kind : {Kind::constraint, Kind::index}) {
    const KeyOf key_of = [kind](const ObjectId& id, const Properties& properties) {
      const std::string* definition = find(properties, "definition");
      const std::string* type = find(properties, kind == Kind::index ? "unique" : "type");
      if (!definition) return std::optional<Key>();
      return std::optional<Key>(Key{id.schema, id.table, type ? *type : "", *definition});
    };
    const Groups left = group(unmatched.missing, expected, kind, key_of);
    Groups right = group(unmatched.unexpected, actual, kind, key_of);
    // Equal keys mean interchangeable objects, so within a group the first fitting partner in
    // identity order is as good as any and keeps the result deterministic.
    for (const auto& [key, ids] : left) {
      const auto it = right.find(key);
      if (it == right.end()) continue;
      auto& candidates = it->second;
      for (const auto& id : ids) {
        for (auto candidate = candidates.begin(); candidate != candidates.end(); ++candidate) {
          if (looks_auto_named(id) || looks_auto_named(*candidate)) {
            pairs.push_back({id, *candidate});
            candidates.erase(candidate);
            break;
          }
        }
      }
    }
  }
  for (const auto& pair : pairs) remove(pair, unmatched);
  return pairs;
}

std::vector<Pair> pair_renamed_columns(const SchemaModel& expected, const SchemaModel& actual,
                                       Unmatched& unmatched) {
  const KeyOf key_of = [](const ObjectId& id, const Properties& properties) {
    const std::string* type = find(properties, "type");
    const std::string* position = find(properties, "position");
    if (!type || !position) return std::optional<Key>();
    return std::optional<Key>(Key{id.schema, id.table, *type, *position});
  };
  return pair_one_to_one(expected, actual, unmatched, Kind::column, key_of, key_of);
}

}  // namespace pgdrift::diff::detail
