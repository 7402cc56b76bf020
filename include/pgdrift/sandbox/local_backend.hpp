#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/sandbox/backend.hpp"

namespace pgdrift::sandbox {

// A directory holding both `initdb` and `postgres`, and the version they report.
struct ServerBinaries {
  std::filesystem::path bindir;
  std::string version;  // e.g. "15.18"
  int major = 0;        // e.g. 15
};

// Every usable bindir found on PATH, via `pg_config --bindir`, and in
// /usr/lib/postgresql/*/bin, newest major first, without duplicates. Versions come from
// `postgres --version`, remembered in <cache>/binaries until the binary changes.
std::vector<ServerBinaries> find_server_binaries(const Environment& env);

// Removes what local sandboxes of pgdrift processes that are gone (SIGKILL, a crash) left in
// /dev/shm, /tmp, /var/tmp and $TMPDIR: `pgdrift-*` directories whose owner file names a dead
// process, after killing the server still running there (and, as root, every process of its
// uid). Only this user's directories unless root. Returns them (with dry_run: those it would
// remove). Never throws for a directory it cannot remove: that one is left out.
std::vector<std::filesystem::path> prune_local(const Options& options, bool dry_run);

// A private cluster: the cached template is copied into a fresh directory under /dev/shm or /tmp
// (or a short $TMPDIR) and `postgres` listens only on a unix socket there (mode 0700), fsync off.
// The server is caged (README "Security model"): in namespaces of its own (no network but its own
// loopback; /tmp, /run, /dev/shm, /proc, $HOME and the cache covered but for the run directory)
// and, as root, as a uid of this run's own (run_account_if_root()), whose processes are killed
// when it stops.
class LocalBackend final : public Backend {
 public:
  LocalBackend(ServerBinaries binaries, Options options);
  ~LocalBackend() override;

  void start() override;
  db::ConnectionInfo create_database(const std::string& purpose) override;
  db::ConnectionInfo admin() const override;
  void stop() override;
  std::string kind() const override { return "local"; }
  std::string description() const override;
  std::string server_version() const override;
  bool supports_snapshots() const override { return true; }
  std::optional<std::string> start_from_snapshot(const std::string& key) override;
  std::string save_snapshot(const std::string& key, const std::string& database) override;
  std::string wait_for_snapshot() override;
  std::filesystem::path statement_log() const override;

  // The run directory (data dir, socket, log); empty before start() and after stop().
  std::filesystem::path run_dir() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace pgdrift::sandbox
