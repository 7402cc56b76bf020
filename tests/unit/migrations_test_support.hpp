#pragma once

// Helpers shared by the migrations unit tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <system_error>

#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::testing {

inline std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "migrations" / name;
}

// A scratch directory under the system temp dir, removed with its contents on destruction.
class TempTree {
 public:
  TempTree() {
    static std::atomic<int> counter{0};
    m_root =
        std::filesystem::temp_directory_path() /
        ("pgdrift-migrations-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(m_root);
    std::filesystem::create_directories(m_root);
  }
  ~TempTree() {
    std::error_code ignored;
    std::filesystem::remove_all(m_root, ignored);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::filesystem::path& path() const { return m_root; }

  // Writes `content` to `relative` (parent folders created) and returns its path.
  std::filesystem::path write(const std::string& relative, const std::string& content) const {
    const auto file = m_root / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }

 private:
  std::filesystem::path m_root;
};

// What `run` threw as pgdrift::Error: "message | hint". Fails the test when nothing is thrown.
inline std::string error_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& error) {
    EXPECT_EQ(Error::Kind::usage, error.kind());
    return std::string(error.what()) + " | " + error.hint();
  }
  ADD_FAILURE() << "expected pgdrift::Error";
  return {};
}

inline Discovery discover_dir(const std::filesystem::path& dir, Format format = Format::automatic,
                              std::map<std::string, std::string> vars = {}) {
  DiscoverOptions options;
  options.dir = dir;
  options.format = format;
  options.vars = std::move(vars);
  return discover(options);
}

// The file line (1-based) of the first byte of up_sql that is not blank and not in a `--` comment.
inline int first_statement_line(const Migration& migration) {
  const std::string& sql = migration.up_sql;
  std::size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\r' || sql[i] == '\n') {
      ++i;
    } else if (sql.compare(i, 2, "--") == 0) {
      const std::size_t newline = sql.find('\n', i);
      i = newline == std::string::npos ? sql.size() : newline + 1;
    } else {
      break;
    }
  }
  return util::line_col(migration.source, migration.source_offset(i)).line;
}

}  // namespace pgdrift::migrations::testing
