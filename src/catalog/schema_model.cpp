#include "pgdrift/catalog/schema_model.hpp"

namespace pgdrift::catalog {

std::string to_string(Kind kind) {
  switch (kind) {
    case Kind::schema: return "schema";
    case Kind::extension: return "extension";
    case Kind::enum_type: return "enum";
    case Kind::domain: return "domain";
    case Kind::composite_type: return "composite type";
    case Kind::sequence: return "sequence";
    case Kind::table: return "table";
    case Kind::column: return "column";
    case Kind::constraint: return "constraint";
    case Kind::index: return "index";
    case Kind::view: return "view";
    case Kind::materialized_view: return "materialized view";
    case Kind::function: return "function";
    case Kind::procedure: return "procedure";
    case Kind::trigger: return "trigger";
    case Kind::policy: return "policy";
  }
  return "object";
}

std::string ObjectId::display() const {
  std::string out = to_string(kind) + " ";
  if (!schema.empty()) out += schema + ".";
  if (!table.empty()) out += table + ".";
  return out + name;
}

bool is_informational(const std::string& property) {
  return property == "comment" || property == "privileges" || property == "position";
}

std::vector<std::pair<ObjectId, Properties>> SchemaModel::of_kind(Kind kind) const {
  std::vector<std::pair<ObjectId, Properties>> out;
  for (const auto& [id, properties] : objects) {
    if (id.kind == kind) out.emplace_back(id, properties);
  }
  return out;
}

}  // namespace pgdrift::catalog
