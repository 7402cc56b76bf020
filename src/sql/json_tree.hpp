#pragma once

// Private to the sql module: reading libpg_query's JSON parse trees into nlohmann documents in
// time linear in their size, with their nesting bounded.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

namespace pgdrift::sql::detail {

// Keeps libpg_query's field order.
using TreeJson = nlohmann::ordered_json;

// How deeply a parse tree's JSON may nest (objects and arrays). A chain of operators at split()'s
// nesting limit takes 2 levels per operator, well below it; so do prefix chains (NOT NOT …) and
// nested CASEs the nesting estimate does not count. Our recursive walks of a tree up to it need
// under 2 MB of stack (8 MB is the usual default).
inline constexpr std::size_t k_max_tree_depth = 5000;

enum class TreeRead { ok, unreadable, too_deep };

// Reads the JSON `text` into `out`, adding `location_shift` to every "location" field >= 0.
// too_deep (and `out` unspecified) when it nests deeper than `max_depth`; unreadable when it is
// not JSON. Unlike ordered_json::parse, whose object storage copies finished subtrees whenever
// it grows (super-quadratic for deep trees), each object is built once, at its end.
TreeRead read_tree(std::string_view text, std::int64_t location_shift, std::size_t max_depth,
                   TreeJson& out);

}  // namespace pgdrift::sql::detail
