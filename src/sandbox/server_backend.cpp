#include "pgdrift/sandbox/server_backend.hpp"

#include <unistd.h>

#include <random>
#include <vector>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/signals.hpp"

namespace pgdrift::sandbox {

namespace {

std::string random_run_id() {
  std::random_device random;
  static constexpr char k_chars[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 8; ++i) id.push_back(k_chars[random() % 16]);
  return id;
}

// Drops `name`, first ending other sessions in it (WITH (FORCE) needs PostgreSQL 13).
void drop_database(db::Connection& admin, const std::string& name) {
  if (admin.server_version_num() >= 130000) {
    admin.query("DROP DATABASE IF EXISTS " + db::quote_ident(name) + " WITH (FORCE)");
    return;
  }
  admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", {name});
  admin.query("DROP DATABASE IF EXISTS " + db::quote_ident(name));
}

void drop_all(const db::ConnectionInfo& admin_info, const std::vector<std::string>& names) {
  auto admin = db::Connection::open(admin_info, "pgdrift");
  for (const auto& name : names) drop_database(*admin, name);
}

}  // namespace

struct ServerBackend::Impl {
  db::ConnectionInfo admin;
  Options options;
  std::string run_id = random_run_id();
  std::string version;
  std::vector<std::string> created;
  std::unique_ptr<util::CleanupRegistration> cleanup;
  bool started = false;
};

ServerBackend::ServerBackend(db::ConnectionInfo admin, Options options) : m_impl(std::make_unique<Impl>()) {
  m_impl->admin = std::move(admin);
  if (m_impl->admin.dbname.empty()) m_impl->admin.dbname = "postgres";
  m_impl->options = std::move(options);
}

ServerBackend::~ServerBackend() {
  try {
    stop();
  } catch (...) {
    // Best effort in a destructor; stop() on the normal path reports failures.
  }
}

void ServerBackend::start() {
  if (m_impl->started) return;
  try {
    auto admin = db::Connection::open(m_impl->admin, "pgdrift");
    m_impl->version = admin->server_version();
  } catch (const Error& e) {
    throw infra_error(std::string("the sandbox server is unreachable: ") + e.what(),
                      "check --server-url / sandbox.server_url and that the server is running");
  }
  m_impl->started = true;
  if (m_impl->options.log) {
    m_impl->options.log("sandbox: server PostgreSQL " + m_impl->version + " at " +
                        m_impl->admin.redacted_url() + " (scratch databases pgdrift_" + m_impl->run_id + "_*)");
  }
}

db::ConnectionInfo ServerBackend::create_database(const std::string& purpose) {
  if (!m_impl->started) throw infra_error("internal error: sandbox not started");
  const std::string name = "pgdrift_" + m_impl->run_id + "_" + purpose + "_" +
                           std::to_string(m_impl->created.size() + 1);
  // Registered before CREATE: a signal during a slow CREATE must still drop it (IF EXISTS).
  m_impl->created.push_back(name);
  const auto admin_info = m_impl->admin;
  const auto names = m_impl->created;
  m_impl->cleanup = std::make_unique<util::CleanupRegistration>([admin_info, names] {
    drop_all(admin_info, names);
  });
  auto admin = db::Connection::open(m_impl->admin, "pgdrift");
  const auto result = admin->execute("CREATE DATABASE " + db::quote_ident(name));
  if (!result.ok) {
    m_impl->created.pop_back();
    throw infra_error("cannot create scratch database " + name + " on " + m_impl->admin.redacted_url() +
                          ": " + result.error->message,
                      "the server URL's role needs the CREATEDB privilege");
  }
  return m_impl->admin.with_dbname(name);
}

db::ConnectionInfo ServerBackend::admin() const { return m_impl->admin; }

void ServerBackend::stop() {
  if (!m_impl->created.empty()) {
    drop_all(m_impl->admin, m_impl->created);
    m_impl->created.clear();
  }
  m_impl->cleanup.reset();
  m_impl->started = false;
}

std::string ServerBackend::description() const {
  return "server PostgreSQL " + m_impl->version + " at " + m_impl->admin.redacted_url();
}

std::string ServerBackend::server_version() const { return m_impl->version; }

}  // namespace pgdrift::sandbox
