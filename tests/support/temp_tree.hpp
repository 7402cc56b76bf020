#pragma once

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <utility>
#include <string>
#include <vector>

#include "pgdrift/util/temp_dir.hpp"

namespace pgdrift::testing {

// A temporary directory filled with files (relative path → content); removed when destroyed.
class TempTree {
 public:
  TempTree() : m_dir(std::filesystem::temp_directory_path(), "pgdrift-test-") {}
  explicit TempTree(std::initializer_list<std::pair<const char*, std::string>> files) : TempTree() {
    for (const auto& [name, content] : files) write(name, content);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  void write(const std::string& name, const std::string& content) const {
    const auto file = m_dir.path() / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }
  const std::filesystem::path& path() const { return m_dir.path(); }
  std::string operator/(const std::string& name) const { return (m_dir.path() / name).string(); }

 private:
  util::TempDir m_dir;
};

// The whole content of `file` ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The names of the entries of `dir`, sorted.
inline std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace pgdrift::testing
