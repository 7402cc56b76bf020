#include "pgdrift/sandbox/backend.hpp"

#include "pgdrift/sandbox/docker_backend.hpp"
#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/sandbox/server_backend.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sandbox {

namespace {

constexpr const char* k_install_hint =
    "install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql; macOS: brew install "
    "postgresql), or Docker (then --backend docker runs the official postgres image), or point "
    "pgdrift at an existing server with --backend server --server-url "
    "postgresql://user:password@host:5432/postgres";

std::optional<ServerBinaries> pick(const std::vector<ServerBinaries>& all, const std::string& wanted) {
  for (const auto& b : all) {
    if (wanted.empty() || std::to_string(b.major) == wanted) return b;
  }
  return std::nullopt;
}

std::string list_versions(const std::vector<ServerBinaries>& all) {
  std::vector<std::string> parts;
  for (const auto& b : all) parts.push_back(b.version + " (" + b.bindir.string() + ")");
  return util::join(parts, ", ");
}

std::unique_ptr<Backend> make_local(const Options& options, const std::vector<ServerBinaries>& all) {
  if (all.empty()) {
    throw infra_error(
        "no PostgreSQL server binaries found (looked on PATH, in `pg_config --bindir` and in "
        "/usr/lib/postgresql/*/bin) to start a throwaway database",
        k_install_hint);
  }
  auto chosen = pick(all, options.postgres_version);
  if (!chosen) {
    throw infra_error("PostgreSQL " + options.postgres_version +
                          " was asked for, but the installed server binaries are: " + list_versions(all),
                      "install PostgreSQL " + options.postgres_version +
                          " (Debian/Ubuntu: apt-get install postgresql-" + options.postgres_version +
                          "), run it in a container with --backend docker, or drop the version "
                          "requirement (postgres.version / --postgres-version)");
  }
  return std::make_unique<LocalBackend>(*chosen, options);
}

std::unique_ptr<Backend> make_server(const Options& options) {
  if (options.server_url.empty()) {
    throw usage_error("the server backend needs the URL of an existing PostgreSQL server",
                      "pass --server-url postgresql://user:password@host:5432/postgres or set "
                      "sandbox.server_url in pgdrift.yml");
  }
  return std::make_unique<ServerBackend>(db::ConnectionInfo::parse(options.server_url), options);
}

std::unique_ptr<Backend> make_docker(const Options& options) {
  const auto docker = find_docker(options);
  if (!docker) throw missing_docker_error(options);
  return std::make_unique<DockerBackend>(*docker, options);
}

}  // namespace

std::unique_ptr<Backend> make_backend(const Options& options) {
  if (options.backend == "local") return make_local(options, find_server_binaries(options.env));
  if (options.backend == "server") return make_server(options);
  if (options.backend == "docker") return make_docker(options);
  if (options.backend == "auto") {
    const auto all = find_server_binaries(options.env);
    if (pick(all, options.postgres_version)) return make_local(options, all);
    if (find_docker(options)) return make_docker(options);
    if (!options.server_url.empty()) return make_server(options);
    return make_local(options, all);  // throws, saying what is missing
  }
  throw usage_error("unknown sandbox backend '" + options.backend + "'",
                    "use one of: auto, local, docker, server");
}

}  // namespace pgdrift::sandbox
