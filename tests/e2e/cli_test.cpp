// Behaviour of the built binary that golden files cannot show: signals, exit codes under
// missing infrastructure, secrets in output, machine-readable output on stdout.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "pgdrift/util/process.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

const std::string k_fixtures = PGDRIFT_FIXTURES_DIR;

// Processes whose command line mentions `needle` (other than this test process).
std::vector<int> processes_mentioning(const std::string& needle) {
  std::vector<int> pids;
  std::error_code proc_error;  // processes come and go while /proc is read: never throw
  for (auto it = std::filesystem::directory_iterator("/proc", proc_error); !proc_error && it != std::filesystem::directory_iterator();
       it.increment(proc_error)) {
    const auto& entry = *it;
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline;
    try {
      std::ifstream in(entry.path() / "cmdline", std::ios::binary);
      cmdline.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::ios_base::failure&) {
      continue;  // the process exited while being read (ESRCH from libstdc++'s underflow)
    }
    if (cmdline.find(needle) != std::string::npos && std::stoi(name) != getpid()) pids.push_back(std::stoi(name));
  }
  return pids;
}

// Waits until `dir` holds a sandbox whose server listens (socket present); false when `pgdrift`
// exits first or `limit` passes.
bool wait_for_sandbox(const std::filesystem::path& dir, util::Process& pgdrift, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline && pgdrift.running()) {
    std::error_code ec;
    for (const auto& run : std::filesystem::directory_iterator(dir, ec)) {
      // The server's socket is in the run directory's socket/ (the part its account owns).
      for (const auto& file : std::filesystem::directory_iterator(run.path() / "socket", ec)) {
        if (file.path().filename().string().rfind(".s.PGSQL.", 0) == 0 &&
            file.path().extension() != ".lock") {
          return true;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  return false;
}

void expect_interrupt_cleans_up(int signo, int expected_exit) {
  TempTree tree({{"migrations/1_init.sql", "CREATE TABLE t (id int);\n"},
                 {"migrations/2_slow.sql", "SELECT pg_sleep(60);\n"}});
  // A private, short TMPDIR: everything the sandbox creates lands here, so "nothing left
  // behind" means this directory is empty afterwards.
  util::TempDir tmp("/tmp", "pgdt-");
  // Searchable by the account the server runs as when the test runs as root.
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
  auto env = e2e_environment();
  env["TMPDIR"] = tmp.path().string();
  util::ProcessSpec spec;
  spec.argv = {PGDRIFT_BINARY, "replay", "--migrations", "migrations"};
  spec.env = env;
  spec.cwd = tree.path();
  spec.output_file = tree.path() / "output.txt";
  util::Process pgdrift(spec);
  ASSERT_TRUE(wait_for_sandbox(tmp.path(), pgdrift, std::chrono::seconds{60})) << "the sandbox never came up";
  std::this_thread::sleep_for(std::chrono::milliseconds{500});  // let replay reach pg_sleep
  ASSERT_FALSE(processes_mentioning(tmp.path().string()).empty()) << "postgres should be running";

  pgdrift.send_signal(signo);
  const auto status = pgdrift.wait(std::chrono::seconds{30});
  ASSERT_FALSE(status.timed_out);
  EXPECT_EQ(expected_exit, status.code);
  std::ifstream out(tree.path() / "output.txt");
  const std::string output((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_NE(output.find("interrupted"), std::string::npos) << output;

  std::string left;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) left += e.path().string() + " ";
  EXPECT_EQ("", left) << "the run directory was left behind";
  // Postgres children exit right after the postmaster; give them a moment.
  for (int i = 0; i < 100 && !processes_mentioning(tmp.path().string()).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  EXPECT_TRUE(processes_mentioning(tmp.path().string()).empty()) << "a postgres process was left running";
}

TEST(Interrupt, SigtermDuringReplayTearsDownTheSandboxAndExits143) {
  expect_interrupt_cleans_up(SIGTERM, 143);
}

TEST(Interrupt, SigintDuringReplayTearsDownTheSandboxAndExits130) {
  expect_interrupt_cleans_up(SIGINT, 130);
}

TEST(Cli, VersionAndHelpExitZero) {
  auto version = run_pgdrift({"--version"}, ".");
  EXPECT_EQ(0, version.status.code);
  EXPECT_EQ(0u, version.output.rfind("pgdrift 0.", 0)) << version.output;
  auto help = run_pgdrift({"--help"}, ".");
  EXPECT_EQ(0, help.status.code);
  for (const char* command : {"replay", "verify", "dump", "diff", "lint", "status"}) {
    EXPECT_NE(help.output.find(command), std::string::npos) << command;
  }
  auto replay_help = run_pgdrift({"replay", "--help"}, ".");
  EXPECT_EQ(0, replay_help.status.code);
  EXPECT_NE(replay_help.output.find("--statement-timeout"), std::string::npos) << replay_help.output;
}

TEST(Cli, UnknownFlagIsAUsageError) {
  auto result = run_pgdrift({"replay", "--migrashuns", "x"}, ".");
  EXPECT_EQ(2, result.status.code);
  EXPECT_NE(result.output.find("--migrashuns"), std::string::npos) << result.output;
}

TEST(Cli, JsonOnStdoutIsParseableAndTextMovesToStderr) {
  util::ProcessSpec spec;
  TempTree tree({{"migrations/1_init.sql", "CREATE TABLE t (id int);\n"}});
  spec.env = e2e_environment();
  spec.cwd = tree.path();
  spec.output_file = tree.path() / "combined";
  // Run through sh only to split the streams for this check (the test's own plumbing).
  spec.argv = {"sh", "-c", std::string("\"$0\" replay --migrations migrations --json - 2>stderr.txt >stdout.txt"),
               PGDRIFT_BINARY};
  const auto result = util::run_process(spec, std::chrono::minutes{2});
  ASSERT_EQ(0, result.status.code) << result.output;
  std::ifstream out(tree.path() / "stdout.txt");
  const auto json = nlohmann::json::parse(out);
  EXPECT_EQ(1, json["version"]);
  EXPECT_EQ("plain", json["format"]);
  EXPECT_EQ("applied", json["migrations"][0]["status"]);
  EXPECT_EQ(0, json["summary"]["exit_code"]);
  std::ifstream err(tree.path() / "stderr.txt");
  const std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("1 applied, 0 failed, 0 skipped"), std::string::npos) << text;
}

TEST(Cli, PasswordOfAnUnreachableServerNeverReachesTheOutput) {
  TempTree tree({{"migrations/1_init.sql", "CREATE TABLE t (id int);\n"}});
  const auto result = run_pgdrift({"replay", "--migrations", "migrations", "--backend", "server", "--server-url",
                                   "postgresql://app:hunter2-secret@127.0.0.1:1/postgres", "--json", "r.json"},
                                  tree.path());
  EXPECT_EQ(3, result.status.code) << result.output;
  EXPECT_EQ(result.output.find("hunter2-secret"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("127.0.0.1:1"), std::string::npos) << result.output;
  std::ifstream report(tree.path() / "r.json");
  const std::string json((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  EXPECT_EQ(json.find("hunter2-secret"), std::string::npos) << json;
  EXPECT_NE(json.find("\"exit_code\": 3"), std::string::npos) << json;
}

TEST(Cli, MissingServerVersionIsAnInfrastructureErrorSayingWhatToInstall) {
  TempTree tree({{"migrations/1_init.sql", "CREATE TABLE t (id int);\n"}});
  const auto result = run_pgdrift({"replay", "--migrations", "migrations", "--backend", "local",
                                   "--postgres-version", "99"},
                                  tree.path());
  EXPECT_EQ(3, result.status.code);
  EXPECT_NE(result.output.find("PostgreSQL 99 was asked for"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("apt-get install postgresql-99"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace pgdrift::testing
