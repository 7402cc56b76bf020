#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/user.hpp"

namespace pgdrift::sandbox {

// Where templates are cached: `configured` if set, else $XDG_CACHE_HOME/pgdrift, else
// $HOME/.cache/pgdrift, else /tmp/pgdrift-cache-<uid>.
std::filesystem::path cache_root(const std::string& configured, const Environment& env);

// The directory for run and work directories: $TMPDIR when set, short enough for a unix socket
// path and reachable by `account` (the server's account when pgdrift runs as root); without
// TMPDIR, /dev/shm when it is writable with 1 GiB free; else /tmp.
std::filesystem::path scratch_base(const Environment& env, const std::optional<util::Account>& account);

// initdb output kept once per server version and bindir, so each run only copies it.
class TemplateCache {
 public:
  TemplateCache(std::filesystem::path root, ServerBinaries binaries, std::optional<util::Account> account,
                Options options);

  // The template's data directory (read only: copy it with copy_tree_writable), running initdb
  // (as `account`) first when it is missing. An existing template is checked against its
  // manifest first; one that changed, or has none, is removed and rebuilt with a warning.
  // Safe when several pgdrift runs race: each builds privately and renames into place.
  // Throws pgdrift::Error (infrastructure).
  std::filesystem::path ensure() const;

 private:
  // Why the template in `dir` cannot be used as it is, or "" (logging how long checking took).
  std::string verify(const std::filesystem::path& dir) const;
  // Says why the template in `dir` is discarded and removes it. Throws pgdrift::Error.
  void discard(const std::filesystem::path& dir, const std::string& why) const;

  std::filesystem::path m_root;
  ServerBinaries m_binaries;
  std::optional<util::Account> m_account;
  Options m_options;
};

}  // namespace pgdrift::sandbox
