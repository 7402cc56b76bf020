#pragma once

#include <map>
#include <optional>
#include <string>

namespace pgdrift {

// A process environment as name → value. Passed explicitly so tests control it.
using Environment = std::map<std::string, std::string>;

// The environment this process was started with.
Environment current_environment();

// The value of `name`, or nullopt when unset.
std::optional<std::string> env_get(const Environment& env, const std::string& name);

}  // namespace pgdrift
