#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/process_runner.hpp"

namespace pgdrift::sandbox {

// A throwaway Postgres. Implementations: LocalBackend (a private cluster started from cached
// initdb output), DockerBackend (a labelled container of the official image) and ServerBackend
// (scratch databases on an existing server). Whatever happens, stop() or the destructor tears
// everything down; a SIGINT/SIGTERM does too.
class Backend {
 public:
  virtual ~Backend() = default;

  // Makes the server ready. Throws pgdrift::Error (infrastructure) saying why and what to do.
  virtual void start() = 0;
  // A fresh, uniquely named, empty database. Throws pgdrift::Error (infrastructure).
  virtual db::ConnectionInfo create_database(const std::string& purpose) = 0;
  // The superuser connection to the maintenance database.
  virtual db::ConnectionInfo admin() const = 0;
  // Removes everything start()/create_database() made; idempotent. Throws on failure.
  virtual void stop() = 0;

  // "local", "docker" or "server".
  virtual std::string kind() const = 0;
  // e.g. "local PostgreSQL 15.18 (/usr/lib/postgresql/15/bin)"; never contains a password.
  virtual std::string description() const = 0;
  // The server's version, e.g. "15.18" (valid after start()).
  virtual std::string server_version() const = 0;

  // The replay cache: a snapshot of the whole server (every database in it), kept across runs
  // under a key. Only the local backend keeps snapshots; the others say so and do nothing.
  virtual bool supports_snapshots() const { return false; }
  // Instead of start(): starts the server from the snapshot saved under `key` and returns the
  // name of the database saved with it; nullopt (nothing started) when there is none or it is
  // unusable. Throws pgdrift::Error (infrastructure) like start().
  virtual std::optional<std::string> start_from_snapshot(const std::string& key) {
    (void)key;
    return std::nullopt;
  }
  // Saves the running server's state under `key`, with `database` as the database
  // start_from_snapshot() will return. No connection may be open: the server is stopped cleanly,
  // set aside and started again on a copy; the copy into the cache may go on in the background
  // until wait_for_snapshot() (stop() waits too). Returns an empty string, or why nothing is
  // being saved (the run can go on: the server is running again either way). Throws
  // pgdrift::Error (infrastructure) only when the server cannot be started again.
  virtual std::string save_snapshot(const std::string& key, const std::string& database) {
    (void)key;
    (void)database;
    return "the " + kind() + " backend keeps no replay cache";
  }
  // Waits for a save_snapshot() still copying: an empty string when the snapshot was saved (or
  // none was being saved), else why it was not.
  virtual std::string wait_for_snapshot() { return ""; }

  // With Options::statement_log: the server's CSV log (csvlog) that records the statements of
  // databases with log_statement set; empty when this backend keeps none (docker, server).
  virtual std::filesystem::path statement_log() const { return {}; }
};

struct Options {
  std::string backend = "auto";          // auto|local|docker|server
  std::string server_url;                // admin URL for server (and auto without binaries)
  std::string cache_dir;                 // template cache; empty = $XDG_CACHE_HOME/pgdrift
  std::string postgres_version;          // wanted major version; empty = newest local / docker default
  std::string docker = "docker";         // docker CLI: a name looked up on PATH or a path (podman works)
  std::string image;                     // docker image; empty = postgres:<version>
  bool interactive = false;              // a terminal watches: docker may draw pull progress on it
  std::chrono::milliseconds start_timeout{60000};
  std::uint64_t replay_cache_max_bytes = 2ULL << 30;  // snapshots kept under cache_dir/replay
  // local: run the server with its logging collector writing csvlog to data/log/statements.csv,
  // so that statements of a database with log_statement = 'all' can be read back
  // (Backend::statement_log; `verify --command` captures a framework's statements this way).
  bool statement_log = false;
  Environment env;                       // PATH, HOME, XDG_CACHE_HOME, TMPDIR are read from it
                                         // (docker gets all of it: DOCKER_HOST, contexts, …)
  std::function<void(const std::string&)> log;  // progress lines (verbose output); may be empty
  std::function<void(const std::string&)> warn;  // lines always shown (stderr); may be empty
  std::shared_ptr<util::ProcessRunner> runner;  // runs the docker CLI; empty = the real one
};

// Chooses and constructs (but does not start) a backend. `auto`: `local` when server binaries
// (of postgres_version, when given) exist, else `docker` when the docker CLI exists, else
// `server` when a URL is given, else an infrastructure error saying what to install.
// Throws pgdrift::Error (usage) for an unknown backend name, (infrastructure) for a missing
// docker CLI with `docker`.
std::unique_ptr<Backend> make_backend(const Options& options);

}  // namespace pgdrift::sandbox
