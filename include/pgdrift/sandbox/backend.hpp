#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/util/environment.hpp"

namespace pgdrift::sandbox {

// A throwaway Postgres. Implementations: LocalBackend (a private cluster started from cached
// initdb output) and ServerBackend (scratch databases on an existing server). Whatever happens,
// stop() or the destructor tears everything down; a SIGINT/SIGTERM does too.
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

  // "local" or "server".
  virtual std::string kind() const = 0;
  // e.g. "local PostgreSQL 15.18 (/usr/lib/postgresql/15/bin)"; never contains a password.
  virtual std::string description() const = 0;
  // The server's version, e.g. "15.18" (valid after start()).
  virtual std::string server_version() const = 0;
};

struct Options {
  std::string backend = "auto";          // auto|local|server
  std::string server_url;                // admin URL for server (and auto without binaries)
  std::string cache_dir;                 // template cache; empty = $XDG_CACHE_HOME/pgdrift
  std::string postgres_version;          // wanted major version for local; empty = newest
  std::chrono::milliseconds start_timeout{60000};
  Environment env;                       // PATH, HOME, XDG_CACHE_HOME, TMPDIR are read from it
  std::function<void(const std::string&)> log;  // progress lines (verbose output); may be empty
};

// Chooses and constructs (but does not start) a backend: `local` when server binaries exist,
// else `server` when a URL is given, else an infrastructure error saying what to install.
// Throws pgdrift::Error (usage) for an unknown backend name.
std::unique_ptr<Backend> make_backend(const Options& options);

}  // namespace pgdrift::sandbox
