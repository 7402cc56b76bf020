#pragma once

#include <filesystem>
#include <string>

namespace pgdrift::util {

// A uniquely named directory (mode 0700) removed with everything in it when destroyed.
class TempDir {
 public:
  // Creates `<base>/<prefix>XXXXXX`. Throws pgdrift::Error (infrastructure) on failure.
  TempDir(const std::filesystem::path& base, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  const std::filesystem::path& path() const noexcept { return m_path; }
  // Removes the directory now; throws pgdrift::Error (infrastructure) when it cannot.
  void remove();
  // Keeps the directory: the destructor will not remove it.
  std::filesystem::path release() noexcept;

 private:
  std::filesystem::path m_path;
};

// The directory for short-lived files: $TMPDIR when set, else /tmp.
std::filesystem::path temp_base(const std::string& tmpdir_env_value);

}  // namespace pgdrift::util
