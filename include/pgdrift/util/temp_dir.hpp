#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace pgdrift::util {

// A uniquely named directory (mode 0700) removed with everything in it when destroyed, or when
// a termination signal ends pgdrift (the cleanup is registered before the directory exists).
// With `owned`, it holds an owner file naming this process (see owner_gone()), so that a later
// run can tell it is debris once this process died without cleaning up (SIGKILL, a crash).
class TempDir {
 public:
  // Creates `<base>/<prefix>XXXXXX`. Throws pgdrift::Error (infrastructure) on failure.
  TempDir(const std::filesystem::path& base, const std::string& prefix, bool owned = false);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  const std::filesystem::path& path() const noexcept { return m_path; }
  // Removes the directory now; throws pgdrift::Error (infrastructure) when it cannot.
  void remove();
  // Keeps the directory: the destructor (and a signal) will not remove it. Its owner file stays.
  std::filesystem::path release() noexcept;

 private:
  struct Guard;
  std::filesystem::path m_path;
  std::shared_ptr<Guard> m_guard;
};

// The owner file an owned TempDir holds: "<pid> <process start time>".
inline constexpr const char* k_owner_file = ".pgdrift-owner";

// True when `dir` holds an owner file whose process is gone (no such pid, or a pid reused by a
// process started at another time). False without an owner file, or while the owner lives.
bool owner_gone(const std::filesystem::path& dir);

// The directory for short-lived files: $TMPDIR when set, else /tmp.
std::filesystem::path temp_base(const std::string& tmpdir_env_value);

}  // namespace pgdrift::util
