// The docker sandbox backend end to end, against a real PostgreSQL.
//
// No Docker engine runs on the machines these tests run on. The docker CLI is therefore replaced
// by a stand-in written for this suite, tests/fixtures/fake-docker/docker: it implements only
// the subcommands pgdrift uses, and backs every "container" with a real local PostgreSQL server
// (password auth on a published 127.0.0.1 port). Everything on pgdrift's side is real: the argv
// it builds, the readiness wait, the version check, the signal-time cleanup, `sandbox prune`.
// docker/README.md says how the backend was checked against a real engine.
#include "pgdrift/sandbox/docker_backend.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string k_fake_docker = std::string(PGDRIFT_FIXTURES_DIR) + "/fake-docker/docker";

// The file's text, or "" when it cannot be read. A /proc file of a process that exits between
// open and read fails with ESRCH, which libstdc++'s filebuf throws from underflow().
std::string read_text(const fs::path& file) {
  try {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    return "";
  }
}

// True while process `pid` exists and is not a zombie.
bool alive(int pid) {
  const auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(") ");
  return close != std::string::npos && stat[close + 2] != 'Z';
}

int parent_of(int pid) {
  const auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(") ");
  if (close == std::string::npos) return 0;
  const auto fields = util::split(stat.substr(close + 2), ' ');
  return fields.size() > 1 ? std::atoi(fields[1].c_str()) : 0;
}

// Live processes whose command line (or process title) contains `needle`, other than this one.
std::vector<int> processes_mentioning(const std::string& needle) {
  std::vector<int> pids;
  std::error_code proc_error;  // processes come and go while /proc is read: never throw
  for (auto it = fs::directory_iterator("/proc", proc_error); !proc_error && it != fs::directory_iterator();
       it.increment(proc_error)) {
    const auto& entry = *it;
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const int pid = std::stoi(name);
    if (pid != getpid() && read_text(entry.path() / "cmdline").find(needle) != std::string::npos &&
        alive(pid)) {
      pids.push_back(pid);
    }
  }
  return pids;
}

// Waits up to `limit` for `done`; returns its last answer.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// The stand-in docker CLI with a private "daemon" (state directory) per test.
class DockerBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto reason = local_postgres_unavailable_reason();
    if (!reason.empty()) {
      // CI must run these for real: only a developer machine without Postgres may skip.
      if (std::getenv("CI") != nullptr)
        FAIL() << "docker backend tests cannot run in CI: " << reason;
      GTEST_SKIP() << reason;
    }
    const auto binaries = sandbox::find_server_binaries(current_environment()).front();
    m_major = std::to_string(binaries.major);
    m_state.emplace("/tmp", "pgdt-docker-");
    m_tmp.emplace("/tmp", "pgdt-tmp-");
    // The server's account (as root: postgres) must reach the data directory below the state.
    fs::permissions(m_state->path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    m_env = current_environment();
    m_env["FAKE_DOCKER_STATE"] = m_state->path().string();
    m_env["FAKE_DOCKER_PG_BINDIR"] = binaries.bindir.string();
    m_env["TMPDIR"] = m_tmp->path().string();
    m_env["NO_COLOR"] = "1";
  }

  void TearDown() override {
    // Whatever a failing test left: stop the servers through the stand-in itself.
    if (!m_state) return;
    for (const auto& id : containers()) {
      util::ProcessSpec spec;
      spec.argv = {k_fake_docker, "rm", "-f", id};
      spec.env = m_env;
      util::run_process(spec, 30s);
    }
  }

  sandbox::Options options() const {
    sandbox::Options o;
    o.backend = "docker";
    o.docker = k_fake_docker;
    o.postgres_version = m_major;
    o.env = m_env;
    return o;
  }

  // Ids of the containers the stand-in daemon holds.
  std::vector<std::string> containers() const {
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(m_state->path() / "containers", ec)) {
      ids.push_back(e.path().filename().string());
    }
    return ids;
  }

  // Every docker call so far, one line of space-joined arguments each.
  std::vector<std::string> calls() const {
    std::vector<std::string> lines;
    for (const auto& line : util::split(read_text(m_state->path() / "calls.log"), '\n')) {
      if (!line.empty()) lines.push_back(line);
    }
    return lines;
  }

  // The pid of the single container's main process (its postmaster once started).
  int container_pid() const {
    const auto ids = containers();
    if (ids.size() != 1) return 0;
    return std::atoi(read_text(m_state->path() / "containers" / ids[0] / "pid").c_str());
  }

  // Processes of the stand-in's servers (their command lines name the state directory).
  std::vector<int> server_processes() const {
    return processes_mentioning(m_state->path().string());
  }

  // What is left in pgdrift's TMPDIR.
  std::string tmp_leftovers() const {
    std::string left;
    for (const auto& e : fs::directory_iterator(m_tmp->path())) left += e.path().string() + " ";
    return left;
  }

  util::ProcessSpec pgdrift(const std::vector<std::string>& args, const TempTree& tree) const {
    util::ProcessSpec spec;
    spec.argv = {PGDRIFT_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = m_env;
    spec.cwd = tree.path();
    spec.output_file = tree.path() / "output.txt";
    return spec;
  }

  std::string m_major;
  std::optional<util::TempDir> m_state;
  std::optional<util::TempDir> m_tmp;
  Environment m_env;
};

std::string scalar(const db::ConnectionInfo& database, const std::string& sql) {
  auto connection = db::Connection::open(database, "pgdrift-test");
  const auto rows = connection->query(sql);
  return rows.size() == 0 || !rows.rows[0][0] ? "" : *rows.rows[0][0];
}

TEST_F(DockerBackendTest, StartsAPasswordProtectedLoopbackServerAndRemovesItOnStop) {
  std::vector<std::string> log;
  auto o = options();
  o.log = [&log](const std::string& line) { log.push_back(line); };
  auto backend = sandbox::make_backend(o);
  ASSERT_EQ("docker", backend->kind());
  backend->start();
  ASSERT_EQ(1u, containers().size());
  EXPECT_EQ(0u, backend->server_version().rfind(m_major + ".", 0)) << backend->server_version();

  const auto admin = backend->admin();
  EXPECT_EQ("127.0.0.1", admin.host);
  EXPECT_EQ(32u, admin.password.size());
  const auto database = backend->create_database("check");
  EXPECT_EQ("2", scalar(database, "SELECT 1 + 1"));
  EXPECT_EQ(database.dbname, scalar(database, "SELECT current_database()"));
  // The speed settings reached the server, and TCP needs the password.
  EXPECT_EQ("off", scalar(database, "SHOW fsync"));
  EXPECT_EQ("off", scalar(database, "SHOW full_page_writes"));
  EXPECT_EQ("off", scalar(database, "SHOW synchronous_commit"));
  EXPECT_EQ("127.0.0.1", scalar(database, "SELECT inet_server_addr()::text").substr(0, 9));
  auto without_password = database;
  without_password.password.clear();
  EXPECT_THROW(db::Connection::open(without_password, "pgdrift-test"), Error);

  // The password appears in no command line, log line or description.
  EXPECT_EQ(std::string::npos, backend->description().find(admin.password));
  EXPECT_NE(std::string::npos, backend->description().find("postgres:" + m_major))
      << backend->description();
  for (const auto& line : calls()) EXPECT_EQ(std::string::npos, line.find(admin.password)) << line;
  for (const auto& line : log) EXPECT_EQ(std::string::npos, line.find(admin.password)) << line;

  const int postmaster = container_pid();
  ASSERT_TRUE(alive(postmaster));
  backend->stop();
  EXPECT_TRUE(containers().empty());
  EXPECT_FALSE(db::server_accepts_connections(admin));
  EXPECT_TRUE(eventually([&] { return !alive(postmaster); }));
  const auto removals = calls().size();
  backend->stop();  // idempotent: nothing more to remove
  backend.reset();  // and the destructor neither
  EXPECT_EQ(removals, calls().size());
}

TEST_F(DockerBackendTest, FirstRunPullsTheImageAndLaterRunsReuseIt) {
  for (int i = 0; i < 2; ++i) {
    sandbox::DockerBackend backend(k_fake_docker, options());
    backend.start();
  }  // the destructor removes each container
  EXPECT_TRUE(containers().empty());
  const auto all = calls();
  EXPECT_EQ(1, std::count(all.begin(), all.end(), "pull postgres:" + m_major))
      << util::join(all, "\n");
  EXPECT_EQ(2, std::count_if(all.begin(), all.end(),
                             [](const std::string& l) { return l.rfind("rm -f -v ", 0) == 0; }));
}

TEST_F(DockerBackendTest, WaitsForAServerThatIsStillInitialising) {
  m_env["FAKE_DOCKER_START_DELAY"] = "2";
  sandbox::DockerBackend backend(k_fake_docker, options());
  const auto started = std::chrono::steady_clock::now();
  backend.start();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ("1", scalar(backend.create_database("x"), "SELECT 1"));
}

TEST_F(DockerBackendTest, NeverReadyFailsWithTheContainersLogAndLeavesNothing) {
  // A delay nobody else uses, to find the launcher's `sleep` afterwards.
  const std::string delay = "600." + std::to_string(getpid());
  m_env["FAKE_DOCKER_START_DELAY"] = delay;
  auto o = options();
  o.start_timeout = 1500ms;
  sandbox::DockerBackend backend(k_fake_docker, o);
  try {
    backend.start();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    const std::string what = e.what();
    EXPECT_NE(std::string::npos, what.find("did not accept connections within 1 s")) << what;
    EXPECT_NE(std::string::npos, what.find("fake docker: initialising")) << what;
  }
  EXPECT_TRUE(containers().empty());
  EXPECT_TRUE(eventually([&] { return server_processes().empty(); }));
  EXPECT_TRUE(eventually([&] { return processes_mentioning("sleep " + delay).empty(); }));
}

TEST_F(DockerBackendTest, ContainerThatDiesDuringStartUpFailsFastWithItsLog) {
  m_env["FAKE_DOCKER_CRASH"] = "1";
  sandbox::DockerBackend backend(k_fake_docker, options());
  const auto started = std::chrono::steady_clock::now();
  try {
    backend.start();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(std::string::npos, what.find("exited during start-up")) << what;
    EXPECT_NE(std::string::npos, what.find("FATAL:  data directory")) << what;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s) << "not the 60 s start timeout";
  EXPECT_TRUE(containers().empty());
}

TEST_F(DockerBackendTest, ServerOfAnotherMajorThanAskedForIsRefusedAndRemoved) {
  auto o = options();
  const std::string wanted = std::to_string(std::stoi(m_major) + 1);
  o.postgres_version = wanted;  // the stand-in runs the local server whatever the tag says
  sandbox::DockerBackend backend(k_fake_docker, o);
  try {
    backend.start();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    EXPECT_NE(std::string::npos, std::string(e.what()).find("the image postgres:" + wanted +
                                                            " runs PostgreSQL " + m_major + "."))
        << e.what();
  }
  EXPECT_TRUE(containers().empty());
  EXPECT_TRUE(eventually([&] { return server_processes().empty(); }));
}

TEST_F(DockerBackendTest, ReplayRunsOnTheContainerAndReportsItsVersion) {
  TempTree tree(
      {{"migrations/1_users.sql", "CREATE TABLE users (id int PRIMARY KEY, name text);\n"},
       {"migrations/2_bad.sql", "-- a typo\nALTER TABLE users ADD COLUMN email txt;\n"}});
  const auto result = util::run_process(
      pgdrift({"replay", "--migrations", "migrations", "--backend", "docker", "--docker",
               k_fake_docker, "--postgres-version", m_major, "--json", "report.json"},
              tree),
      2min);
  const std::string output = read_text(tree.path() / "output.txt");
  EXPECT_EQ(1, result.status.code) << output;
  EXPECT_NE(std::string::npos, output.find("docker PostgreSQL " + m_major + ".")) << output;
  EXPECT_NE(std::string::npos,
            output.find("migrations/2_bad.sql:2:36: error: type \"txt\" does not exist"))
      << output;
  const auto json = read_text(tree.path() / "report.json");
  EXPECT_NE(std::string::npos, json.find("\"backend\": \"docker\"")) << json;
  EXPECT_TRUE(containers().empty());
  EXPECT_EQ("", tmp_leftovers());
}

TEST_F(DockerBackendTest, DaemonDownIsExit3SayingWhatToDo) {
  m_env["FAKE_DOCKER_DAEMON_DOWN"] = "1";
  TempTree tree({{"migrations/1_init.sql", "CREATE TABLE t (id int);\n"}});
  const auto result = util::run_process(pgdrift({"replay", "--migrations", "migrations",
                                                 "--backend", "docker", "--docker", k_fake_docker},
                                                tree),
                                        1min);
  const std::string output = read_text(tree.path() / "output.txt");
  EXPECT_EQ(3, result.status.code) << output;
  EXPECT_NE(std::string::npos,
            output.find("pgdrift: error: the docker daemon is not reachable: Cannot connect"))
      << output;
  EXPECT_NE(std::string::npos, output.find("hint: start it")) << output;
  EXPECT_NE(std::string::npos, output.find("--backend local")) << output;
  EXPECT_TRUE(containers().empty());
}

// Starts `pgdrift replay` on a migration that sleeps, and waits until the sleep runs in the
// container's server. Returns the postmaster's pid (0 when it never got there).
int start_sleeping_replay(util::Process& pgdrift, const std::function<int()>& container_pid) {
  int postmaster = 0;
  const bool sleeping = eventually(
      [&] {
        if (!pgdrift.running()) return true;
        postmaster = container_pid();
        if (postmaster <= 0 || !alive(postmaster)) return false;
        for (const int pid : processes_mentioning("SELECT")) {
          if (parent_of(pid) == postmaster) return true;
        }
        return false;
      },
      60s);
  return sleeping && pgdrift.running() ? postmaster : 0;
}

TEST_F(DockerBackendTest, SigtermDuringReplayRemovesTheContainerAndExits143) {
  TempTree tree({{"migrations/1_init.sql", "CREATE TABLE t (id int);\n"},
                 {"migrations/2_slow.sql", "SELECT pg_sleep(60);\n"}});
  util::Process run(pgdrift({"replay", "--migrations", "migrations", "--backend", "docker",
                             "--docker", k_fake_docker, "--postgres-version", m_major},
                            tree));
  const int postmaster = start_sleeping_replay(run, [this] { return container_pid(); });
  ASSERT_GT(postmaster, 0) << "the replay never reached pg_sleep: "
                           << read_text(tree.path() / "output.txt");
  std::vector<int> server_family = {postmaster};
  std::error_code proc_error;  // processes come and go while /proc is read: never throw
  for (auto it = fs::directory_iterator("/proc", proc_error); !proc_error && it != fs::directory_iterator();
       it.increment(proc_error)) {
    const auto& entry = *it;
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") == std::string::npos &&
        parent_of(std::stoi(name)) == postmaster) {
      server_family.push_back(std::stoi(name));
    }
  }

  run.send_signal(SIGTERM);
  const auto status = run.wait(30s);
  ASSERT_FALSE(status.timed_out);
  EXPECT_EQ(143, status.code);
  const std::string output = read_text(tree.path() / "output.txt");
  EXPECT_NE(std::string::npos, output.find("interrupted by SIGTERM")) << output;
  // No container, no server process, no directory.
  EXPECT_TRUE(containers().empty());
  for (const int pid : server_family)
    EXPECT_TRUE(eventually([&] { return !alive(pid); })) << "pid " << pid;
  EXPECT_TRUE(server_processes().empty());
  EXPECT_EQ("", tmp_leftovers());
  const auto all = calls();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(0u, all.back().rfind("rm -f -v pgdrift-", 0)) << all.back();
}

TEST_F(DockerBackendTest, PruneRemovesLeftoversOfKilledRunsButNotOfLiveOnes) {
  // A live sandbox of this process: prune must leave it alone.
  sandbox::DockerBackend live(k_fake_docker, options());
  live.start();
  const std::string live_container = containers().at(0);

  // A run killed with SIGKILL cannot clean up: its container stays behind.
  TempTree tree({{"migrations/1_slow.sql", "SELECT pg_sleep(60);\n"}});
  util::Process killed(pgdrift({"replay", "--migrations", "migrations", "--backend", "docker",
                                "--docker", k_fake_docker, "--postgres-version", m_major},
                               tree));
  const auto other_pid = [this, &live_container] {
    for (const auto& id : containers()) {
      if (id != live_container)
        return std::atoi(read_text(m_state->path() / "containers" / id / "pid").c_str());
    }
    return 0;
  };
  const int leftover_server = start_sleeping_replay(killed, other_pid);
  ASSERT_GT(leftover_server, 0) << read_text(tree.path() / "output.txt");
  const int killed_pid = killed.pid();
  killed.send_signal(SIGKILL);
  killed.wait(30s);
  ASSERT_EQ(2u, containers().size());

  const auto pruned =
      util::run_process(pgdrift({"sandbox", "prune", "--docker", k_fake_docker}, tree), 1min);
  const std::string output = read_text(tree.path() / "output.txt");
  EXPECT_EQ(0, pruned.status.code) << output;
  EXPECT_NE(std::string::npos,
            output.find("pgdrift pid " + std::to_string(killed_pid) + " no longer exists"))
      << output;
  EXPECT_NE(std::string::npos, output.find("removed 1 leftover container; kept 1 (run still going"))
      << output;
  EXPECT_EQ(std::vector<std::string>{live_container}, containers());
  EXPECT_TRUE(eventually([&] { return !alive(leftover_server); }));
  EXPECT_EQ("1", scalar(live.create_database("still_here"), "SELECT 1"))
      << "the live sandbox still serves";
  live.stop();
}

TEST(LocalVersion, BackendHonoursPostgresVersionAndAutoPrefersLocalBinariesOfIt) {
  const auto all = sandbox::find_server_binaries(current_environment());
  if (all.empty()) {
    if (std::getenv("CI") != nullptr) FAIL() << local_postgres_unavailable_reason();
    GTEST_SKIP() << local_postgres_unavailable_reason();
  }
  for (const auto& binaries : all) {  // every installed major, when there are several
    auto options = local_options();
    options.postgres_version = std::to_string(binaries.major);
    const auto local = sandbox::make_backend(options);
    EXPECT_NE(std::string::npos, local->description().find(binaries.bindir.string()))
        << local->description();
    options.backend = "auto";
    options.docker = k_fake_docker;  // a docker CLI exists, but local binaries of the version win
    EXPECT_EQ("local", sandbox::make_backend(options)->kind());
  }
}

}  // namespace
}  // namespace pgdrift::testing
