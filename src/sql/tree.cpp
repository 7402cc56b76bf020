#include "pgdrift/sql/tree.hpp"

#include <cctype>

#include "json_tree.hpp"

namespace pgdrift::sql {
namespace {

using json = detail::TreeJson;

const json* as_json(const void* value) { return static_cast<const json*>(value); }

// The body of a wrapped node ({"Type": {…}} → {…}); the value itself otherwise.
const json* body_of(const json* value) {
  if (value == nullptr || !value->is_object() || value->size() != 1) return value;
  const auto only = value->begin();  // an iterator into the document itself, not a temporary view
  const std::string& key = only.key();
  if (!key.empty() && std::isupper(static_cast<unsigned char>(key[0])) && only.value().is_object()) {
    return &only.value();
  }
  return value;
}

void min_location(const json& value, std::optional<std::size_t>& best) {
  if (value.is_object()) {
    for (const auto& item : value.items()) {
      if (item.key() == "location" && item.value().is_number_integer()) {
        const auto at = item.value().get<long long>();
        if (at >= 0 && (!best || static_cast<std::size_t>(at) < *best)) best = static_cast<std::size_t>(at);
      } else {
        min_location(item.value(), best);
      }
    }
  } else if (value.is_array()) {
    for (const auto& element : value) min_location(element, best);
  }
}

}  // namespace

bool Node::is_null() const { return m_value == nullptr || as_json(m_value)->is_null(); }
bool Node::is_list() const { return m_value != nullptr && as_json(m_value)->is_array(); }
bool Node::is_object() const { return m_value != nullptr && as_json(m_value)->is_object(); }

std::string Node::type() const {
  const json* value = as_json(m_value);
  if (value == nullptr || body_of(value) == value) return "";
  return value->begin().key();
}

Node Node::operator[](std::string_view key) const {
  Node out;
  const json* body = body_of(as_json(m_value));
  if (body == nullptr || !body->is_object()) return out;
  const auto found = body->find(std::string(key));
  if (found == body->end()) return out;
  out.m_root = m_root;
  out.m_value = &*found;
  return out;
}

std::vector<Node> Node::items() const {
  std::vector<Node> out;
  if (type() == "List") return (*this)["items"].items();  // {"List": {"items": […]}}
  if (!is_list()) return out;
  for (const json& element : *as_json(m_value)) {
    Node item;
    item.m_root = m_root;
    item.m_value = &element;
    out.push_back(std::move(item));
  }
  return out;
}

std::string Node::str(std::string_view fallback) const {
  const json* value = as_json(m_value);
  if (value == nullptr) return std::string(fallback);
  if (value->is_string()) return value->get<std::string>();
  const std::string kind = type();
  if (kind == "String") return (*this)["sval"].str(fallback);
  if (kind == "A_Const" && !(*this)["sval"].is_null()) return (*this)["sval"]["sval"].str(fallback);
  return std::string(fallback);
}

long long Node::integer(long long fallback) const {
  const json* value = as_json(m_value);
  if (value == nullptr) return fallback;
  if (value->is_number_integer()) return value->get<long long>();
  const std::string kind = type();
  if (kind == "Integer") return (*this)["ival"].integer(0);  // libpg_query omits ival 0
  if (kind == "A_Const" && !(*this)["ival"].is_null()) return (*this)["ival"]["ival"].integer(0);
  return fallback;
}

bool Node::boolean() const {
  const json* value = as_json(m_value);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

std::optional<std::size_t> Node::location() const {
  const auto at = (*this)["location"];
  const json* value = as_json(at.m_value);
  if (value == nullptr || !value->is_number_integer() || value->get<long long>() < 0) return std::nullopt;
  return static_cast<std::size_t>(value->get<long long>());
}

std::optional<std::size_t> Node::first_location() const {
  std::optional<std::size_t> best;
  if (m_value != nullptr) min_location(*as_json(m_value), best);
  return best;
}

void Node::walk(const std::function<void(const Node&)>& visit) const {
  const json* value = as_json(m_value);
  if (value == nullptr) return;
  if (!type().empty()) visit(*this);
  const json* body = body_of(value);
  if (body->is_object() || body->is_array()) {
    for (const json& child : *body) {
      if (!child.is_object() && !child.is_array()) continue;
      Node node;
      node.m_root = m_root;
      node.m_value = &child;
      node.walk(visit);
    }
  }
}

std::string Node::dump() const {
  const json* value = as_json(m_value);
  return value == nullptr ? "null" : value->dump(-1, ' ', false, json::error_handler_t::replace);
}

Node parse_tree(const Statement& statement) {
  Node node;
  if (statement.tree_json.empty()) return node;
  auto parsed = std::make_shared<json>();
  if (detail::read_tree(statement.tree_json, 0, detail::k_max_tree_depth, *parsed) !=
      detail::TreeRead::ok) {
    return node;
  }
  node.m_value = parsed.get();
  node.m_root = std::move(parsed);
  return node;
}

std::vector<std::string> strings(const Node& list) {
  std::vector<std::string> out;
  for (const auto& item : list.items()) out.push_back(item.str());
  return out;
}

std::string relation_name(const Node& range_var) {
  const std::string schema = range_var["schemaname"].str();
  const std::string name = range_var["relname"].str();
  return schema.empty() ? name : schema + "." + name;
}

std::string type_base(const Node& type_name_node) {
  const auto names = strings(type_name_node["names"]);
  return names.empty() ? "" : names.back();
}

std::vector<long long> type_modifiers(const Node& type_name_node) {
  std::vector<long long> out;
  for (const auto& modifier : type_name_node["typmods"].items()) out.push_back(modifier.integer(-1));
  return out;
}

std::string type_name(const Node& type_name_node) {
  std::string out = type_base(type_name_node);
  const auto modifiers = type_modifiers(type_name_node);
  if (!modifiers.empty()) {
    out += "(";
    for (std::size_t i = 0; i < modifiers.size(); ++i) out += (i == 0 ? "" : ",") + std::to_string(modifiers[i]);
    out += ")";
  }
  for (std::size_t i = 0; i < type_name_node["arrayBounds"].items().size(); ++i) out += "[]";
  return out;
}

}  // namespace pgdrift::sql
