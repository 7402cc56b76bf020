// The local sandbox as a cage, attacked the way a hostile pull request would: a migration runs
// shell commands (COPY … PROGRAM) against a "production" server on this machine, reads every
// process's command line and environment, and writes into pgdrift's template cache. A real
// PostgreSQL plays production (initdb + postgres started here, trust on 127.0.0.1 and on a
// world-reachable unix socket, as a careless production-like host has it).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <set>
#include <filesystem>
#include <fstream>
#include <thread>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/util/user.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* k_password = "hunter2-prod-password";
constexpr const char* k_token = "ghs_e2e_secret_token";
// COPY options that take each line as it is (no tab splitting, no backslash escapes).
const std::string k_raw = " WITH (FORMAT csv, DELIMITER E'\\x1f', QUOTE E'\\x1e')";

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A PostgreSQL server anyone on this machine can reach: TCP on 127.0.0.1 and a unix socket in a
// world-searchable directory under /tmp, trust authentication on both.
class ProductionServer {
 public:
  ProductionServer() : m_dir(fs::temp_directory_path(), "pgdrift-prod-") {
    const auto binaries = sandbox::find_server_binaries(current_environment()).front();
    const auto account = util::unprivileged_account_if_root();
    fs::permissions(m_dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    if (account) util::chown_recursive(m_dir.path().string(), *account);
    util::ProcessSpec initdb;
    initdb.argv = {(binaries.bindir / "initdb").string(), "-D", (m_dir.path() / "data").string(), "-U", "postgres",
                   "--auth=trust", "--no-sync"};
    initdb.env = {{"PATH", "/usr/bin:/bin"}, {"LC_ALL", "C"}};
    initdb.run_as = account;
    const auto made = util::run_process(initdb, 3min);
    if (!made.status.ok()) throw std::runtime_error("initdb: " + made.output);
    m_port = std::to_string(free_tcp_port());
    util::ProcessSpec server;
    server.argv = {(binaries.bindir / "postgres").string(), "-D", (m_dir.path() / "data").string(),
                   "-k", m_dir.path().string(), "-p", m_port, "-c", "listen_addresses=127.0.0.1",
                   "-c", "unix_socket_permissions=0777", "-c", "fsync=off"};
    server.env = initdb.env;
    server.run_as = account;
    server.output_file = m_dir.path() / "log";
    m_server.emplace(server);
    for (int i = 0; i < 500 && !db::server_accepts_connections(tcp()); ++i) std::this_thread::sleep_for(20ms);
  }

  db::ConnectionInfo tcp() const {
    db::ConnectionInfo info;
    info.host = "127.0.0.1";
    info.port = m_port;
    info.user = "postgres";
    info.dbname = "postgres";
    return info;
  }
  std::string socket_dir() const { return m_dir.path().string(); }
  const std::string& port() const { return m_port; }
  std::string url() const { return "postgresql://postgres:" + std::string(k_password) + "@127.0.0.1:" + m_port + "/postgres"; }
  // The user tables of the postgres database.
  std::string tables() const {
    auto connection = db::Connection::open(tcp(), "pgdrift-test");
    const auto result = connection->execute(
        "SELECT coalesce(string_agg(relname, ',' ORDER BY relname), '') FROM pg_class "
        "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace");
    return result.ok && result.rows.size() > 0 ? result.rows.rows[0][0].value_or("") : "?";
  }

 private:
  util::TempDir m_dir;
  std::string m_port;
  std::optional<util::Process> m_server;
};

// sha256 of every file under `dir` (path and content), in path order.
std::string tree_hash(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    all += file.string() + "\n" + std::string(std::istreambuf_iterator<char>(in), {}) + "\n";
  }
  return util::sha256_hex(all);
}

// The text between `key=[` and `]` in `output`.
std::string field(const std::string& output, const std::string& key) {
  const auto at = output.find(key + "=[");
  if (at == std::string::npos) return "<missing>";
  const auto begin = at + key.size() + 2;
  return output.substr(begin, output.find(']', begin) - begin);
}

class SecurityTest : public ::testing::Test {};

TEST_F(SecurityTest, AHostileMigrationReachesNoTargetReadsNoSecretAndCannotPoisonTheCache) {
  if (::geteuid() != 0) GTEST_SKIP() << "the cage's own uid needs root (CI runs as root)";
  if (!util::isolation_available()) GTEST_SKIP() << "this machine allows no namespaces";
  ProductionServer production;
  ASSERT_EQ("", production.tables()) << "production starts empty";
  // Not under /tmp: a CI's cache directory ($RUNNER_TEMP) is in the workspace.
  util::TempDir cache(fs::current_path(), "pgdrift-cache-");
  const std::string hostile =
      "CREATE TABLE loot (line text);\n"
      "COPY loot FROM PROGRAM 'psql \"host=127.0.0.1 port=" + production.port() +
      " user=postgres dbname=postgres connect_timeout=3\" -c \"CREATE TABLE pwned_tcp ()\" 2>&1 | sed \"s/^/tcp: /\"; true'" + k_raw + ";\n"
      "COPY loot FROM PROGRAM 'psql \"host=" + production.socket_dir() + " port=" + production.port() +
      " user=postgres dbname=postgres connect_timeout=3\" -c \"CREATE TABLE pwned_socket ()\" 2>&1 | sed \"s/^/socket: /\"; true'" + k_raw + ";\n"
      "COPY loot FROM PROGRAM 'for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do tr \"\\0\" \"\\n\" < \"$f\"; done "
      "2>/dev/null | sed \"s/^/proc: /\"; true'" + k_raw + ";\n"
      "COPY loot FROM PROGRAM 'for f in " + cache.path().string() + "/templates/*/data/postgresql.auto.conf; do "
      "echo \"shared_preload_libraries = pwned\" >> \"$f\" && echo \"wrote $f\"; done 2>&1 | sed \"s/^/cache: /\"; true'" + k_raw + ";\n"
      // The server's working directory is its data directory: plant a link beside it, where
      // pgdrift (root) writes its log and takes snapshots.
      "COPY loot FROM PROGRAM 'ln -s /etc/passwd ../postgres.log.pwned 2>&1 | sed \"s/^/plant: /\"; "
      "ls ../postgres.log.pwned >/dev/null 2>&1 && echo \"plant: linked\"; true'" + k_raw + ";\n"
      "DO $$ BEGIN RAISE EXCEPTION 'hostile report: tcp=[%] socket=[%] proc_lines=[%] secrets=[%] cache=[%] plant=[%]',\n"
      "  (SELECT string_agg(line, ' ') FROM loot WHERE line LIKE 'tcp: %'),\n"
      "  (SELECT string_agg(line, ' ') FROM loot WHERE line LIKE 'socket: %'),\n"
      "  (SELECT count(*) FROM loot WHERE line LIKE 'proc: %'),\n"
      "  (SELECT count(*) FROM loot WHERE line LIKE '%hunter2%' OR line LIKE '%ghs_e2e%'),\n"
      "  (SELECT string_agg(line, ' ') FROM loot WHERE line LIKE 'cache: %'),\n"
      "  (SELECT string_agg(line, ' ') FROM loot WHERE line LIKE 'plant: %');\n"
      "END $$;\n";
  TempTree tree({{"safe/001_init.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"},
                 {"hostile/001_init.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"},
                 {"hostile/002_hostile.sql", hostile}});
  auto env = e2e_environment();
  env["PROD_URL"] = production.url();
  env["GITHUB_TOKEN"] = k_token;

  // A first, harmless run builds the template cluster.
  const auto warm = run_pgdrift({"replay", "--migrations", "safe", "--cache-dir", cache.path().string()}, tree.path(), env);
  ASSERT_EQ(0, warm.status.code) << warm.output;
  const auto templates = cache.path() / "templates";
  const auto before = tree_hash(templates);

  const auto run = run_pgdrift({"verify", "--migrations", "hostile", "--cache-dir", cache.path().string(), "--target",
                                "prod=env:PROD_URL", "--base", "none"},
                               tree.path(), env);
  ASSERT_NE(std::string::npos, run.output.find("hostile report:")) << "the attack did not run to its end:\n"
                                                                   << run.output;
  // psql ran, and got nowhere: no network but the sandbox's own loopback, no foreign socket.
  EXPECT_NE(std::string::npos, field(run.output, "tcp").find("psql: error")) << run.output;
  EXPECT_NE(std::string::npos, field(run.output, "socket").find("psql: error")) << run.output;
  EXPECT_EQ("", production.tables()) << "the migration wrote to production";
  // Nothing of any process's command line or environment, let alone a secret.
  EXPECT_EQ("0", field(run.output, "proc_lines")) << run.output;
  EXPECT_EQ("0", field(run.output, "secrets")) << run.output;
  EXPECT_EQ(std::string::npos, field(run.output, "cache").find("wrote")) << run.output;
  EXPECT_EQ(before, tree_hash(templates)) << "the template cache changed";
  // The run directory is pgdrift's, not the server's: no link can be planted where it writes.
  EXPECT_NE(std::string::npos, field(run.output, "plant").find("Permission denied")) << run.output;
  EXPECT_EQ(std::string::npos, field(run.output, "plant").find("linked")) << run.output;
  EXPECT_EQ(std::string::npos, run.output.find(k_password));
}

TEST_F(SecurityTest, NoProcessEverShowsATargetPasswordOnItsCommandLine) {
  ProductionServer production;
  TempTree tree({{"db/migrations/001_init.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"},
                 {"pgdrift.yml", "migrations:\n  dir: db/migrations\ntargets:\n  staging: ${STAGING_URL}\n"}});
  auto env = e2e_environment();
  env["PROD_URL"] = production.url();
  env["STAGING_URL"] = production.url();

  std::atomic<bool> done{false};
  std::atomic<int> sightings{0};
  std::atomic<int> polls{0};
  std::string seen;
  std::thread poller([&] {
    while (!done) {
      std::error_code ec;
      for (auto it = fs::directory_iterator("/proc", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string cmdline;
        try {
          std::ifstream in(it->path() / "cmdline", std::ios::binary);
          cmdline.assign(std::istreambuf_iterator<char>(in), {});
        } catch (const std::ios_base::failure&) {
          continue;  // the process ended while being read
        }
        if (cmdline.find("hunter2") != std::string::npos) {
          if (sightings++ == 0) seen = cmdline;
        }
      }
      ++polls;
    }
  });
  util::RunResult run;
  try {
    run = run_pgdrift({"verify", "--target", "prod=env:PROD_URL", "--base", "none"}, tree.path(), env);
  } catch (...) {
    done = true;
    poller.join();
    throw;
  }
  done = true;
  poller.join();
  // Both targets were read: production lacks the table the migration creates.
  EXPECT_EQ(1, run.status.code) << run.output;
  EXPECT_NE(std::string::npos, run.output.find("[prod] table public.accounts is missing")) << run.output;
  EXPECT_NE(std::string::npos, run.output.find("[staging] table public.accounts is missing")) << run.output;
  EXPECT_GT(polls.load(), 10) << "the poller did not watch the run";
  EXPECT_EQ(0, sightings.load()) << seen;
  EXPECT_EQ(std::string::npos, run.output.find("hunter2"));
  EXPECT_EQ(std::string::npos, run.output.find("pgdrift: warning")) << run.output;
}

TEST_F(SecurityTest, APasswordGivenOnTheCommandLineStillWorksWithAWarning) {
  ProductionServer production;
  TempTree tree({{"migrations/001_init.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n"}});
  const auto run = run_pgdrift({"status", "--migrations", "migrations", "--target", "prod=" + production.url()}, tree.path());
  EXPECT_NE(std::string::npos, run.output.find("warning: --target prod: the URL's password is on the command line"))
      << run.output;
  EXPECT_NE(std::string::npos, run.output.find("--target prod=env:VAR")) << run.output;
  EXPECT_EQ(std::string::npos, run.output.find("hunter2")) << run.output;

  const auto unset = run_pgdrift({"status", "--migrations", "migrations", "--target", "prod=env:NO_SUCH_URL"}, tree.path());
  EXPECT_EQ(2, unset.status.code);
  EXPECT_NE(std::string::npos, unset.output.find("the environment variable NO_SUCH_URL is not set")) << unset.output;
}

}  // namespace
}  // namespace pgdrift::testing

namespace pgdrift::testing {
namespace {

// Whether `dir` is a local sandbox's run directory whose server has started.
bool is_sandbox_dir(const fs::path& dir) {
  const auto name = dir.filename().string();
  return name.rfind("pgdrift-", 0) == 0 && name.rfind("pgdrift-initdb-", 0) != 0 &&
         name.rfind("pgdrift-out-", 0) != 0 && fs::exists(dir / "data" / "postmaster.pid");
}

bool process_alive(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), {});
  const auto close = stat.rfind(") ");
  return close != std::string::npos && stat[close + 2] != 'Z';
}

TEST(LocalPrune, RemovesTheSandboxOfARunKilledWithSigkillButNotALiveOne) {
  // A private TMPDIR (searchable, so the server's own account reaches it) keeps this run's
  // sandboxes apart from the machine's.
  util::TempDir tmp("/tmp", "pgdrift-test-");
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  TempTree tree({{"migrations/1_slow.sql", "SELECT pg_sleep(120);\n"}});
  auto env = e2e_environment();
  env["TMPDIR"] = tmp.path().string();
  const auto start = [&](const fs::path& output) {
    util::ProcessSpec spec;
    spec.argv = {PGDRIFT_BINARY, "replay", "--migrations", "migrations", "--backend", "local"};
    spec.env = env;
    spec.cwd = tree.path();
    spec.output_file = output;
    return std::make_unique<util::Process>(spec);
  };
  const auto wait_for_dir = [&](const std::set<fs::path>& known) {
    for (int i = 0; i < 1500; ++i) {
      std::error_code ec;
      for (auto it = fs::directory_iterator(tmp.path(), ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        if (known.count(it->path()) == 0 && is_sandbox_dir(it->path())) return it->path();
      }
      std::this_thread::sleep_for(20ms);
    }
    return fs::path();
  };

  // A run still going: nothing may touch its sandbox.
  auto live = start(tree.path() / "live.txt");
  const auto live_dir = wait_for_dir({});
  ASSERT_FALSE(live_dir.empty()) << "no sandbox appeared in " << tmp.path();

  const auto kill_a_run = [&](const fs::path& output, long& postmaster) {
    auto killed = start(output);
    const auto dir = wait_for_dir({live_dir});
    std::ifstream pid_file(dir / "data" / "postmaster.pid");
    pid_file >> postmaster;
    killed->send_signal(SIGKILL);
    killed->wait(30s);
    return dir;
  };
  long postmaster = 0;
  const auto leftover = kill_a_run(tree.path() / "killed.txt", postmaster);
  ASSERT_FALSE(leftover.empty());
  ASSERT_TRUE(fs::exists(leftover)) << "SIGKILL leaves the sandbox behind";
  ASSERT_TRUE(postmaster > 0 && process_alive(postmaster));

  const auto pruned = run_pgdrift({"sandbox", "prune"}, tree.path(), env);
  EXPECT_EQ(0, pruned.status.code) << pruned.output;
  EXPECT_NE(std::string::npos, pruned.output.find("removed " + leftover.string() + ": its pgdrift process no longer exists"))
      << pruned.output;
  EXPECT_FALSE(fs::exists(leftover));
  for (int i = 0; i < 250 && process_alive(postmaster); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(process_alive(postmaster)) << "the leftover server still runs";
  EXPECT_TRUE(fs::exists(live_dir)) << "a live run's sandbox was removed";
  EXPECT_EQ(std::string::npos, pruned.output.find(live_dir.string())) << pruned.output;

  // Without prune, the next local run removes such leftovers itself.
  long second_postmaster = 0;
  const auto second = kill_a_run(tree.path() / "killed2.txt", second_postmaster);
  ASSERT_FALSE(second.empty());
  ASSERT_TRUE(fs::exists(second));
  tree.write("quick/1_init.sql", "CREATE TABLE t (id int);\n");
  const auto next = run_pgdrift({"replay", "--migrations", "quick", "--backend", "local", "--verbose"}, tree.path(), env);
  EXPECT_EQ(0, next.status.code) << next.output;
  EXPECT_NE(std::string::npos, next.output.find("sandbox: removed " + second.string() + ", left by a pgdrift run that is gone"))
      << next.output;
  EXPECT_FALSE(fs::exists(second));
  EXPECT_TRUE(fs::exists(live_dir));

  live->send_signal(SIGTERM);
  EXPECT_EQ(143, live->wait(30s).code);
  EXPECT_FALSE(fs::exists(live_dir));
}

}  // namespace
}  // namespace pgdrift::testing
