#include "pgdrift/sandbox/local_backend.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "pgdrift/db/connection.hpp"
#include "replay_cache.hpp"
#include "template_cache.hpp"
#include "tree_manifest.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/signals.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sandbox {

namespace {

constexpr const char* k_superuser = "postgres";

// A port number nobody listens on right now. The server only listens on its private socket, so
// this just keeps the socket name unsurprising for tools that assume a free port.
std::string free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      const int port = ntohs(addr.sin_port);
      ::close(fd);
      return std::to_string(port);
    }
    ::close(fd);
  }
  std::random_device random;
  return std::to_string(20000 + random() % 30000);
}

std::string read_log(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return util::last_lines(text, 15);
}

// Ends the postmaster (immediate shutdown, then SIGKILL) and whatever else runs as its account,
// and removes the run directory. Used on the signal watcher thread, so it touches only what it
// was given.
void emergency_cleanup(int pid, const std::filesystem::path& dir, const std::optional<util::Account>& account) {
  if (pid > 0 && ::kill(pid, SIGQUIT) == 0) {
    for (int i = 0; i < 300; ++i) {
      int status = 0;
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
      if (i == 299) ::kill(pid, SIGKILL);
    }
  }
  if (account) util::kill_processes_of(*account);
  // The main thread may be removing the same tree right now: retry until it is gone.
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    if (!std::filesystem::exists(dir, ignored)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

// What the sandbox keeps from a migration (see README "Security model"): everything below is
// covered by an empty tmpfs in the server's mount namespace, but for the run directory.
std::vector<std::filesystem::path> hidden_from_server(const Options& options) {
  std::vector<std::filesystem::path> hide = {"/tmp", "/var/tmp", "/run", "/var/run", "/dev/shm", "/proc",
                                             cache_root(options.cache_dir, options.env)};
  if (auto home = env_get(options.env, "HOME"); home && !home->empty() && *home != "/") hide.emplace_back(*home);
  return hide;
}

}  // namespace

struct LocalBackend::Impl {
  ServerBinaries binaries;
  Options options;
  // The server's account as root: a uid of this run's own (run_account_if_root()).
  std::optional<util::Account> account;
  std::optional<util::TempDir> run;
  std::optional<util::Process> server;
  std::unique_ptr<util::CleanupRegistration> cleanup;
  std::string port;
  bool server_isolated = false;
  int databases = 0;
  // A replay-cache snapshot being copied into the cache (save_snapshot → wait_for_snapshot).
  std::thread saver;
  bool saving = false;
  std::string saved_why;   // written by `saver`, read after joining it
  std::string saved_note;

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  db::ConnectionInfo admin() const {
    db::ConnectionInfo info;
    info.host = run ? (run->path() / "socket").string() : "";
    info.port = port;
    info.user = k_superuser;
    info.dbname = "postgres";
    return info;
  }

  void launch() {
    const auto data = run->path() / "data";
    util::ProcessSpec spec;
    spec.argv = {(binaries.bindir / "postgres").string(),
                 "-D", data.string(),
                 "-k", (run->path() / "socket").string(),
                 "-p", port,
                 "-c", "listen_addresses=",
                 "-c", "unix_socket_permissions=0700",
                 "-c", "fsync=off",
                 "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off",
                 "-c", "autovacuum=off",
                 "-c", "wal_level=minimal",
                 "-c", "max_wal_senders=0",
                 "-c", "max_wal_size=1GB",
                 // Recycled WAL segments would only bloat replay-cache snapshots (1 MB segments:
                 // 2 MB is the least PostgreSQL takes).
                 "-c", binaries.major >= 11 ? "min_wal_size=2MB" : "min_wal_size=32MB",
                 "-c", "checkpoint_timeout=1h",
                 "-c", "max_connections=40",
                 // The lock table is max_locks_per_transaction × max_connections: keep it larger
                 // than a default server's (64 × 100), or one big migration fails here only.
                 "-c", "max_locks_per_transaction=256",
                 "-c", "TimeZone=UTC",
                 "-c", "logging_collector=off"};
    // Removed, not recycled, at a checkpoint (PostgreSQL 12+): a snapshot carries no spare WAL.
    if (binaries.major >= 12) spec.argv.insert(spec.argv.end(), {"-c", "wal_recycle=off"});
    if (options.statement_log) {
      // The collector (not stderr): csvlog quotes multi-line statements, so they read back exactly.
      // One file, never rotated; statements are logged only where a database sets log_statement.
      spec.argv.insert(spec.argv.end(), {"-c", "logging_collector=on", "-c", "log_destination=csvlog", "-c",
                                         "log_directory=log", "-c", "log_filename=statements", "-c",
                                         "log_rotation_age=0", "-c", "log_rotation_size=0", "-c",
                                         "log_parameter_max_length=-1"});
    }
    spec.env = {{"PATH", env_get(options.env, "PATH").value_or("/usr/bin:/bin")}, {"LC_ALL", "C"}};
    spec.output_file = run->path() / "postgres.log";
    spec.cwd = run->path();
    spec.run_as = account;
    spec.isolation = isolation();
    server_isolated = spec.isolation.has_value();
    server.emplace(spec);
    const int pid = server->pid();
    const auto dir = run->path();
    cleanup = std::make_unique<util::CleanupRegistration>(
        [pid, dir, account = account] { emergency_cleanup(pid, dir, account); });
  }

  // The namespaces the server runs in, or nullopt (said once per process) where this machine
  // allows none.
  std::optional<util::Isolation> isolation() const {
    if (!util::isolation_available()) {
      static std::once_flag warned;
      std::call_once(warned, [this] {
        if (!options.warn) return;
        options.warn(util::running_as_root()
                         ? "pgdrift: warning: cannot isolate the sandbox server here (no permission to create "
                           "namespaces, e.g. an unprivileged container): migrations can reach the network and "
                           "local unix sockets; see README \"Security model\""
                         : "pgdrift: warning: user namespaces are disabled here, so migrations run with your "
                           "rights: they can read your files and reach the network; use --backend docker "
                           "for untrusted migrations (README \"Security model\")");
      });
      return std::nullopt;
    }
    util::Isolation isolation;
    isolation.hide = hidden_from_server(options);
    isolation.hide.push_back(run->path().parent_path());  // a $TMPDIR holds other runs' directories
    // The installation (bin, lib, share) stays visible even inside $HOME or the cache.
    isolation.keep = {run->path(), binaries.bindir.parent_path()};
    return isolation;
  }

  // A fresh run directory (its cleanup registered before anything is put in it); returns where
  // the data directory goes.
  std::filesystem::path make_run_dir() {
    for (const auto& leftover : prune_local(options, false)) {
      log("sandbox: removed " + leftover.string() + ", left by a pgdrift run that is gone");
    }
    run.emplace(scratch_base(options.env, account), "pgdrift-", true);
    // From here a signal must remove the directory, even while a cluster is being copied in.
    cleanup = std::make_unique<util::CleanupRegistration>(
        [dir = run->path(), account = account] { emergency_cleanup(0, dir, account); });
    return run->path() / "data";
  }

  void discard_run_dir() {
    if (run) run->remove();
    run.reset();
    cleanup.reset();
  }

  // Hands the data directory copied into the run directory to the server's account and starts
  // the server on it.
  void start_run_dir(std::chrono::steady_clock::time_point started, const std::string& from) {
    // The run directory stays ours (the log, the owner file): the server's account gets only
    // data/ and socket/, so nothing it runs can plant a link where pgdrift writes or reads.
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::permissions(run->path() / "data", fs::perms::owner_all, ec);
    fs::create_directory(run->path() / "socket", ec);
    fs::permissions(run->path() / "socket", fs::perms::owner_all, ec);
    if (account) {
      fs::permissions(run->path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
      util::kill_processes_of(*account);  // a crashed run's leftovers, had it the same pid
      util::chown_recursive((run->path() / "data").string(), *account);
      util::chown_recursive((run->path() / "socket").string(), *account);
    }
    port = free_port();
    launch();
    wait_until_ready();
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    log("sandbox: local PostgreSQL " + binaries.version + " ready in " +
        std::to_string(static_cast<int>(elapsed * 1000)) + " ms at " + run->path().string() + from +
        (account ? " (server runs as " + account->name + ")" : "") +
        (server_isolated ? ", isolated" : ", not isolated"));
  }

  // Ready when postmaster.pid's status line says so (as pg_ctl checks): no connection attempts,
  // which each cost a backend fork.
  bool postmaster_ready() const {
    std::ifstream pid_file(run->path() / "data" / "postmaster.pid");
    std::string line;
    for (int i = 0; i < 8 && std::getline(pid_file, line); ++i) {
    }
    return util::trim(line) == "ready";
  }

  void wait_until_ready() {
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + options.start_timeout;
    while (!postmaster_ready()) {
      if (!server->running()) {
        throw infra_error("the throwaway PostgreSQL server (" + binaries.bindir.string() +
                              ") exited during start-up:\n" + read_log(run->path() / "postgres.log"),
                          "see the server log above; --verbose shows every step");
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        throw infra_error("the throwaway PostgreSQL server did not accept connections within " +
                              std::to_string(options.start_timeout.count() / 1000) + " s:\n" +
                              read_log(run->path() / "postgres.log"),
                          "raise sandbox.start_timeout, or check the machine's load");
      }
      const bool early = std::chrono::steady_clock::now() - started < std::chrono::seconds{1};
      std::this_thread::sleep_for(early ? std::chrono::milliseconds{1} : std::chrono::milliseconds{20});
    }
  }
};

LocalBackend::LocalBackend(ServerBinaries binaries, Options options) : m_impl(std::make_unique<Impl>()) {
  m_impl->binaries = std::move(binaries);
  m_impl->options = std::move(options);
}

LocalBackend::~LocalBackend() {
  try {
    stop();
  } catch (...) {
    // Best effort in a destructor; stop() on the normal path reports failures.
  }
}

void LocalBackend::start() {
  if (m_impl->server) return;
  const auto started = std::chrono::steady_clock::now();
  if (!m_impl->account) m_impl->account = util::run_account_if_root();
  // initdb runs no migration: a named account (it insists on one) builds the template.
  TemplateCache cache(cache_root(m_impl->options.cache_dir, m_impl->options.env), m_impl->binaries,
                      util::unprivileged_account_if_root(), m_impl->options);
  const auto template_data = cache.ensure();

  const auto data = m_impl->make_run_dir();
  std::error_code ec;
  copy_tree_writable(template_data, data, ec);
  if (ec) {
    throw infra_error("cannot copy the template cluster " + template_data.string() + " to " +
                      data.string() + ": " + ec.message());
  }
  m_impl->start_run_dir(started, "");
}

std::optional<std::string> LocalBackend::start_from_snapshot(const std::string& key) {
  if (m_impl->server) return std::nullopt;
  const auto started = std::chrono::steady_clock::now();
  if (!m_impl->account) m_impl->account = util::run_account_if_root();
  const auto& options = m_impl->options;
  const ReplayCache cache(cache_root(options.cache_dir, options.env), options.replay_cache_max_bytes,
                          options.warn ? options.warn : options.log);
  const auto data = m_impl->make_run_dir();
  const auto database = cache.restore(key, data);
  if (!database) {
    m_impl->log("sandbox: no replay cache entry " + key.substr(0, 12) + " in " + cache.dir().string());
    m_impl->discard_run_dir();
    return std::nullopt;
  }
  try {
    m_impl->start_run_dir(started, " from replay cache entry " + key.substr(0, 12));
  } catch (const Error& e) {
    // A snapshot this server cannot start from is useless to every later run too.
    m_impl->log(std::string("sandbox: the replay cache entry did not start, removing it: ") + e.what());
    stop();
    cache.forget(key);
    return std::nullopt;
  }
  m_impl->databases = 1;
  return database;
}

std::string LocalBackend::save_snapshot(const std::string& key, const std::string& database) {
  if (!m_impl->server) return "the sandbox is not running";
  wait_for_snapshot();
  const auto started = std::chrono::steady_clock::now();
  // A fast shutdown writes a checkpoint: the data directory is then complete on its own.
  const auto status = m_impl->server->stop(SIGINT, std::chrono::milliseconds{30000});
  m_impl->server.reset();
  // Nothing a migration started in the background may touch the copy.
  if (m_impl->account) util::kill_processes_of(*m_impl->account);
  const auto data = m_impl->run->path() / "data";
  // Beside the run directory, not in it: nothing the server's account runs can reach it.
  std::optional<util::TempDir> frozen_dir;
  std::string why;
  std::error_code ec;
  if (!status.ok()) {
    why = "the sandbox server did not stop cleanly (" + status.describe() + ")";
  } else {
    frozen_dir.emplace(scratch_base(m_impl->options.env, m_impl->account), "pgdrift-snapshot-", true);
  }
  const auto frozen = frozen_dir ? frozen_dir->path() / "data" : std::filesystem::path();
  if (why.empty()) {
    // A copy of the stopped cluster (same filesystem: a fast one) becomes the snapshot, and the
    // server goes on with the original; the slower copy into the cache runs meanwhile on a thread
    // of its own, from a directory nothing else touches. Links are copied as links, never
    // followed: the server's account could have planted them.
    std::filesystem::copy(data, frozen,
                          std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks, ec);
    if (ec) {
      why = "cannot copy the stopped cluster: " + ec.message();
      std::error_code ignored;
      std::filesystem::remove_all(frozen, ignored);
    }
  }
  if (why.empty()) {
    const ReplayCache cache(cache_root(m_impl->options.cache_dir, m_impl->options.env),
                            m_impl->options.replay_cache_max_bytes);
    m_impl->saving = true;
    m_impl->saver = std::thread([impl = m_impl.get(), cache, key, database, frozen, started,
                                 dir = std::make_shared<util::TempDir>(std::move(*frozen_dir))]() mutable {
      try {
        impl->saved_why = cache.save(key, frozen, database);
      } catch (const std::exception& e) {
        impl->saved_why = e.what();  // never let a thread end the process
      }
      dir.reset();  // the snapshot's directory goes now
      const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      impl->saved_note = impl->saved_why.empty()
                             ? "sandbox: saved replay cache entry " + key.substr(0, 12) + " in " +
                                   cache.dir().string() + " (" + std::to_string(static_cast<int>(ms)) + " ms)"
                             : "sandbox: replay cache entry not saved: " + impl->saved_why;
    });
  }
  const auto restarting = std::chrono::steady_clock::now();
  m_impl->launch();
  m_impl->wait_until_ready();
  m_impl->log("sandbox: server restarted in " +
              std::to_string(static_cast<int>(
                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - restarting).count())) +
              " ms");
  return why;
}

std::string LocalBackend::wait_for_snapshot() {
  if (!m_impl->saving) return "";
  if (m_impl->saver.joinable()) m_impl->saver.join();
  m_impl->saving = false;
  m_impl->log(m_impl->saved_note);
  return m_impl->saved_why;
}

db::ConnectionInfo LocalBackend::create_database(const std::string& purpose) {
  if (!m_impl->server) throw infra_error("internal error: sandbox not started");
  const std::string name = "pgdrift_" + purpose + "_" + std::to_string(++m_impl->databases);
  auto admin = db::Connection::open(m_impl->admin(), "pgdrift");
  // FILE_COPY copies the tiny template's files: faster than PostgreSQL 15's default WAL_LOG,
  // and the checkpoints it forces cost nothing with fsync off.
  const std::string strategy = m_impl->binaries.major >= 15 ? " STRATEGY = FILE_COPY" : "";
  const auto result = admin->execute("CREATE DATABASE " + db::quote_ident(name) + strategy);
  if (!result.ok) {
    throw infra_error("cannot create database " + name + " in the sandbox: " + result.error->message);
  }
  return m_impl->admin().with_dbname(name);
}

db::ConnectionInfo LocalBackend::admin() const { return m_impl->admin(); }

void LocalBackend::stop() {
  wait_for_snapshot();
  if (m_impl->server) {
    // Immediate shutdown: the cluster is thrown away, so no shutdown checkpoint is needed.
    m_impl->server->stop(SIGQUIT, std::chrono::milliseconds{5000});
    m_impl->server.reset();
  }
  if (m_impl->account) {
    if (!util::kill_processes_of(*m_impl->account)) {
      m_impl->log("sandbox: could not end the processes of " + m_impl->account->name + "; a migration's background processes may still run");
    }
    util::release_run_account(*m_impl->account);
    m_impl->account.reset();
  }
  if (m_impl->run) {
    m_impl->run->remove();
    m_impl->run.reset();
  }
  m_impl->cleanup.reset();
}

std::string LocalBackend::description() const {
  return "local PostgreSQL " + m_impl->binaries.version + " (" + m_impl->binaries.bindir.string() + ")";
}

std::string LocalBackend::server_version() const { return m_impl->binaries.version; }

std::filesystem::path LocalBackend::run_dir() const {
  return m_impl->run ? m_impl->run->path() : std::filesystem::path();
}

std::filesystem::path LocalBackend::statement_log() const {
  if (!m_impl->options.statement_log || !m_impl->run) return {};
  return m_impl->run->path() / "data" / "log" / "statements.csv";
}

}  // namespace pgdrift::sandbox
