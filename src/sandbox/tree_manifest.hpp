#pragma once

// Private to the sandbox module: what protects the cached clusters (templates, replay-cache
// entries) against a migration that writes into them.

#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>

namespace pgdrift::sandbox {

// Writes `manifest` for the tree under `dir`: one line per entry (type, mode, size, mtime in ns,
// path relative to `dir`) and a SHA-256 of each control file (postgresql.conf,
// postgresql.auto.conf, pg_hba.conf, pg_ident.conf, PG_VERSION, global/pg_control). Returns an
// empty string, or why it could not.
std::string write_tree_manifest(const std::filesystem::path& dir, const std::filesystem::path& manifest);

// Compares the tree under `dir` with `manifest` (stats only, plus re-hashing the control files).
// Returns an empty string when they match, else the first difference, e.g. "postgresql.auto.conf
// changed", "base/1/99 was added", "no manifest". `entries` receives the number of entries seen.
std::string verify_tree_manifest(const std::filesystem::path& dir, const std::filesystem::path& manifest,
                                 std::size_t* entries = nullptr);

// Makes the tree under `dir` read only for its owner: directories 0500, files 0400.
void make_tree_read_only(const std::filesystem::path& dir, std::error_code& ec);

// Copies the tree `from` to `to` (which must not exist) with directories 0700 and files 0600, the
// modes a server's data directory needs, whatever the modes of `from`.
void copy_tree_writable(const std::filesystem::path& from, const std::filesystem::path& to, std::error_code& ec);

// Removes the tree under `dir` (nothing when missing), read-only directories included.
void remove_tree(const std::filesystem::path& dir, std::error_code& ec);

// Creates `dir` and its missing parents; `root` (the cache root, a parent of `dir` or `dir`
// itself) is created mode 0700 when it does not exist yet.
void create_cache_dirs(const std::filesystem::path& root, const std::filesystem::path& dir, std::error_code& ec);

// What to tell the user when the cache directory `dir` is unusable.
std::string cache_hint(const std::filesystem::path& dir);

}  // namespace pgdrift::sandbox
