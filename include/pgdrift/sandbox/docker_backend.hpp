#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/sandbox/docker_cli.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::sandbox {

// The major version a docker sandbox runs when neither postgres.version nor postgres.image is set.
inline constexpr const char* k_docker_default_version = "17";

// A container of the official image (or options.image) started with the docker CLI: published
// on a free port of 127.0.0.1 only, a generated password that is never printed, the data
// directory on tmpfs, fsync off. Labelled pgdrift=1 with the run id, pid and hostname; removed
// (`rm -f -v`) by stop(), the destructor, or a SIGINT/SIGTERM.
class DockerBackend final : public Backend {
 public:
  // `docker`: the resolved CLI (see find_docker); commands run through options.runner.
  DockerBackend(std::filesystem::path docker, Options options);
  ~DockerBackend() override;

  // Pulls a missing image, runs the container, waits until the server accepts connections
  // (options.start_timeout), and checks its major version against the one asked for.
  void start() override;
  db::ConnectionInfo create_database(const std::string& purpose) override;
  db::ConnectionInfo admin() const override;
  void stop() override;
  std::string kind() const override { return "docker"; }
  // e.g. "docker PostgreSQL 16.4 (postgres:16, container pgdrift-0f3a…)".
  std::string description() const override;
  std::string server_version() const override;

  // The container's name, "pgdrift-<run id>"; empty before start() and after stop().
  std::string container() const;
  // The image this backend runs.
  std::string image() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The image a docker sandbox runs: options.image, else postgres:<postgres_version>, else
// postgres:<k_docker_default_version>.
std::string docker_image(const Options& options);

// The major version the server in `image` must report: postgres_version when set, the default
// when the default image is used, else "" (any).
std::string docker_expected_major(const Options& options);

// Throws pgdrift::Error (infrastructure) when `server_version` (e.g. "16.4") is not of major
// `expected` (e.g. "16"; empty = anything goes), naming `image` and what to change.
void check_docker_server_version(const std::string& server_version, const std::string& expected,
                                 const std::string& image);

// The docker CLI options.docker names (a path, or a name looked up on options.env's PATH), or
// nullopt when there is none.
std::optional<std::filesystem::path> find_docker(const Options& options);

// The infrastructure error for a docker CLI that find_docker did not find, saying what to do.
Error missing_docker_error(const Options& options);

// What `pgdrift sandbox prune` did.
struct PruneResult {
  std::vector<LabelledContainer> removed;  // leftovers (with dry_run: those that would go)
  std::vector<LabelledContainer> kept;     // their pgdrift still runs, or another machine made them
};

// Removes the containers labelled pgdrift=1 that were made on this machine (pgdrift.host) by a
// process that no longer exists (pgdrift.pid). A container without a valid pid label is kept.
// Throws pgdrift::Error (infrastructure) when the docker CLI is missing or fails.
PruneResult prune_docker(const Options& options, bool dry_run);

// This machine's hostname, as the pgdrift.host label records it.
std::string this_host();

}  // namespace pgdrift::sandbox
