#pragma once

#include <string>
#include <string_view>

namespace pgdrift::util {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

}  // namespace pgdrift::util
