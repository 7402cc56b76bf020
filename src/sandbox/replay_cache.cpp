#include "replay_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"
#include "tree_manifest.hpp"

namespace pgdrift::sandbox {

namespace fs = std::filesystem;

namespace {

// A flock(2) on a file, released when destroyed.
class FileLock {
 public:
  // Locks `file` shared or exclusive; `wait` false fails at once when another holds it.
  FileLock(const fs::path& file, bool exclusive, bool wait) {
    m_fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) return;
    const int operation = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
    if (::flock(m_fd, operation) != 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }
  ~FileLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return m_fd >= 0; }

 private:
  int m_fd = -1;
};

bool valid_key(const std::string& key) {
  return !key.empty() && key.size() <= 64 &&
         std::all_of(key.begin(), key.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::uint64_t tree_size(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

std::string read_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return std::string(util::trim(line));
}

// Renames `entry` out of the way (atomically: no reader can open it afterwards) and removes it.
void remove_entry(const fs::path& cache_dir, const fs::path& entry) {
  std::error_code ec;
  const auto trash = cache_dir / (".trash-" + entry.filename().string() + "-" + std::to_string(::getpid()));
  fs::rename(entry, trash, ec);
  fs::remove_all(ec ? entry : trash, ec);
}

}  // namespace

ReplayCache::ReplayCache(fs::path root, std::uint64_t max_bytes, std::function<void(const std::string&)> notice)
    : m_root(std::move(root)), m_dir(m_root / "replay"), m_max_bytes(max_bytes), m_notice(std::move(notice)) {}

std::optional<std::string> ReplayCache::restore(const std::string& key, const fs::path& data_dir) const {
  if (!valid_key(key)) return std::nullopt;
  const auto entry = m_dir / key;
  std::string why;
  {
    const FileLock lock(entry / "lock", false, true);
    if (!lock.held()) return std::nullopt;  // no such entry (or it was just evicted)
    const std::string database = read_line(entry / "database");
    std::error_code ec;
    if (database.empty() || !fs::is_regular_file(entry / "data" / "PG_VERSION", ec)) return std::nullopt;
    why = verify_tree_manifest(entry / "data", entry / "manifest");
    if (why.empty()) {
      copy_tree_writable(entry / "data", data_dir, ec);
      if (ec) {
        fs::remove_all(data_dir, ec);
        return std::nullopt;
      }
      fs::last_write_time(entry / "database", fs::file_time_type::clock::now(), ec);
      return database;
    }
  }
  // Whatever changed it (a migration writing into the cache, a hand edit) would reach every later
  // run: the run goes on cold and saves a fresh entry.
  if (m_notice) {
    m_notice("sandbox: the replay cache entry " + entry.string() + " " +
             (why == "no manifest" ? "has no manifest (an older layout)" : "was modified (" + why + ")") +
             "; discarding it");
  }
  forget(key);
  return std::nullopt;
}

std::string ReplayCache::save(const std::string& key, const fs::path& data_dir, const std::string& database) const {
  if (!valid_key(key)) return "internal error: bad replay cache key '" + key + "'";
  std::error_code ec;
  const auto entry = m_dir / key;
  if (fs::exists(entry / "database", ec)) return "";  // a concurrent run saved the same history first
  create_cache_dirs(m_root, m_dir, ec);
  if (ec) return "cannot create " + m_dir.string() + ": " + ec.message() + "; " + cache_hint(m_root);
  try {
    util::TempDir staging(m_dir, ".staging-");
    fs::copy(data_dir, staging.path() / "data", fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
    // A cleanly stopped server leaves no postmaster.pid; never carry one over.
    if (!ec) fs::remove(staging.path() / "data" / "postmaster.pid", ec);
    if (ec) return "cannot copy the cluster into " + staging.path().string() + ": " + ec.message();
    if (auto why = write_tree_manifest(staging.path() / "data", staging.path() / "manifest"); !why.empty()) {
      return why;
    }
    std::ofstream(staging.path() / "lock").flush();
    std::ofstream(staging.path() / "size") << tree_size(staging.path() / "data") << "\n";
    {
      std::ofstream out(staging.path() / "database");
      out << database << "\n";
      out.flush();
      if (!out) return "cannot write " + (staging.path() / "database").string();
    }
    fs::rename(staging.path(), entry, ec);
    if (!ec) staging.release();
    // else: another run installed the same key first; ours goes with `staging`.
  } catch (const Error& e) {
    return e.what();
  }
  evict(key);
  return "";
}

void ReplayCache::forget(const std::string& key) const {
  if (!valid_key(key)) return;
  const auto entry = m_dir / key;
  const FileLock lock(entry / "lock", true, false);
  if (lock.held()) remove_entry(m_dir, entry);
}

void ReplayCache::evict(const std::string& keep) const {
  struct Item {
    fs::path dir;
    fs::file_time_type used;
    std::uint64_t size = 0;
  };
  std::vector<Item> items;
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(m_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (!valid_key(name)) {
      // Staging and trash directories of other runs; one an hour old was left by a killed run.
      std::error_code time_ec;
      const auto age = fs::file_time_type::clock::now() - fs::last_write_time(it->path(), time_ec);
      if (!time_ec && age > std::chrono::hours{1} && (name.rfind(".staging-", 0) == 0 || name.rfind(".trash-", 0) == 0)) {
        std::error_code ignored;
        fs::remove_all(it->path(), ignored);
      }
      continue;
    }
    Item item;
    item.dir = it->path();
    std::error_code time_ec;
    item.used = fs::last_write_time(item.dir / "database", time_ec);
    if (time_ec) continue;  // being built or removed
    try {
      item.size = std::stoull(read_line(item.dir / "size"));
    } catch (const std::exception&) {
      item.size = tree_size(item.dir / "data");
    }
    total += item.size;
    if (name != keep) items.push_back(std::move(item));
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.used < b.used; });
  for (const auto& item : items) {
    if (total <= m_max_bytes) break;
    // Another run copying from it holds the lock shared: leave that one for later.
    const FileLock lock(item.dir / "lock", true, false);
    if (!lock.held()) continue;
    remove_entry(m_dir, item.dir);
    total -= std::min(total, item.size);
  }
}

}  // namespace pgdrift::sandbox
