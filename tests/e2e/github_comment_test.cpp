// `--github-comment` end to end: the built pgdrift talks HTTP to a fake GitHub API
// (tests/fixtures/fake-github/server.py, a real server on 127.0.0.1). The fake stands for
// api.github.com, a boundary these tests cannot reach; it keeps the comments in memory across
// pgdrift runs and logs every request. `lint` needs no Postgres, so these run everywhere.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pgdrift/util/process.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::string k_token = "ghs_e2eSecretToken0123456789";
const std::string k_users = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n";
const std::string k_drop = "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN email;\n";

// The fake API server, stopped when destroyed.
class FakeGitHub {
 public:
  FakeGitHub(const fs::path& dir, std::vector<std::string> options) : m_log(dir / "requests.jsonl") {
    util::ProcessSpec spec;
    spec.argv = {m_python, std::string(PGDRIFT_FIXTURES_DIR) + "/fake-github/server.py",
                 (dir / "port").string(), m_log.string()};
    spec.argv.insert(spec.argv.end(), options.begin(), options.end());
    spec.env = current_environment();
    spec.env["FAKE_GITHUB_TOKEN"] = k_token;
    spec.output_file = dir / "server.out";
    m_process.emplace(spec);
    for (int i = 0; i < 200 && !fs::exists(dir / "port"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    m_url = "http://127.0.0.1:" + slurp(dir / "port");
  }
  ~FakeGitHub() {
    if (m_process) m_process->stop(SIGTERM, std::chrono::seconds(2));
  }
  FakeGitHub(const FakeGitHub&) = delete;
  FakeGitHub& operator=(const FakeGitHub&) = delete;

  const std::string& url() const { return m_url; }
  // The requests since the last call, as "METHOD /path" lines, and their JSON bodies.
  std::vector<json> take_requests() {
    std::vector<json> out;
    const std::string text = slurp(m_log);
    std::size_t start = m_read;
    for (auto end = text.find('\n', start); end != std::string::npos; end = text.find('\n', start)) {
      out.push_back(json::parse(text.substr(start, end - start)));
      start = end + 1;
    }
    m_read = start;
    return out;
  }
  static std::string lines(const std::vector<json>& requests) {
    std::string out;
    for (const auto& r : requests) out += r["method"].get<std::string>() + " " + r["path"].get<std::string>() + "\n";
    return out;
  }

  static std::optional<std::string> python() {
    return util::find_executable("python3", std::getenv("PATH") ? std::getenv("PATH") : "");
  }

 private:
  std::string m_python = python().value_or("python3");
  fs::path m_log;
  std::size_t m_read = 0;
  std::string m_url;
  std::optional<util::Process> m_process;
};

class GitHubComment : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FakeGitHub::python()) {
      if (std::getenv("CI") != nullptr) FAIL() << "python3 is needed for the fake GitHub API (ci/install-deps)";
      GTEST_SKIP() << "python3 is not installed: no fake GitHub API";
    }
    tree.write("event-pr.json", R"({"action": "synchronize", "number": 7, "pull_request": {"number": 7}})");
    tree.write("event-push.json", R"({"ref": "refs/heads/main", "commits": []})");
  }

  // A GitHub Actions step's environment for a pull_request run, with the API at `api_url`.
  Environment github_env(const std::string& api_url) const {
    auto env = e2e_environment();
    for (const char* proxy : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) env.erase(proxy);
    env["GITHUB_ACTIONS"] = "true";
    env["GITHUB_TOKEN"] = k_token;
    env["GITHUB_REPOSITORY"] = "acme/shop";
    env["GITHUB_EVENT_NAME"] = "pull_request";
    env["GITHUB_EVENT_PATH"] = tree / "event-pr.json";
    env["GITHUB_API_URL"] = api_url;
    env["GITHUB_SERVER_URL"] = "https://github.example";
    env["GITHUB_RUN_ID"] = "4242";
    env["GITHUB_STEP_SUMMARY"] = tree / "summary.md";
    env.erase("GITHUB_OUTPUT");
    return env;
  }

  util::RunResult lint(const std::string& dir, const Environment& env, std::vector<std::string> extra = {}) {
    fs::remove(tree.path() / "summary.md");
    std::vector<std::string> args = {"lint", dir, "--github-comment"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto result = run_pgdrift(args, tree.path(), env, std::chrono::minutes{1});
    EXPECT_EQ(std::string::npos, result.output.find(k_token)) << "the token was printed:\n" << result.output;
    return result;
  }

  TempTree tree{{"bad/V1__users.sql", k_users}, {"bad/V2__drop.sql", k_drop}, {"clean/V1__users.sql", k_users}};
};

TEST_F(GitHubComment, FirstRunPostsTheJobSummaryAndTheNextOneUpdatesItInPlace) {
  // 150 unrelated comments: the list has two pages and pgdrift must read both.
  FakeGitHub github(tree.path(), {"--seed", "150"});
  const auto env = github_env(github.url());

  const auto first = lint("bad", env);
  EXPECT_EQ(1, first.status.code) << first.output;  // the drop-column finding, as without the comment
  auto requests = github.take_requests();
  EXPECT_EQ(
      "GET /repos/acme/shop/issues/7/comments?per_page=100\n"
      "GET /repositories/1/issues/7/comments?per_page=100&page=2\n"
      "POST /repos/acme/shop/issues/7/comments\n",
      FakeGitHub::lines(requests));
  ASSERT_EQ(3u, requests.size());
  const std::string posted = json::parse(requests[2]["body"].get<std::string>())["body"];
  const std::string summary = slurp(tree.path() / "summary.md");
  ASSERT_NE("", summary);
  // The comment is the job summary, under the hidden marker, with a link to the run.
  EXPECT_EQ("<!-- pgdrift:comment -->\n" + summary, posted.substr(0, posted.find("\n<sub>pgdrift")))
      << posted;
  EXPECT_NE(std::string::npos, posted.find("[workflow run](https://github.example/acme/shop/actions/runs/4242)"));
  EXPECT_NE(std::string::npos, first.output.find("pgdrift: pull request comment posted: " + github.url() +
                                                 "/acme/shop/pull/7#issuecomment-1151\n"))
      << first.output;

  // The re-run finds its comment (on the second page) and edits it: no second comment.
  const auto second = lint("clean", env);
  EXPECT_EQ(0, second.status.code) << second.output;
  requests = github.take_requests();
  EXPECT_EQ(
      "GET /repos/acme/shop/issues/7/comments?per_page=100\n"
      "GET /repositories/1/issues/7/comments?per_page=100&page=2\n"
      "PATCH /repos/acme/shop/issues/comments/1151\n",
      FakeGitHub::lines(requests));
  ASSERT_EQ(3u, requests.size());
  const std::string patched = json::parse(requests[2]["body"].get<std::string>())["body"];
  EXPECT_EQ("<!-- pgdrift:comment -->\n" + slurp(tree.path() / "summary.md"),
            patched.substr(0, patched.find("\n<sub>pgdrift")));
  EXPECT_NE(posted, patched);
  EXPECT_NE(std::string::npos, second.output.find("pgdrift: pull request comment updated: ")) << second.output;

  // Another step with its own id gets a comment of its own, and leaves the first one alone.
  const auto other = lint("clean", env, {"--github-comment-id", "staging"});
  EXPECT_EQ(0, other.status.code) << other.output;
  requests = github.take_requests();
  ASSERT_EQ(3u, requests.size()) << FakeGitHub::lines(requests);
  EXPECT_EQ("POST", requests[2]["method"]);
  EXPECT_EQ(0u, json::parse(requests[2]["body"].get<std::string>())["body"].get<std::string>().find(
                    "<!-- pgdrift:comment id=staging -->\n"));
}

TEST_F(GitHubComment, AReadOnlyTokenIsAWarningNamingThePermissionAndTheExitCodeIsUnchanged) {
  FakeGitHub github(tree.path(), {"--forbid"});
  const auto env = github_env(github.url());
  using Case = std::pair<std::string, int>;  // tree, exit code without the comment
  for (const auto& [dir, code] : {Case{"bad", 1}, Case{"clean", 0}}) {
    const auto result = lint(dir, env);
    EXPECT_EQ(code, result.status.code) << result.output;
    EXPECT_NE(std::string::npos,
              result.output.find("::warning title=pgdrift::no pull request comment posted: GitHub answered 403 "
                                 "(Resource not accessible by integration (***)) to POST "
                                 "/repos/acme/shop/issues/7/comments: the workflow needs `permissions: "
                                 "pull-requests: write`"))
        << result.output;
    EXPECT_EQ("GET /repos/acme/shop/issues/7/comments?per_page=100\nPOST /repos/acme/shop/issues/7/comments\n",
              FakeGitHub::lines(github.take_requests()));
  }
}

TEST_F(GitHubComment, OutsideAPullRequestNothingIsPostedAndANoticeSaysSo) {
  FakeGitHub github(tree.path(), {});
  auto env = github_env(github.url());
  env["GITHUB_EVENT_NAME"] = "push";
  env["GITHUB_EVENT_PATH"] = tree / "event-push.json";
  const auto result = lint("bad", env);
  EXPECT_EQ(1, result.status.code) << result.output;
  EXPECT_NE(std::string::npos,
            result.output.find("pgdrift: notice: no pull request comment posted: this run is not about a pull "
                               "request (a push event)\n"))
      << result.output;
  EXPECT_TRUE(github.take_requests().empty());
}

TEST_F(GitHubComment, AnUnreachableApiIsAWarningAndTheExitCodeIsUnchanged) {
  // Port 1 on the loopback: nothing listens there, the connection is refused at once.
  const auto result = lint("clean", github_env("http://127.0.0.1:1"));
  EXPECT_EQ(0, result.status.code) << result.output;
  EXPECT_NE(std::string::npos,
            result.output.find("::warning title=pgdrift::no pull request comment posted: GET "
                               "http://127.0.0.1:1/repos/acme/shop/issues/7/comments: "))
      << result.output;
}

TEST_F(GitHubComment, WithoutATokenTheWarningSaysHowToGiveOne) {
  FakeGitHub github(tree.path(), {});
  auto env = github_env(github.url());
  env.erase("GITHUB_TOKEN");
  const auto result = lint("clean", env);
  EXPECT_EQ(0, result.status.code) << result.output;
  EXPECT_NE(std::string::npos, result.output.find("GITHUB_TOKEN is not set: give the step `env: GITHUB_TOKEN: ${{ "
                                                  "github.token }}`"))
      << result.output;
  EXPECT_TRUE(github.take_requests().empty());
}

TEST_F(GitHubComment, ABadIdIsAUsageError) {
  const auto result = run_pgdrift({"lint", "clean", "--github-comment", "--github-comment-id", "a b"}, tree.path());
  EXPECT_EQ(2, result.status.code) << result.output;
  const auto alone = run_pgdrift({"lint", "clean", "--github-comment-id", "x"}, tree.path());
  EXPECT_EQ(2, alone.status.code) << alone.output;
}

}  // namespace
}  // namespace pgdrift::testing
