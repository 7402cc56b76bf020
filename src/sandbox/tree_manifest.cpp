#include "tree_manifest.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <vector>

#include "pgdrift/util/hash.hpp"

namespace pgdrift::sandbox {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_header = "pgdrift-manifest 1";

// Files whose content decides how the server behaves and whom it lets in: hashed, not just
// stat'ed, so a same-size rewrite with its mtime put back is still seen.
constexpr std::array<const char*, 6> k_control_files = {"postgresql.conf", "postgresql.auto.conf", "pg_hba.conf",
                                                         "pg_ident.conf",   "PG_VERSION",           "global/pg_control"};

// Relative path → "type mode size mtime_ns sha256|-".
using Listing = std::map<std::string, std::string>;

bool is_control_file(const std::string& relative) {
  for (const char* name : k_control_files) {
    if (relative == name) return true;
  }
  return false;
}

// SHA-256 of the file `name` in directory `dirfd`, or "unreadable".
std::string hash_at(int dirfd, const char* name) {
  const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "unreadable";
  std::string content;
  char buffer[16384];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) content.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  return n < 0 ? "unreadable" : util::sha256_hex(content);
}

std::string describe(const struct stat& st, const std::string& hash) {
  const char type = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : 'o';
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  // A directory's size depends on the filesystem's bookkeeping; its entries are listed anyway.
  const long long size = S_ISDIR(st.st_mode) ? 0 : static_cast<long long>(st.st_size);
  const long long mtime = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return std::string(1, type) + " " + mode + " " + std::to_string(size) + " " + std::to_string(mtime) + " " +
         (hash.empty() ? "-" : hash);
}

// Lists the directory open as `dirfd` (closed here), whose path relative to the root is
// `prefix` ("" for the root itself). Returns false, with `why`, when it cannot be read.
bool list_dir(int dirfd, const std::string& prefix, Listing& out, std::string& why) {
  DIR* dir = ::fdopendir(dirfd);
  if (dir == nullptr) {
    ::close(dirfd);
    why = "cannot read " + (prefix.empty() ? std::string(".") : prefix);
    return false;
  }
  bool ok = true;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string relative = prefix.empty() ? name : prefix + "/" + name;
    struct stat st {};
    if (::fstatat(::dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      why = "cannot stat " + relative;
      ok = false;
      break;
    }
    const bool control = S_ISREG(st.st_mode) && is_control_file(relative);
    out[relative] = describe(st, control ? hash_at(::dirfd(dir), name.c_str()) : "");
    if (S_ISDIR(st.st_mode)) {
      const int child = ::openat(::dirfd(dir), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (child < 0 || !list_dir(child, relative, out, why)) {
        if (why.empty()) why = "cannot read " + relative;
        ok = false;
        break;
      }
    }
  }
  ::closedir(dir);
  return ok;
}

bool list_tree(const fs::path& root, Listing& out, std::string& why) {
  const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    why = "cannot read " + root.string();
    return false;
  }
  out["."] = describe(st, "");
  return list_dir(fd, "", out, why);
}

std::string serialize(const Listing& listing) {
  std::string text = std::string(k_header) + "\n";
  for (const auto& [path, fields] : listing) text += fields + " " + path + "\n";
  return text;
}

}  // namespace

std::string write_tree_manifest(const fs::path& dir, const fs::path& manifest) {
  Listing listing;
  std::string why;
  if (!list_tree(dir, listing, why)) return why;
  {
    std::ofstream out(manifest, std::ios::trunc);
    out << serialize(listing);
    out.flush();
    if (!out) return "cannot write " + manifest.string();
  }
  std::error_code ec;
  fs::permissions(manifest, fs::perms::owner_read, ec);
  return "";
}

std::string verify_tree_manifest(const fs::path& dir, const fs::path& manifest, std::size_t* entries) {
  std::ifstream file(manifest, std::ios::binary);
  if (!file) return "no manifest";
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  Listing actual;
  std::string why;
  if (!list_tree(dir, actual, why)) return why;
  if (entries) *entries = actual.size();
  // The common case, kept cheap: the tree serializes to the very same text.
  if (serialize(actual) == text) return "";

  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != k_header) return "the manifest is not one this pgdrift writes";
  Listing expected;
  while (std::getline(in, line)) {
    // Five fields, then the path (which may hold spaces).
    std::size_t at = 0;
    for (int field = 0; field < 5 && at != std::string::npos; ++field) {
      at = line.find(' ', at);
      if (at != std::string::npos) ++at;
    }
    if (at == std::string::npos || at >= line.size()) return "the manifest is damaged";
    expected[line.substr(at)] = line.substr(0, at - 1);
  }
  // Name the most telling difference: a file added or removed, else a file changed, else a
  // directory (whose mtime moves with any entry added or removed).
  std::string added, missing, changed, changed_dir;
  for (const auto& [path, fields] : actual) {
    const auto it = expected.find(path);
    if (it == expected.end()) {
      if (added.empty()) added = path + " was added";
    } else if (it->second != fields) {
      auto& slot = fields[0] == 'd' ? changed_dir : changed;
      if (slot.empty()) slot = (path == "." ? std::string("the data directory") : path) + " changed";
    }
  }
  for (const auto& [path, fields] : expected) {
    if (missing.empty() && actual.count(path) == 0) missing = path + " is missing";
  }
  for (const auto* why_first : {&added, &missing, &changed, &changed_dir}) {
    if (!why_first->empty()) return *why_first;
  }
  return "";
}

void make_tree_read_only(const fs::path& dir, std::error_code& ec) {
  // Files first, then directories deepest first: a directory made 0500 still lets its owner
  // change its entries' modes, but the order keeps that question away.
  std::vector<fs::path> dirs = {dir};
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    if (ec) return;
    if (fs::is_symlink(status)) continue;
    if (fs::is_directory(status)) {
      dirs.push_back(it->path());
    } else {
      fs::permissions(it->path(), fs::perms::owner_read, ec);
      if (ec) return;
    }
  }
  if (ec) return;
  for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {
    fs::permissions(*d, fs::perms::owner_read | fs::perms::owner_exec, ec);
    if (ec) return;
  }
}

void copy_tree_writable(const fs::path& from, const fs::path& to, std::error_code& ec) {
  fs::create_directory(to, ec);
  if (!ec) fs::permissions(to, fs::perms::owner_all, ec);
  for (fs::directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    const auto target = to / it->path().filename();
    const auto status = it->symlink_status(ec);
    if (ec) return;
    if (fs::is_directory(status)) {
      copy_tree_writable(it->path(), target, ec);
    } else if (fs::is_symlink(status)) {
      fs::copy_symlink(it->path(), target, ec);
    } else {
      fs::copy_file(it->path(), target, ec);
      if (!ec) fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write, ec);
    }
    if (ec) return;
  }
}

void remove_tree(const fs::path& dir, std::error_code& ec) {
  ec.clear();
  if (!fs::exists(fs::symlink_status(dir, ec)) || ec) {
    ec.clear();
    return;
  }
  // remove_all cannot empty a directory its owner may not write: open them up first.
  std::error_code ignored;
  if (fs::is_directory(fs::symlink_status(dir, ignored))) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ignored);
    for (fs::recursive_directory_iterator it(dir, ignored), end; !ignored && it != end; it.increment(ignored)) {
      if (!it->is_symlink() && it->is_directory()) {
        std::error_code chmod_ec;
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, chmod_ec);
      }
    }
  }
  fs::remove_all(dir, ec);
}

void create_cache_dirs(const fs::path& root, const fs::path& dir, std::error_code& ec) {
  ec.clear();
  if (!fs::exists(root, ec)) {
    if (ec) return;
    if (root.has_parent_path()) fs::create_directories(root.parent_path(), ec);
    if (ec) return;
    // The cache holds clusters every later run starts from: nobody else may enter it.
    if (fs::create_directory(root, ec)) fs::permissions(root, fs::perms::owner_all, ec);
    if (ec) return;
  }
  fs::create_directories(dir, ec);
}

std::string cache_hint(const fs::path& dir) {
  return "remove " + dir.string() +
         " (it is only a cache) and run again; --cache-dir DIR (sandbox.cache_dir) uses another";
}

}  // namespace pgdrift::sandbox
