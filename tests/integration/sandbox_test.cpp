#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

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

// The template cache seen from outside: a cache directory of its own, the notices a run prints,
// and the one template directory in it.
class TemplateCacheTest : public SandboxTest {
 protected:
  void SetUp() override {
    SandboxTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    m_options = local_options();
    m_options.cache_dir = (m_cache.path() / "cache").string();
    m_options.log = [this](const std::string& line) { m_log.push_back(line); };
    m_options.warn = [this](const std::string& line) { m_warnings.push_back(line); };
  }

  // Starts a sandbox on the cached template (building it when needed) and returns `SHOW work_mem`.
  std::string start_and_show_work_mem() {
    sandbox::LocalBackend backend(sandbox::find_server_binaries(m_options.env).front(), m_options);
    backend.start();
    const auto value = scalar(backend.create_database("t"), "SHOW work_mem");
    backend.stop();
    return value;
  }

  std::filesystem::path template_dir() const {
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(m_options.cache_dir) / "templates")) {
      if (entry.path().filename().string()[0] != '.') return entry.path();
    }
    return {};
  }

  int count_log(const std::string& needle) const {
    return static_cast<int>(std::count_if(m_log.begin(), m_log.end(), [&](const std::string& l) {
      return l.find(needle) != std::string::npos;
    }));
  }

  // Rewrites `file` as a migration running as the cache's owner could (COPY ... TO), leaving its
  // mode as it was; with `keep_mtime`, its modification time too.
  static void tamper(const std::filesystem::path& file, const std::string& content, bool keep_mtime) {
    namespace fs = std::filesystem;
    const auto mode = fs::status(file).permissions();
    const auto mtime = fs::last_write_time(file);
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    fs::permissions(file, mode);
    if (keep_mtime) fs::last_write_time(file, mtime);
  }

  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  TempTree m_cache;
  sandbox::Options m_options;
  std::vector<std::string> m_log;
  std::vector<std::string> m_warnings;
};

TEST_F(TemplateCacheTest, AnAppendedAutoConfIsDetectedAndTheTemplateRebuiltWithoutIt) {
  EXPECT_EQ("4MB", start_and_show_work_mem());
  const auto dir = template_dir();
  const auto auto_conf = dir / "data" / "postgresql.auto.conf";
  tamper(auto_conf, read(auto_conf) + "work_mem = '7MB'\n", false);

  EXPECT_EQ("4MB", start_and_show_work_mem()) << "the poisoned setting reached a later sandbox";
  ASSERT_EQ(1u, m_warnings.size());
  EXPECT_EQ("sandbox: the cached template " + dir.string() +
                " was modified (postgresql.auto.conf changed); rebuilding it",
            m_warnings[0]);
  EXPECT_EQ(2, count_log("creating the template cluster"));
  EXPECT_EQ(std::string::npos, read(auto_conf).find("7MB"));
}

TEST_F(TemplateCacheTest, ASameSizeRewriteWithItsMtimePutBackIsDetectedByItsHash) {
  start_and_show_work_mem();
  const auto auto_conf = template_dir() / "data" / "postgresql.auto.conf";
  const auto original = read(auto_conf);
  std::string poisoned = "work_mem = '7MB'\n";
  ASSERT_GT(original.size(), poisoned.size() + 1);
  poisoned += std::string(original.size() - poisoned.size() - 1, '#') + "\n";
  tamper(auto_conf, poisoned, true);

  EXPECT_EQ("4MB", start_and_show_work_mem());
  ASSERT_EQ(1u, m_warnings.size());
  EXPECT_NE(std::string::npos, m_warnings[0].find("was modified (postgresql.auto.conf changed); rebuilding it"))
      << m_warnings[0];
}

TEST_F(TemplateCacheTest, AnAddedFileOrAMissingManifestIsRebuiltToo) {
  start_and_show_work_mem();
  const auto dir = template_dir();
  const auto mode = std::filesystem::status(dir / "data").permissions();
  std::filesystem::permissions(dir / "data", std::filesystem::perms::owner_all);
  std::ofstream(dir / "data" / "pg_hba.conf.rogue") << "host all all 0.0.0.0/0 trust\n";
  std::filesystem::permissions(dir / "data", mode);
  start_and_show_work_mem();
  ASSERT_EQ(1u, m_warnings.size());
  EXPECT_NE(std::string::npos, m_warnings[0].find("was modified (pg_hba.conf.rogue was added)")) << m_warnings[0];
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "pg_hba.conf.rogue"));

  std::filesystem::remove(dir / "manifest");
  start_and_show_work_mem();
  ASSERT_EQ(2u, m_warnings.size());
  EXPECT_EQ("sandbox: the cached template " + dir.string() + " has no manifest (an older layout); rebuilding it",
            m_warnings[1]);
  EXPECT_TRUE(std::filesystem::exists(dir / "manifest"));
  EXPECT_EQ(3, count_log("creating the template cluster"));
}

TEST_F(TemplateCacheTest, AnUntouchedTemplateIsReusedAsItIsAndKeptReadOnly) {
  namespace fs = std::filesystem;
  start_and_show_work_mem();
  const auto dir = template_dir();
  struct stat before {};
  ASSERT_EQ(0, ::stat(dir.c_str(), &before));

  EXPECT_EQ("4MB", start_and_show_work_mem());
  EXPECT_TRUE(m_warnings.empty()) << m_warnings.front();
  EXPECT_EQ(1, count_log("creating the template cluster"));
  EXPECT_EQ(1, count_log("sandbox: the cached template " + dir.string() + " is intact"));
  struct stat after {};
  ASSERT_EQ(0, ::stat(dir.c_str(), &after));
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);

  // Read only on disk; the cache root pgdrift created is its owner's alone.
  EXPECT_EQ(fs::perms::owner_read | fs::perms::owner_exec, fs::status(dir / "data").permissions());
  EXPECT_EQ(fs::perms::owner_read | fs::perms::owner_exec, fs::status(dir / "data" / "global").permissions());
  EXPECT_EQ(fs::perms::owner_read, fs::status(dir / "data" / "postgresql.auto.conf").permissions());
  EXPECT_EQ(fs::perms::owner_all, fs::status(m_options.cache_dir).permissions());
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
