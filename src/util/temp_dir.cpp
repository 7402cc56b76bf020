#include "pgdrift/util/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

#include "pgdrift/util/error.hpp"

namespace pgdrift::util {

TempDir::TempDir(const std::filesystem::path& base, const std::string& prefix) {
  std::string pattern = (base / (prefix + "XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    throw infra_error("cannot create a temporary directory in " + base.string() + ": " +
                          std::strerror(errno),
                      "check that the directory exists and is writable, or set TMPDIR");
  }
  m_path = buffer.data();
}

TempDir::~TempDir() {
  if (m_path.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(m_path, ignored);
}

TempDir::TempDir(TempDir&& other) noexcept : m_path(std::move(other.m_path)) { other.m_path.clear(); }

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ignored;
    if (!m_path.empty()) std::filesystem::remove_all(m_path, ignored);
    m_path = std::move(other.m_path);
    other.m_path.clear();
  }
  return *this;
}

void TempDir::remove() {
  if (m_path.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
  if (ec) throw infra_error("cannot remove " + m_path.string() + ": " + ec.message());
  m_path.clear();
}

std::filesystem::path TempDir::release() noexcept {
  auto path = std::move(m_path);
  m_path.clear();
  return path;
}

std::filesystem::path temp_base(const std::string& tmpdir_env_value) {
  if (!tmpdir_env_value.empty()) return tmpdir_env_value;
  return "/tmp";
}

}  // namespace pgdrift::util
