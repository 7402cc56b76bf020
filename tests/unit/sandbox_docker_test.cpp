// The docker sandbox backend's command lines and decisions, through the process-runner seam.
//
// No Docker engine runs on the machines these tests run on, so the fake below stands at the
// process boundary: it records every docker CLI invocation (argv, environment, whether output
// goes to the terminal) and answers from a script, as the real CLI would. What a real server
// does behind those commands is covered by tests/integration/docker_backend_test.cpp (a stand-in
// docker CLI backed by a real PostgreSQL) and docker/README.md (a real engine).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <regex>

#include "pgdrift/sandbox/docker_backend.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sandbox {
namespace {

using Args = std::vector<std::string>;

util::RunResult answer(int code, std::string output) {
  util::RunResult result;
  result.status.code = code;
  result.output = std::move(output);
  return result;
}

// The recording fake of util::ProcessRunner (see the file comment).
class RecordingRunner : public util::ProcessRunner {
 public:
  struct Call {
    Args argv;
    Environment env;
    bool inherit_output = false;
  };

  // Answers a call from its arguments (without the executable); the default is a docker whose
  // image is present and whose container runs but never answers on its port.
  std::function<util::RunResult(const Args&)> respond = [](const Args& args) {
    return scripted(args);
  };

  util::RunResult run(const util::ProcessSpec& spec, std::chrono::milliseconds) override {
    m_calls.push_back({spec.argv, spec.env, spec.inherit_output});
    return respond(Args(spec.argv.begin() + 1, spec.argv.end()));
  }

  const std::vector<Call>& calls() const { return m_calls; }
  // Every call's arguments joined with spaces, without the executable.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& call : m_calls)
      out.push_back(util::join(Args(call.argv.begin() + 1, call.argv.end()), " "));
    return out;
  }

  static util::RunResult scripted(const Args& args) {
    const std::string sub = args.at(0);
    if (sub == "image") return answer(0, "sha256:0123\n");
    if (sub == "run") return answer(0, std::string(64, 'c') + "\n");
    // Port 1: nothing listens there, so readiness polling runs without any database.
    if (sub == "port") return answer(0, "127.0.0.1:1\n");
    if (sub == "inspect") return answer(0, "running\n");
    if (sub == "logs")
      return answer(0, "PostgreSQL init process complete; ready for start up.\nLOG:  last line\n");
    if (sub == "rm") return answer(0, args.back() + "\n");
    return answer(125, "unexpected call");
  }

 private:
  std::vector<Call> m_calls;
};

// A file named `docker` that find_docker accepts; the fake runner answers instead of running it.
class DockerStub {
 public:
  DockerStub() : m_dir("/tmp", "pgdrift-docker-stub-") {
    std::ofstream(m_dir.path() / "docker")
        << "#!/bin/sh\necho 'never run by these tests' >&2\nexit 125\n";
    ::chmod((m_dir.path() / "docker").c_str(), 0755);
  }
  std::string path() const { return (m_dir.path() / "docker").string(); }
  std::string dir() const { return m_dir.path().string(); }

 private:
  util::TempDir m_dir;
};

struct Fixture {
  DockerStub stub;
  std::shared_ptr<RecordingRunner> runner = std::make_shared<RecordingRunner>();
  std::vector<std::string> log;
  Options options;

  Fixture() {
    options.backend = "docker";
    options.docker = stub.path();
    options.env = {{"PATH", "/usr/bin:/bin"},
                   {"HOME", "/root"},
                   {"DOCKER_HOST", "unix:///run/user/1000/docker.sock"}};
    options.runner = runner;
    options.start_timeout = std::chrono::milliseconds{300};
    options.log = [this](const std::string& line) { log.push_back(line); };
  }

  // Starts a backend, expecting it to fail; returns the error.
  Error start_failure() {
    DockerBackend backend(stub.path(), options);
    try {
      backend.start();
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "start() succeeded against a port nothing listens on";
    return infra_error("no error");
  }

  const RecordingRunner::Call& call_of(const std::string& sub) const {
    for (const auto& call : runner->calls()) {
      if (call.argv.size() > 1 && call.argv[1] == sub) return call;
    }
    throw std::runtime_error("no `" + sub + "` call");
  }
};

TEST(SandboxDocker, RunsTheImageLabelledOnALoopbackPortWithTmpfsAndFastSettings) {
  Fixture f;
  f.options.postgres_version = "16";
  f.start_failure();
  const auto& run = f.call_of("run");
  EXPECT_EQ(f.stub.path(), run.argv.at(0)) << "argv vector with the resolved CLI, never a shell";
  const std::string line = util::join(Args(run.argv.begin() + 1, run.argv.end()), " ");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(line, m, std::regex("--name pgdrift-([0-9a-f]{12}) "))) << line;
  const std::string id = m[1];
  EXPECT_EQ("run -d --name pgdrift-" + id + " --label pgdrift=1 --label pgdrift.run=" + id +
                " --label pgdrift.pid=" + std::to_string(::getpid()) +
                " --label pgdrift.host=" + this_host() +
                " -p 127.0.0.1::5432 -e PGDATA=/var/lib/postgresql/data/pgdata -e POSTGRES_PASSWORD"
                " --tmpfs /var/lib/postgresql/data postgres:16"
                " postgres -c fsync=off -c full_page_writes=off -c synchronous_commit=off",
            line);
  // The rest of the user's environment reaches docker (contexts, DOCKER_HOST, credentials).
  EXPECT_EQ("unix:///run/user/1000/docker.sock", run.env.at("DOCKER_HOST"));
}

TEST(SandboxDocker, PasswordTravelsOnlyThroughTheEnvironmentAndIsNeverPrinted) {
  Fixture f;
  const auto error = f.start_failure();
  const auto& run = f.call_of("run");
  ASSERT_EQ(1u, run.env.count("POSTGRES_PASSWORD"));
  const std::string password = run.env.at("POSTGRES_PASSWORD");
  EXPECT_TRUE(std::regex_match(password, std::regex("[0-9a-f]{32}"))) << "a generated password";
  for (const auto& call : f.runner->calls()) {
    const std::string line = util::join(call.argv, " ");
    EXPECT_EQ(std::string::npos, line.find(password)) << line;
    EXPECT_EQ(std::string::npos, line.find("trust")) << "never trust authentication: " << line;
    EXPECT_EQ(std::string::npos, line.find("POSTGRES_HOST_AUTH_METHOD")) << line;
    if (call.argv.at(1) != "run") {
      EXPECT_EQ(0u, call.env.count("POSTGRES_PASSWORD")) << line;
    }
  }
  for (const auto& line : f.log) EXPECT_EQ(std::string::npos, line.find(password)) << line;
  EXPECT_EQ(std::string::npos, std::string(error.what()).find(password));
  EXPECT_EQ(std::string::npos, error.hint().find(password));
}

TEST(SandboxDocker, NeverReadyTimesOutShowingTheLogAndRemovesTheContainer) {
  Fixture f;
  f.options.postgres_version = "16";
  const auto error = f.start_failure();
  EXPECT_EQ(ExitCode::infrastructure, error.exit_code());
  const std::string what = error.what();
  EXPECT_NE(std::string::npos, what.find("did not accept connections within 300 ms")) << what;
  EXPECT_NE(std::string::npos, what.find("    LOG:  last line")) << what;
  EXPECT_NE(std::string::npos, error.hint().find("sandbox.start_timeout")) << error.hint();
  const auto lines = f.runner->lines();
  ASSERT_EQ(6u, lines.size()) << util::join(lines, "\n");
  const std::string name = f.call_of("run").argv.at(4);
  EXPECT_EQ("image inspect --format {{.Id}} postgres:16", lines[0]);
  EXPECT_EQ("port " + name + " 5432/tcp", lines[2]);
  EXPECT_EQ("inspect --type container --format {{.State.Status}} " + name, lines[3]);
  EXPECT_EQ("logs --tail 20 " + name, lines[4]);
  EXPECT_EQ("rm -f -v " + name, lines[5])
      << "removed on the failure path, once (the destructor adds nothing)";
}

TEST(SandboxDocker, ContainerThatExitsDuringStartUpFailsAtOnceWithItsLog) {
  Fixture f;
  f.options.start_timeout = std::chrono::minutes{5};
  f.runner->respond = [](const Args& args) {
    if (args[0] == "inspect") return answer(0, "exited\n");
    if (args[0] == "logs") return answer(0, "FATAL:  could not map anonymous shared memory\n");
    return RecordingRunner::scripted(args);
  };
  const auto started = std::chrono::steady_clock::now();
  const auto error = f.start_failure();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{10})
      << "no waiting for the timeout";
  const std::string what = error.what();
  EXPECT_NE(std::string::npos, what.find("exited during start-up")) << what;
  EXPECT_NE(std::string::npos, what.find("FATAL:  could not map anonymous shared memory")) << what;
  EXPECT_EQ("rm", f.runner->calls().back().argv.at(1));
}

TEST(SandboxDocker, MissingImageIsPulledWithProgressOnlyOnATerminal) {
  for (const bool interactive : {false, true}) {
    Fixture f;
    f.options.interactive = interactive;
    f.runner->respond = [](const Args& args) {
      if (args[0] == "image") return answer(1, "Error: No such image: postgres:17\n");
      if (args[0] == "pull") return answer(0, "Status: Downloaded newer image for postgres:17\n");
      return RecordingRunner::scripted(args);
    };
    f.start_failure();
    const auto lines = f.runner->lines();
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ("image inspect --format {{.Id}} postgres:17", lines[0]) << "the default image";
    EXPECT_EQ("pull postgres:17", lines[1]);
    EXPECT_EQ(interactive, f.runner->calls()[1].inherit_output);
    EXPECT_FALSE(f.runner->calls()[2].inherit_output) << "only the pull draws on the terminal";
    EXPECT_EQ(0u, lines[2].rfind("run -d ", 0)) << lines[2];
  }
}

TEST(SandboxDocker, FailuresSayWhatToDoAndStopBeforeRunning) {
  const struct {
    const char* name;
    std::function<util::RunResult(const Args&)> respond;
    std::string message;
    std::string hint;
  } cases[] = {
      {"daemon down",
       [](const Args&) {
         return answer(
             1,
             "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
             "daemon running?\n");
       },
       "the docker daemon is not reachable: Cannot connect to the Docker daemon",
       "sudo systemctl start docker"},
      {"socket not permitted",
       [](const Args&) {
         return answer(1,
                       "permission denied while trying to connect to the Docker daemon socket at "
                       "unix:///var/run/docker.sock\n");
       },
       "this user may not use the docker daemon", "usermod -aG docker"},
      {"image that cannot be pulled",
       [](const Args& args) {
         if (args[0] == "image")
           return answer(1, "Error: No such image: registry.example/pg:nope\n");
         return answer(
             1,
             "Error response from daemon: pull access denied for registry.example/pg, repository "
             "does not exist or may require 'docker login'\n");
       },
       "cannot pull the image registry.example/pg:nope:\nError response from daemon: pull access "
       "denied",
       "postgres.image / --image"},
  };
  for (const auto& c : cases) {
    Fixture f;
    f.options.image = "registry.example/pg:nope";
    f.runner->respond = c.respond;
    const auto error = f.start_failure();
    EXPECT_EQ(ExitCode::infrastructure, error.exit_code()) << c.name;
    EXPECT_NE(std::string::npos, std::string(error.what()).find(c.message))
        << c.name << ": " << error.what();
    EXPECT_NE(std::string::npos, error.hint().find(c.hint)) << c.name << ": " << error.hint();
    EXPECT_NE(std::string::npos, error.hint().find("--backend local"))
        << c.name << ": " << error.hint();
    for (const auto& line : f.runner->lines()) {
      EXPECT_NE(0u, line.rfind("run ", 0)) << c.name << ": nothing may run: " << line;
      EXPECT_NE(0u, line.rfind("rm ", 0)) << c.name << ": nothing to remove: " << line;
    }
  }
}

TEST(SandboxDocker, RemoveKillsWithVolumesAndToleratesAContainerAlreadyGone) {
  DockerStub stub;
  auto runner = std::make_shared<RecordingRunner>();
  const DockerCli cli(stub.path(), {}, runner);
  EXPECT_TRUE(cli.remove("pgdrift-0123456789ab"));
  runner->respond = [](const Args&) {
    return answer(1, "Error response from daemon: No such container: x\n");
  };
  EXPECT_FALSE(cli.remove("pgdrift-0123456789ab"));
  runner->respond = [](const Args&) {
    return answer(1, "Error: no container with name or ID \"x\" found\n");
  };
  EXPECT_FALSE(cli.remove("pgdrift-0123456789ab")) << "podman's wording";
  runner->respond = [](const Args&) {
    return answer(1, "Error response from daemon: driver failed\n");
  };
  EXPECT_THROW(cli.remove("pgdrift-0123456789ab"), Error);
  EXPECT_EQ("rm -f -v pgdrift-0123456789ab", runner->lines().front());
}

TEST(SandboxDocker, PublishedPortPrefersTheLoopbackMapping) {
  DockerStub stub;
  auto runner = std::make_shared<RecordingRunner>();
  const DockerCli cli(stub.path(), {}, runner);
  const struct {
    std::string output;
    int port;
  } cases[] = {{"127.0.0.1:49153\n", 49153},
               {"0.0.0.0:5000\n127.0.0.1:5001\n", 5001},
               {"[::]:5002\n", 5002}};
  for (const auto& c : cases) {
    runner->respond = [&c](const Args&) { return answer(0, c.output); };
    EXPECT_EQ(c.port, cli.published_port("pgdrift-x")) << c.output;
  }
  runner->respond = [](const Args&) { return answer(0, "\n"); };
  EXPECT_THROW(cli.published_port("pgdrift-x"), Error);
  EXPECT_EQ("port pgdrift-x 5432/tcp", runner->lines().front());
}

std::string inspect_line(const std::string& id, const std::string& pid, const std::string& host) {
  return id + "\t/pgdrift-" + id.substr(0, 12) + "\t" + id.substr(0, 12) + "\t" + pid + "\t" +
         host + "\texited\n";
}

TEST(SandboxDocker, PruneRemovesOnlyContainersOfDeadRunsOnThisMachine) {
  const std::string dead(64, 'a'), alive(64, 'b'), elsewhere(64, 'c'), unlabelled(64, 'd');
  const std::string no_such_pid = "999999999";  // above any Linux pid_max
  for (const bool dry_run : {false, true}) {
    DockerStub stub;
    auto runner = std::make_shared<RecordingRunner>();
    runner->respond = [&](const Args& args) {
      if (args[0] == "ps")
        return answer(0, dead + "\n" + alive + "\n" + elsewhere + "\n" + unlabelled + "\n");
      if (args[0] == "inspect") {
        return answer(0, inspect_line(dead, no_such_pid, this_host()) +
                             inspect_line(alive, std::to_string(::getpid()), this_host()) +
                             inspect_line(elsewhere, no_such_pid, "another-ci-runner") +
                             inspect_line(unlabelled, "<no value>", this_host()));
      }
      return RecordingRunner::scripted(args);
    };
    Options options;
    options.docker = stub.path();
    options.runner = runner;
    const auto result = prune_docker(options, dry_run);
    ASSERT_EQ(1u, result.removed.size());
    EXPECT_EQ(dead, result.removed[0].id);
    EXPECT_EQ("pgdrift-aaaaaaaaaaaa", result.removed[0].name);
    EXPECT_EQ(999999999, result.removed[0].pid);
    EXPECT_EQ(3u, result.kept.size());
    const auto lines = runner->lines();
    EXPECT_EQ("ps -a -q --no-trunc --filter label=pgdrift=1", lines.at(0));
    EXPECT_EQ(
        "inspect --type container --format {{.Id}}\t{{.Name}}\t{{index .Config.Labels "
        "\"pgdrift.run\"}}\t"
        "{{index .Config.Labels \"pgdrift.pid\"}}\t{{index .Config.Labels \"pgdrift.host\"}}\t"
        "{{.State.Status}} " +
            dead + " " + alive + " " + elsewhere + " " + unlabelled,
        lines.at(1));
    if (dry_run) {
      EXPECT_EQ(2u, lines.size());
    } else {
      ASSERT_EQ(3u, lines.size());
      EXPECT_EQ("rm -f -v " + dead, lines[2]);
    }
  }
}

TEST(SandboxDocker, ImageAndVersionFollowPostgresVersionAndImage) {
  const struct {
    std::string version, image, expected_image, expected_major;
  } cases[] = {
      {"", "", std::string("postgres:") + k_docker_default_version, k_docker_default_version},
      {"15", "", "postgres:15", "15"},
      {"", "ghcr.io/acme/postgres-postgis:16", "ghcr.io/acme/postgres-postgis:16", ""},
      {"16", "ghcr.io/acme/postgres-postgis:16", "ghcr.io/acme/postgres-postgis:16", "16"},
  };
  for (const auto& c : cases) {
    Options options;
    options.postgres_version = c.version;
    options.image = c.image;
    EXPECT_EQ(c.expected_image, docker_image(options)) << c.version << " " << c.image;
    EXPECT_EQ(c.expected_major, docker_expected_major(options)) << c.version << " " << c.image;
  }
}

TEST(SandboxDocker, ServerVersionMustBeTheMajorAskedFor) {
  EXPECT_NO_THROW(check_docker_server_version("16.4", "16", "postgres:16"));
  EXPECT_NO_THROW(check_docker_server_version("15.18", "", "acme/pg"));
  try {
    check_docker_server_version("15.18", "16", "acme/pg:latest");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    EXPECT_EQ("the image acme/pg:latest runs PostgreSQL 15.18, but PostgreSQL 16 was asked for",
              std::string(e.what()));
    EXPECT_NE(std::string::npos, e.hint().find("postgres.image")) << e.hint();
  }
}

TEST(SandboxDocker, AutoPicksDockerWhenNoLocalServerOfTheVersionExists) {
  DockerStub stub;
  Options options;
  options.backend = "auto";
  options.postgres_version = "98";  // no machine has it installed
  options.env = {{"PATH", stub.dir()}};
  const auto backend = make_backend(options);
  EXPECT_EQ("docker", backend->kind());
  EXPECT_EQ("postgres:98", dynamic_cast<DockerBackend&>(*backend).image());

  options.env = {{"PATH", "/nonexistent"}};
  options.server_url = "postgresql://u@db.example:5432/postgres";
  EXPECT_EQ("server", make_backend(options)->kind()) << "no docker CLI: the server URL is next";
}

TEST(SandboxDocker, MissingCliIsAnInfrastructureErrorSayingWhatToInstall) {
  Options options;
  options.backend = "docker";
  options.docker = "/nonexistent/docker";
  try {
    make_backend(options);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
    EXPECT_EQ("the docker CLI '/nonexistent/docker' was not found (or is not executable)",
              std::string(e.what()));
    EXPECT_NE(std::string::npos, e.hint().find("install Docker")) << e.hint();
    EXPECT_NE(std::string::npos, e.hint().find("--docker podman")) << e.hint();
    EXPECT_NE(std::string::npos, e.hint().find("--backend local")) << e.hint();
  }
  try {
    prune_docker(options, false);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(ExitCode::infrastructure, e.exit_code());
  }
}

}  // namespace
}  // namespace pgdrift::sandbox
