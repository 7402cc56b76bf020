#include "integration/sandbox_fixture.hpp"

#include <cstdlib>

#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::testing {

namespace {

std::unique_ptr<sandbox::Backend>& shared() {
  static std::unique_ptr<sandbox::Backend> backend;
  return backend;
}

class SharedSandboxEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (shared()) {
      shared()->stop();
      shared().reset();
    }
  }
};

[[maybe_unused]] auto* const k_environment =
    ::testing::AddGlobalTestEnvironment(new SharedSandboxEnvironment);

}  // namespace

sandbox::Options local_options() {
  sandbox::Options options;
  options.backend = "local";
  options.env = current_environment();
  return options;
}

std::string local_postgres_unavailable_reason() {
  if (sandbox::find_server_binaries(current_environment()).empty()) {
    return "no PostgreSQL server binaries on this machine (apt-get install postgresql)";
  }
  return "";
}

void SandboxTest::SetUp() {
  if (shared()) return;
  const auto reason = local_postgres_unavailable_reason();
  if (!reason.empty()) {
    // CI must run these for real: only a developer machine without Postgres may skip.
    if (std::getenv("CI") != nullptr) FAIL() << "integration tests cannot run in CI: " << reason;
    GTEST_SKIP() << reason;
  }
  auto backend = sandbox::make_backend(local_options());
  backend->start();
  shared() = std::move(backend);
}

sandbox::Backend& SandboxTest::backend() { return *shared(); }

db::ConnectionInfo SandboxTest::fresh_database() { return shared()->create_database("test"); }

std::string SandboxTest::scalar(const db::ConnectionInfo& database, const std::string& sql) {
  auto connection = db::Connection::open(database, "pgdrift-test");
  const auto rows = connection->query(sql);
  if (rows.size() == 0 || !rows.rows[0][0]) return "";
  return *rows.rows[0][0];
}

}  // namespace pgdrift::testing
