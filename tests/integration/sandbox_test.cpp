#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

// Uid of process `pid`, from /proc (real uid, first field of the Uid: line).
long uid_of(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Uid:", 0) == 0) return std::stol(line.substr(4));
  }
  return -1;
}

class LocalSandboxTest : public SandboxTest {};

TEST_F(LocalSandboxTest, ServesQueriesAndRemovesItsDirectoryOnStop) {
  auto options = local_options();
  sandbox::LocalBackend backend(sandbox::find_server_binaries(options.env).front(), options);
  backend.start();
  const auto dir = backend.run_dir();
  ASSERT_TRUE(std::filesystem::exists(dir / "data" / "PG_VERSION"));
  EXPECT_LT(dir.string().size() + 20, 107u) << "socket path must fit the unix limit";

  const auto database = backend.create_database("check");
  EXPECT_EQ("2", scalar(database, "SELECT 1 + 1"));
  EXPECT_EQ("off", scalar(database, "SHOW fsync"));
  EXPECT_EQ(database.dbname, scalar(database, "SELECT current_database()"));
  // Contrib extensions of the same installation are available to migrations.
  EXPECT_EQ("1", scalar(database, "SELECT count(*) FROM pg_available_extensions WHERE name = 'pgcrypto'"));

  backend.stop();
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  EXPECT_FALSE(db::server_accepts_connections(database));
}

TEST_F(LocalSandboxTest, RunsTheServerAsAnUnprivilegedAccountWhenRoot) {
  const auto database = fresh_database();
  const auto pid = std::stoi(scalar(database, "SELECT pg_backend_pid()"));
  const long uid = uid_of(pid);
  ASSERT_GE(uid, 0);
  if (geteuid() == 0) {
    EXPECT_NE(0, uid) << "PostgreSQL must not run as root";
  } else {
    EXPECT_EQ(static_cast<long>(geteuid()), uid);
  }
}

TEST_F(LocalSandboxTest, TwoSandboxesRunSideBySideWithoutColliding) {
  auto options = local_options();
  const auto binaries = sandbox::find_server_binaries(options.env).front();
  sandbox::LocalBackend a(binaries, options);
  sandbox::LocalBackend b(binaries, options);
  std::thread start_a([&] { a.start(); });
  b.start();
  start_a.join();
  EXPECT_NE(a.run_dir(), b.run_dir());
  const auto db_a = a.create_database("x");
  const auto db_b = b.create_database("x");
  auto conn_a = db::Connection::open(db_a, "t");
  ASSERT_TRUE(conn_a->execute("CREATE TABLE only_in_a (id int)").ok);
  EXPECT_EQ("0", scalar(db_b, "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'"));
  conn_a.reset();
  a.stop();
  b.stop();
}

TEST_F(LocalSandboxTest, DestructorTearsDownWithoutStop) {
  std::filesystem::path dir;
  db::ConnectionInfo admin;
  {
    auto options = local_options();
    sandbox::LocalBackend backend(sandbox::find_server_binaries(options.env).front(), options);
    backend.start();
    dir = backend.run_dir();
    admin = backend.admin();
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(db::server_accepts_connections(admin));
}

TEST_F(LocalSandboxTest, TemplateCacheIsBuiltOnceAndReused) {
  TempTree cache;
  auto options = local_options();
  options.cache_dir = cache.path().string();
  const auto binaries = sandbox::find_server_binaries(options.env).front();
  std::vector<std::string> log;
  options.log = [&log](const std::string& line) { log.push_back(line); };
  {
    sandbox::LocalBackend first(binaries, options);
    first.start();
  }
  const auto created = std::count_if(log.begin(), log.end(), [](const std::string& l) {
    return l.find("creating the template cluster") != std::string::npos;
  });
  EXPECT_EQ(1, created);
  {
    sandbox::LocalBackend second(binaries, options);
    second.start();
  }
  const auto created_again = std::count_if(log.begin(), log.end(), [](const std::string& l) {
    return l.find("creating the template cluster") != std::string::npos;
  });
  EXPECT_EQ(1, created_again) << "the second run must reuse the cached template";
  EXPECT_EQ(1, std::distance(std::filesystem::directory_iterator(cache.path() / "templates"),
                             std::filesystem::directory_iterator()));
}

TEST_F(LocalSandboxTest, StartsEvenWhenTmpdirIsPrivateToTheInvokingUser) {
  // A 0700 TMPDIR: when pgdrift runs as root, the server's account cannot enter it, so the
  // sandbox must fall back to /tmp rather than fail to start.
  util::TempDir private_tmp("/tmp", "pgdt-private-");
  auto options = local_options();
  options.env["TMPDIR"] = private_tmp.path().string();
  sandbox::LocalBackend backend(sandbox::find_server_binaries(options.env).front(), options);
  backend.start();
  EXPECT_EQ("1", scalar(backend.create_database("x"), "SELECT 1"));
  if (geteuid() == 0) {
    EXPECT_EQ(std::filesystem::path("/tmp"), backend.run_dir().parent_path());
  } else {
    EXPECT_EQ(private_tmp.path(), backend.run_dir().parent_path());
  }
  backend.stop();
}

TEST_F(LocalSandboxTest, FindsDebianServerBinariesOffThePath) {
  // Debian's postgresql-NN puts postgres and initdb in /usr/lib/postgresql/NN/bin, not on PATH
  // (and /usr/bin/pg_config may not work without libpq-dev): the fixed location must be searched.
  if (!std::filesystem::exists("/usr/lib/postgresql")) GTEST_SKIP() << "not a Debian-style installation";
  Environment env{{"PATH", "/nonexistent"}};
  const auto found = sandbox::find_server_binaries(env);
  ASSERT_FALSE(found.empty()) << "nothing found with an empty PATH";
  EXPECT_EQ(0u, found.front().bindir.string().rfind("/usr/lib/postgresql/", 0)) << found.front().bindir;
}

TEST_F(LocalSandboxTest, UnavailableVersionIsAnInfrastructureErrorNamingWhatIsInstalled) {
  auto options = local_options();
  options.postgres_version = "99";
  try {
    sandbox::make_backend(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    EXPECT_NE(std::string(e.what()).find("PostgreSQL 99 was asked for"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("postgresql-99"), std::string::npos) << e.hint();
  }
}

TEST_F(LocalSandboxTest, AutoWithoutBinariesOrUrlSaysWhatToInstall) {
  auto options = local_options();
  options.backend = "auto";
  options.env["PATH"] = "/nonexistent";
  // find_server_binaries still looks in /usr/lib/postgresql, so only check the message shape
  // when nothing is found there either.
  if (!sandbox::find_server_binaries(options.env).empty()) {
    options.postgres_version = "98";
  }
  try {
    sandbox::make_backend(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    EXPECT_NE(e.hint().find("apt-get install postgresql"), std::string::npos) << e.hint();
  }
}

class ServerSandboxTest : public SandboxTest {};

TEST_F(ServerSandboxTest, CreatesScratchDatabasesOnAnExistingServerAndDropsThem) {
  sandbox::Options options;
  options.backend = "server";
  options.server_url = backend().admin().url();
  options.env = current_environment();
  auto server = sandbox::make_backend(options);
  EXPECT_EQ("server", server->kind());
  server->start();
  const auto first = server->create_database("replay");
  const auto second = server->create_database("model");
  EXPECT_NE(first.dbname, second.dbname);
  EXPECT_EQ(0u, first.dbname.rfind("pgdrift_", 0)) << first.dbname;
  // A session left open in a scratch database must not keep it from being dropped.
  auto lingering = db::Connection::open(first, "lingering");
  const auto admin = backend().admin();
  EXPECT_EQ("2", scalar(admin, "SELECT count(*) FROM pg_database WHERE datname IN ('" + first.dbname +
                                   "', '" + second.dbname + "')"));
  server->stop();
  EXPECT_EQ("0", scalar(admin, "SELECT count(*) FROM pg_database WHERE datname IN ('" + first.dbname +
                                   "', '" + second.dbname + "')"));
}

TEST_F(ServerSandboxTest, UnreachableServerIsAnInfrastructureErrorWithoutThePassword) {
  sandbox::Options options;
  options.backend = "server";
  options.server_url = "postgresql://app:s3cret-pw@127.0.0.1:1/postgres";
  options.env = current_environment();
  auto server = sandbox::make_backend(options);
  try {
    server->start();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1"), std::string::npos) << e.what();
  }
}

TEST(SandboxFactory, ServerBackendWithoutUrlIsAUsageError) {
  sandbox::Options options;
  options.backend = "server";
  try {
    sandbox::make_backend(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::usage, e.exit_code());
    EXPECT_NE(e.hint().find("--server-url"), std::string::npos);
  }
}

TEST(SandboxFactory, DockerBackendWithoutTheCliSaysWhatToInstall) {
  sandbox::Options options;
  options.backend = "docker";
  options.docker = "no-such-docker-cli";
  options.env = current_environment();
  try {
    sandbox::make_backend(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    EXPECT_NE(std::string(e.what()).find("'no-such-docker-cli' was not found on PATH"), std::string::npos) << e.what();
    EXPECT_NE(e.hint().find("install Docker"), std::string::npos) << e.hint();
    EXPECT_NE(e.hint().find("--backend local"), std::string::npos) << e.hint();
  }
}

}  // namespace
}  // namespace pgdrift::testing
