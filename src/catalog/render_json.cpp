#include <nlohmann/json.hpp>

#include "pgdrift/catalog/render.hpp"

namespace pgdrift::catalog {

std::string to_json(const SchemaModel& model) {
  using nlohmann::ordered_json;
  ordered_json objects = ordered_json::array();
  for (const auto& [id, properties] : model.objects) {
    ordered_json object;
    object["kind"] = to_string(id.kind);
    object["schema"] = id.schema;
    object["name"] = id.name;
    if (!id.table.empty()) object["table"] = id.table;
    object["properties"] = properties;  // std::map: keys sorted
    if (const auto found = model.provenance.find(id); found != model.provenance.end()) {
      object["created_at"] = found->second.created.text();
      object["changed_at"] = found->second.changed.text();
    }
    objects.push_back(std::move(object));
  }
  ordered_json j;
  j["version"] = 1;
  j["objects"] = std::move(objects);
  return j.dump(2) + "\n";
}

}  // namespace pgdrift::catalog
