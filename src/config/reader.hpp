#pragma once

// Private to the config module: walks a parsed yaml-cpp document. Not installed, not included
// outside src/config (only this module may see yaml-cpp).

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pgdrift/util/text.hpp"

#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::config::detail {

// One `key: value` pair of the mapping being read.
struct Entry {
  YAML::Node value;
  std::string key;  // dotted path, e.g. "sandbox.backend"
  int line = 0;     // 1-based line of the key
};

// Key name → what to do with its entry, in the order the keys are documented.
using Handlers = std::vector<std::pair<std::string, std::function<void(const Entry&)>>>;

using util::did_you_mean;

// Reads values out of a parsed document. Every read_* expands `${VAR}` in scalars, leaves `out`
// untouched for a null value (the default stays), and throws pgdrift::Error (usage) naming
// file:line and the dotted key when the value has the wrong type or is invalid.
class Reader {
 public:
  // `file_name` is how errors name the file; relative paths in values resolve against `base`.
  Reader(std::string file_name, std::filesystem::path base, const Environment& env);

  // "pgdrift.yml:7" for a 1-based line; just the file name when the line is unknown (0).
  std::string location(int line) const;
  Error error_at(int line, const std::string& message, std::string hint = {}) const;
  // The 1-based line of `node`, or `fallback` when yaml-cpp has no mark for it (null nodes).
  static int line_of(const YAML::Node& node, int fallback);

  // Calls the handler named by each key of map `node` (a null node is an empty map). `prefix`
  // is the dotted key of `node` ("" at the top level), `line` its 1-based line.
  void read_map(const YAML::Node& node, const std::string& prefix, int line,
                const Handlers& handlers) const;

  // How an error quotes `text`, the expanded value of `scalar` (config::quoted_value): never a
  // secret that came from a ${VAR}.
  static std::string shown(const YAML::Node& scalar, const std::string& text);

  void read_string(const Entry& entry, std::string& out) const;
  // Relative paths become `base / value`, lexically normalized; absolute and empty stay as is.
  void read_path(const Entry& entry, std::string& out) const;
  void read_choice(const Entry& entry, const std::vector<std::string>& allowed,
                   std::string& out) const;
  void read_duration(const Entry& entry, bool zero_allowed, std::chrono::milliseconds& out) const;
  // Digits only, e.g. "15".
  void read_version(const Entry& entry, std::string& out) const;
  // A map of names to scalars; a null value is "".
  void read_vars(const Entry& entry, std::map<std::string, std::string>& out) const;
  // A string (expanded, then split into words like a shell) or a list (each item expanded).
  void read_command(const Entry& entry, std::vector<std::string>& out) const;
  // A list of strings (a single string is a one-item list).
  void read_list(const Entry& entry, std::vector<std::string>& out) const;
  // A list of paths (a single string is a one-item list), each resolved like read_path; an
  // empty item is an error.
  void read_paths(const Entry& entry, std::vector<std::string>& out) const;

 private:
  std::optional<std::string> read_text(const Entry& entry, const std::string& expected) const;
  std::string expand(const YAML::Node& scalar, int fallback_line, const std::string& key) const;

  std::string m_file;
  std::filesystem::path m_base;
  const Environment& m_env;
};

}  // namespace pgdrift::config::detail
