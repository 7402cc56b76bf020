#pragma once

// Private to the sandbox module: the replay cache's directory layout, locking and size bound.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace pgdrift::sandbox {

// Snapshots of whole sandbox clusters, one directory per key under `<root>/replay`:
//   <key>/data/      the cluster's data directory, stopped cleanly
//   <key>/manifest   what data/ held when it was saved (tree_manifest.hpp), checked before a restore
//   <key>/database   the name of the database saved with it; its mtime is the last use
//   <key>/size       the bytes of data/, for the size bound
//   <key>/lock       locked shared while a run copies data/, exclusively while one evicts it
// Entries are built in a private staging directory and renamed into place, so a reader never sees
// a half-written one; an entry another run is copying from is never evicted under it.
class ReplayCache {
 public:
  // `notice` (may be empty) hears why an entry that was modified after it was saved is dropped.
  ReplayCache(std::filesystem::path root, std::uint64_t max_bytes,
              std::function<void(const std::string&)> notice = {});

  // Copies snapshot `key` to `data_dir` (which must not exist yet) and marks it used. Returns the
  // database saved with it; nullopt when there is no such snapshot or it cannot be read (a
  // partial copy is removed). A snapshot that no longer matches its manifest is removed, with a
  // notice, and nullopt returned.
  std::optional<std::string> restore(const std::string& key, const std::filesystem::path& data_dir) const;

  // Saves a copy of `data_dir` (a cleanly stopped cluster) as snapshot `key`, then evicts the
  // least recently used snapshots until the rest fit in the size bound. Returns an empty string,
  // or why nothing was saved.
  std::string save(const std::string& key, const std::filesystem::path& data_dir, const std::string& database) const;

  // Drops snapshot `key` (e.g. one whose server would not start).
  void forget(const std::string& key) const;

  // `<root>/replay`.
  const std::filesystem::path& dir() const { return m_dir; }

 private:
  void evict(const std::string& keep) const;

  std::filesystem::path m_root;
  std::filesystem::path m_dir;
  std::uint64_t m_max_bytes;
  std::function<void(const std::string&)> m_notice;
};

}  // namespace pgdrift::sandbox
