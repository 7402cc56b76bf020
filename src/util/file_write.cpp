#include "pgdrift/util/file_write.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/signals.hpp"

namespace pgdrift::util {

namespace fs = std::filesystem;

namespace {

// Longest part of the destination's name kept in the temporary name, so that with the dot and
// ".pgdrift-XXXXXX" it stays within NAME_MAX (255 bytes) on common file systems.
constexpr std::size_t k_max_temp_stem = 200;
constexpr const char* k_hint = "check that the directory exists and is writable and that the disk has room";

Error write_error(const std::string& verb, const fs::path& path, const std::string& step, int error) {
  return infra_error("cannot " + verb + " " + path.string() + ": " + step + std::strerror(error), k_hint);
}

// Writes all of `content` to `fd`, resuming after short writes and EINTR; returns 0 or the errno.
int write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

// Closes `fd`; returns `error` when set, else close()'s errno (NFS reports late errors there), else 0.
int close_keeping(int fd, int error) {
  if (::close(fd) != 0 && error == 0) return errno;
  return error;
}

// The mode a new file gets from open(…, 0666): mkstemp makes its file 0600.
mode_t new_file_mode() {
  // The umask can only be read by setting it; only the main thread creates files meanwhile.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// A destination that exists but is no regular file (/dev/stdout, /dev/full, a FIFO, a
// directory): written in place, as a shell redirection would; renaming over it would be wrong.
void write_in_place(const fs::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) throw write_error("write", path, "", errno);
  if (const int error = close_keeping(fd, write_all(fd, content)); error != 0) {
    throw write_error("write", path, "", error);
  }
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view content) {
  fs::path target = path;
  struct stat info {};
  if (::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
    std::error_code ec;
    const auto resolved = fs::canonical(path, ec);
    if (!ec) target = resolved;  // a dangling link is replaced by the file itself
  }
  const bool exists = ::stat(target.c_str(), &info) == 0;
  if (exists && !S_ISREG(info.st_mode)) {
    write_in_place(target, content);
    return;
  }
  // A read-only report stays as it is, as it did when it was truncated and rewritten.
  if (exists && ::access(target.c_str(), W_OK) != 0) throw write_error("write", path, "", errno);

  const mode_t mode = exists ? (info.st_mode & 07777) : new_file_mode();
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string stem = "." + target.filename().string();
  if (stem.size() > k_max_temp_stem) stem.resize(k_max_temp_stem);
  const std::string pattern = (dir / (stem + ".pgdrift-XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) {
    throw write_error("write", path, "cannot create a temporary file in " + dir.string() + ": ", errno);
  }
  const std::string temp(buffer.data());
  // Terminated by a signal meanwhile: no temporary file is left behind.
  const CleanupRegistration cleanup([temp] { ::unlink(temp.c_str()); });

  int error = write_all(fd, content);
  if (error == 0 && ::fchmod(fd, mode) != 0) error = errno;
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  error = close_keeping(fd, error);
  if (error == 0 && ::rename(temp.c_str(), target.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temp.c_str());
    throw write_error("write", path, "", error);
  }
}

void append_to_file(const fs::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) throw write_error("append to", path, "", errno);
  if (const int error = close_keeping(fd, write_all(fd, content)); error != 0) {
    throw write_error("append to", path, "", error);
  }
}

}  // namespace pgdrift::util
