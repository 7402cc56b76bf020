#include "pgdrift/util/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <vector>

#include "pgdrift/util/error.hpp"

namespace pgdrift::util {

namespace {

// remove_all, and when a read-only directory inside (a cached cluster is kept read only) stops
// it, again after giving the owner write access to every directory.
void remove_tree(const std::filesystem::path& dir, std::error_code& ec) {
  std::filesystem::remove_all(dir, ec);
  if (!ec || ec != std::errc::permission_denied) return;
  std::error_code ignored;
  const auto open_up = std::filesystem::perms::owner_all;
  std::filesystem::permissions(dir, open_up, std::filesystem::perm_options::add, ignored);
  for (std::filesystem::recursive_directory_iterator it(dir, ignored), end; !ignored && it != end;
       it.increment(ignored)) {
    std::error_code chmod_ec;
    if (!it->is_symlink(chmod_ec) && it->is_directory(chmod_ec)) {
      std::filesystem::permissions(it->path(), open_up, std::filesystem::perm_options::add, chmod_ec);
    }
  }
  std::filesystem::remove_all(dir, ec);
}

}  // namespace

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
  remove_tree(m_path, ignored);
}

TempDir::TempDir(TempDir&& other) noexcept : m_path(std::move(other.m_path)) { other.m_path.clear(); }

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ignored;
    if (!m_path.empty()) remove_tree(m_path, ignored);
    m_path = std::move(other.m_path);
    other.m_path.clear();
  }
  return *this;
}

void TempDir::remove() {
  if (m_path.empty()) return;
  std::error_code ec;
  remove_tree(m_path, ec);
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
