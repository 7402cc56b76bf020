#include "pgdrift/sandbox/docker_backend.hpp"

#include <unistd.h>

#include <random>
#include <thread>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/signals.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sandbox {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* k_superuser = "postgres";
// A directory below the tmpfs mount point: the image's entrypoint creates and chowns it. Below
// /var/lib/postgresql/data, the mount point is the image's VOLUME up to PostgreSQL 17 (so no
// anonymous volume is made); PostgreSQL 18+ images declare /var/lib/postgresql instead, whose
// anonymous volume stays empty and goes with `rm -v`.
constexpr const char* k_tmpfs = "/var/lib/postgresql/data";
constexpr const char* k_pgdata = "/var/lib/postgresql/data/pgdata";
constexpr int k_log_lines = 20;

std::string random_hex(std::size_t length) {
  std::random_device random;
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < length; ++i) text.push_back(k_digits[random() % 16]);
  return text;
}

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

std::string seconds(std::chrono::milliseconds d) {
  const auto s = d.count() / 1000;
  return s > 0 ? std::to_string(s) + " s" : std::to_string(d.count()) + " ms";
}

std::string indent(const std::string& text) {
  std::string out;
  for (const auto& line : util::split(text, '\n')) out += "    " + line + "\n";
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace

std::string docker_image(const Options& options) {
  if (!options.image.empty()) return options.image;
  return std::string("postgres:") +
         (options.postgres_version.empty() ? k_docker_default_version : options.postgres_version);
}

std::string docker_expected_major(const Options& options) {
  if (!options.postgres_version.empty()) return options.postgres_version;
  return options.image.empty() ? k_docker_default_version : "";
}

void check_docker_server_version(const std::string& server_version, const std::string& expected,
                                 const std::string& image) {
  if (expected.empty()) return;
  const auto major = server_version.substr(0, server_version.find('.'));
  if (major == expected) return;
  throw infra_error(
      "the image " + image + " runs PostgreSQL " + server_version + ", but PostgreSQL " + expected +
          " was asked for",
      "set postgres.image / --image to an image of PostgreSQL " + expected +
          ", or postgres.version / --postgres-version to the version production runs");
}

std::optional<std::filesystem::path> find_docker(const Options& options) {
  const std::string name = options.docker.empty() ? "docker" : options.docker;
  if (name.find('/') != std::string::npos) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(name, ec) && ::access(name.c_str(), X_OK) == 0) {
      return std::filesystem::absolute(name, ec);
    }
    return std::nullopt;
  }
  return util::find_executable(name, env_get(options.env, "PATH").value_or(""));
}

Error missing_docker_error(const Options& options) {
  const std::string name = options.docker.empty() ? "docker" : options.docker;
  const bool path = name.find('/') != std::string::npos;
  return infra_error(
      "the docker CLI '" + name + "' was not found" +
          (path ? " (or is not executable)" : " on PATH"),
      "install Docker (https://docs.docker.com/engine/install/) or podman (then --docker podman, "
      "or sandbox.docker: podman in pgdrift.yml); or use --backend local (PostgreSQL server "
      "binaries on this machine) or --backend server --server-url "
      "postgresql://user:password@host:5432/postgres (an existing server)");
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "unknown";
  return name;
}

struct DockerBackend::Impl {
  Options options;
  DockerCli cli;
  std::string image;
  std::string expected_major;
  std::string run_id = random_hex(12);
  std::string name;      // set once `docker run` may have created the container
  std::string password;  // never printed: it reaches the container through the CLI's environment
  int port = 0;
  std::string version;
  int version_num = 0;
  int databases = 0;
  bool ready = false;
  std::unique_ptr<util::CleanupRegistration> cleanup;

  Impl(const std::filesystem::path& docker, Options opts)
      : options(std::move(opts)), cli(docker, options.env, options.runner) {
    image = docker_image(options);
    expected_major = docker_expected_major(options);
  }

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  db::ConnectionInfo admin() const {
    db::ConnectionInfo info;
    info.host = "127.0.0.1";
    info.port = std::to_string(port);
    info.user = k_superuser;
    info.password = password;
    info.dbname = "postgres";
    return info;
  }

  ContainerSpec spec() const {
    ContainerSpec spec;
    spec.name = name;
    spec.image = image;
    spec.labels = {{k_label_managed, "1"},
                   {k_label_run, run_id},
                   {k_label_pid, std::to_string(::getpid())},
                   {k_label_host, this_host()}};
    // A free port chosen by docker, reachable from this machine only.
    spec.publish = "127.0.0.1::5432";
    spec.env = {{"PGDATA", k_pgdata}};
    // POSTGRES_HOST_AUTH_METHOD is left alone: the image then requires the password
    // (scram-sha-256 from PostgreSQL 14, md5 before), never trust.
    spec.secret_env = {{"POSTGRES_PASSWORD", password}};
    spec.tmpfs = {k_tmpfs};
    spec.command = {"postgres",
                    "-c",
                    "fsync=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "synchronous_commit=off"};
    return spec;
  }

  [[noreturn]] void fail_with_log(const std::string& what, const std::string& hint) const {
    throw infra_error(what + "; its log ends with:\n" + indent(cli.logs(name, k_log_lines)), hint);
  }

  // Ready when a real connection succeeds (not a sleep): the image's entrypoint runs a private
  // server on a unix socket while it initialises, so TCP only answers once the real one runs.
  void wait_until_ready() {
    const auto started = Clock::now();
    const auto deadline = started + options.start_timeout;
    auto ping = admin();
    ping.options["connect_timeout"] = "2";
    auto next_status_check = started;
    std::string last_error;
    while (true) {
      util::defer_to_pending_termination();
      if (db::server_accepts_connections(ping)) {
        try {
          auto connection = db::Connection::open(admin(), "pgdrift", std::chrono::seconds{5});
          version = connection->server_version();
          version_num = connection->server_version_num();
          return;
        } catch (const Error& e) {
          last_error = e.what();
        }
      }
      const auto now = Clock::now();
      if (now >= next_status_check) {
        const auto state = cli.status(name);
        if (state == "exited" || state == "dead") {
          fail_with_log(
              "the PostgreSQL container " + name + " (" + image + ") exited during start-up",
              "see the container's log above; check the image (postgres.image / --image)");
        }
        next_status_check = now + std::chrono::seconds{1};
      }
      if (Clock::now() >= deadline) {
        fail_with_log(
            "the PostgreSQL container " + name + " (" + image +
                ") did not accept connections within " + seconds(options.start_timeout) +
                (last_error.empty() ? "" : " (last attempt: " + last_error + ")"),
            "raise sandbox.start_timeout (--start-timeout), or check the machine's load and `" +
                cli.name() + " ps`");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
  }

  void start() {
    const auto started = Clock::now();
    if (!cli.has_image(image)) {
      log("sandbox: pulling " + image + " (not present locally)");
      cli.pull(image, options.interactive);
    }
    password = random_hex(32);
    name = "pgdrift-" + run_id;
    // Registered before `docker run`: a signal arriving while it runs still removes the
    // container, by its name.
    const DockerCli copy = cli;
    const std::string container = name;
    cleanup = std::make_unique<util::CleanupRegistration>([copy, container] {
      try {
        copy.remove(container);
      } catch (...) {
        // Best effort on the way out; `pgdrift sandbox prune` finds what is left.
      }
    });
    cli.run(spec());
    port = cli.published_port(name);
    log("sandbox: container " + name + " (" + image +
        ") published on 127.0.0.1:" + std::to_string(port) + ", waiting for PostgreSQL");
    wait_until_ready();
    check_docker_server_version(version, expected_major, image);
    ready = true;
    log("sandbox: docker PostgreSQL " + version + " (" + image + ") ready in " +
        std::to_string(elapsed_ms(started)) + " ms as container " + name +
        " on 127.0.0.1:" + std::to_string(port));
  }

  void stop() {
    // When a signal is being handled, the watcher thread is removing the container: wait for it
    // to end the process rather than race it (a docker call started now could outlive the exit).
    util::defer_to_pending_termination();
    if (!name.empty()) {
      cli.remove(name);
      log("sandbox: removed container " + name);
      name.clear();
    }
    cleanup.reset();
    ready = false;
  }
};

DockerBackend::DockerBackend(std::filesystem::path docker, Options options)
    : m_impl(std::make_unique<Impl>(docker, std::move(options))) {}

DockerBackend::~DockerBackend() {
  try {
    stop();
  } catch (...) {
    // Best effort in a destructor; stop() on the normal path reports failures.
  }
}

void DockerBackend::start() {
  if (m_impl->ready) return;
  try {
    m_impl->start();
  } catch (...) {
    try {
      m_impl->stop();
    } catch (...) {
      // The start-up error says more; the destructor and `sandbox prune` retry the removal.
    }
    throw;
  }
}

db::ConnectionInfo DockerBackend::create_database(const std::string& purpose) {
  if (!m_impl->ready) throw infra_error("internal error: sandbox not started");
  const std::string name = "pgdrift_" + purpose + "_" + std::to_string(++m_impl->databases);
  auto admin = db::Connection::open(m_impl->admin(), "pgdrift");
  // As in the local backend: FILE_COPY copies the small template's files (fsync is off).
  const std::string strategy = m_impl->version_num >= 150000 ? " STRATEGY = FILE_COPY" : "";
  const auto result = admin->execute("CREATE DATABASE " + db::quote_ident(name) + strategy);
  if (!result.ok) {
    throw infra_error("cannot create database " + name +
                      " in the sandbox: " + result.error->message);
  }
  return m_impl->admin().with_dbname(name);
}

db::ConnectionInfo DockerBackend::admin() const { return m_impl->admin(); }

void DockerBackend::stop() { m_impl->stop(); }

std::string DockerBackend::description() const {
  return "docker PostgreSQL " + m_impl->version + " (" + m_impl->image + ", container " +
         (m_impl->name.empty() ? "pgdrift-" + m_impl->run_id : m_impl->name) + ")";
}

std::string DockerBackend::server_version() const { return m_impl->version; }

std::string DockerBackend::container() const { return m_impl->name; }

std::string DockerBackend::image() const { return m_impl->image; }

}  // namespace pgdrift::sandbox
