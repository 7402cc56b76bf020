#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgdrift/sql/statement.hpp"

namespace pgdrift::sql {

// A read-only view of one value of a libpg_query parse tree: an object, a list, a scalar or
// nothing. Cheap to copy (views share the parsed tree). libpg_query omits fields holding their
// default, so a missing field reads as a null node and scalars read with a fallback.
// A *wrapped* node is an object with one key naming its type, e.g. {"ColumnDef": {…}}; fields
// are read through the wrapper, so node["colname"] works on either form.
class Node {
 public:
  Node() = default;

  bool is_null() const;
  bool is_list() const;
  bool is_object() const;

  // The type of a wrapped node ("ColumnDef"); empty for anything else.
  std::string type() const;
  // Whether this is a wrapped node of `type_name`.
  bool is(std::string_view type_name) const { return type() == type_name; }

  // A field of an object (through the wrapper); a null node when absent.
  Node operator[](std::string_view key) const;
  // The elements of a list, or of a List node ({"List": {"items": […]}}); empty for anything else.
  std::vector<Node> items() const;

  // A string scalar, or the value of a String node ({"String": {"sval": …}}); `fallback` otherwise.
  std::string str(std::string_view fallback = "") const;
  // An integer scalar, or the value of an Integer node or integer A_Const; `fallback` otherwise.
  long long integer(long long fallback = 0) const;
  // A boolean scalar; false when absent.
  bool boolean() const;
  // The node's own "location" (a byte offset into the text given to sql::split), if it has one.
  std::optional<std::size_t> location() const;
  // The smallest location anywhere in this subtree, if any.
  std::optional<std::size_t> first_location() const;

  // Calls `visit` on every wrapped node in this subtree (this one included), depth first.
  void walk(const std::function<void(const Node&)>& visit) const;

  // Compact JSON of this subtree, for messages in tests and debugging.
  std::string dump() const;

 private:
  friend Node parse_tree(const Statement& statement);
  std::shared_ptr<const void> m_root;  // the parsed document (opaque: nlohmann stays in sql/)
  const void* m_value = nullptr;       // a value inside it
};

// The parse tree of a statement: the wrapped statement node (e.g. {"CreateStmt": {…}}); a null
// node when the statement does not parse.
Node parse_tree(const Statement& statement);

// The string values of a list of String nodes (a qualified name, a type name, a column list).
std::vector<std::string> strings(const Node& list);

// A RangeVar as written: "schema.name" or "name".
std::string relation_name(const Node& range_var);

// A TypeName as a readable type: the last name part (pg_catalog. dropped, Postgres's internal
// names kept: "varchar", "int4", "timestamptz", "bpchar"), integer modifiers in parentheses,
// "[]" per array bound: "varchar(20)", "numeric(10,2)", "int4[]".
std::string type_name(const Node& type_name_node);

// The base name of a TypeName ("varchar", "int4", "text"): the last name part.
std::string type_base(const Node& type_name_node);

// The integer modifiers of a TypeName ((20) → {20}; numeric(10,2) → {10, 2}).
std::vector<long long> type_modifiers(const Node& type_name_node);

}  // namespace pgdrift::sql
