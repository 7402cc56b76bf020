// The pull request comment (--github-comment): finding the pull request, the marker, and the
// GET/POST/PATCH conversation with the API, against a recording fake of util::HttpClient.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "pgdrift/report/github_comment.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/version.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::report {
namespace {

using testing::TempTree;
using Kind = CommentOutcome::Kind;

const std::string k_token = "ghs_unit0test0token0value";

// Records every request and answers from a queue (a response, or an Error to throw).
class FakeHttp : public util::HttpClient {
 public:
  struct Answer {
    util::HttpResponse response;
    bool network_error = false;
  };
  util::HttpResponse send(const util::HttpRequest& request) override {
    requests.push_back(request);
    if (answers.empty()) throw infra_error("FakeHttp: no answer queued for " + request.method + " " + request.url);
    Answer answer = answers.front();
    answers.pop_front();
    if (answer.network_error) throw infra_error(request.method + " " + request.url + ": Couldn't connect to server");
    return answer.response;
  }
  void answer(long status, std::string body, std::map<std::string, std::string> headers = {}) {
    answers.push_back({util::HttpResponse{status, std::move(headers), std::move(body)}, false});
  }
  std::string log() const {
    std::string out;
    for (const auto& r : requests) out += r.method + " " + r.url + "\n";
    return out;
  }
  std::vector<util::HttpRequest> requests;
  std::deque<Answer> answers;
};

struct PullRequest {
  TempTree tree{{"event.json", R"({"action": "synchronize", "number": 7, "pull_request": {"number": 7}})"}};
  Environment env{{"GITHUB_TOKEN", k_token},
                  {"GITHUB_REPOSITORY", "acme/shop"},
                  {"GITHUB_EVENT_NAME", "pull_request"},
                  {"GITHUB_EVENT_PATH", tree / "event.json"},
                  {"GITHUB_API_URL", "https://api.example"},
                  {"GITHUB_SERVER_URL", "https://github.example"},
                  {"GITHUB_RUN_ID", "99"}};
};

TEST(PullRequestNumber, ComesFromThePullRequestOfTheEvent) {
  struct Case {
    const char* event;
    std::optional<long> number;
  };
  for (const auto& c : {
           Case{R"({"number": 5, "pull_request": {"number": 5, "title": "x"}})", 5},  // pull_request
           Case{R"({"pull_request": {"number": 12}, "action": "opened"})", 12},        // pull_request_target
           Case{R"({"ref": "refs/heads/main", "commits": []})", std::nullopt},         // push
           Case{R"({"issue": {"number": 3, "pull_request": {"url": "u"}}})", std::nullopt},  // issue_comment
           Case{R"({"pull_request": {"number": "5"}})", std::nullopt},
           Case{R"({"pull_request": {"number": 0}})", std::nullopt},
           Case{R"({"pull_request": null})", std::nullopt},
           Case{"not json", std::nullopt},
           Case{"", std::nullopt},
       }) {
    EXPECT_EQ(c.number, pull_request_number(c.event)) << c.event;
  }
}

TEST(CommentMarker, IsAHiddenLineNamingTheIdWhenGiven) {
  EXPECT_EQ("<!-- pgdrift:comment -->", comment_marker(""));
  EXPECT_EQ("<!-- pgdrift:comment id=migrations-staging.v2_x -->", comment_marker("migrations-staging.v2_x"));
  for (const char* bad : {"a b", "x-->", "<b>", "a\nb", "ü"}) EXPECT_THROW(comment_marker(bad), Error) << bad;
  EXPECT_THROW(comment_marker(std::string(65, 'a')), Error);
}

TEST(CommentMarker, MarksOnlyAFirstLineThatIsExactlyIt) {
  const std::string plain = comment_marker("");
  const std::string staging = comment_marker("staging");
  struct Case {
    std::string body, marker;
    bool marked;
  };
  for (const auto& c : {
           Case{plain + "\n## pgdrift verify\n", plain, true},
           Case{plain + "\r\n## pgdrift verify\r\n", plain, true},
           Case{plain, plain, true},
           Case{staging + "\nsummary", staging, true},
           Case{staging + "\nsummary", plain, false},       // another step's comment
           Case{plain + "\nsummary", staging, false},
           Case{"> " + plain + "\nquoted by a reviewer", plain, false},
           Case{"Looks good\n" + plain, plain, false},
           Case{plain + " and more\n", plain, false},
       }) {
    EXPECT_EQ(c.marked, is_marked(c.body, c.marker)) << c.body;
  }
}

TEST(CommentBody, IsTheMarkerTheSummaryAndALinkToTheRun) {
  EXPECT_EQ("<!-- pgdrift:comment -->\n## Summary\n\n<sub>pgdrift " + std::string(k_version) +
                " · [workflow run](https://g/r/actions/runs/1) · this comment is updated on every run</sub>\n",
            comment_body("<!-- pgdrift:comment -->", "## Summary\n", "https://g/r/actions/runs/1"));
  EXPECT_EQ("<!-- pgdrift:comment -->\n## Summary\n", comment_body("<!-- pgdrift:comment -->", "## Summary\n", ""));
}

TEST(CommentBody, ALongSummaryIsCutUnderGitHubsLimitWithItsCodeBlockAndDetailsClosed) {
  std::string summary = "## pgdrift verify\n\n<details><summary>fix</summary>\n\n```sql\n";
  while (summary.size() < 200000) summary += "DROP INDEX public.some_index_made_by_hand;\n";
  summary += "```\n</details>\n";
  const std::string body = comment_body("<!-- pgdrift:comment -->", summary, "https://g/r/actions/runs/1");
  EXPECT_LE(body.size(), 65536u);
  EXPECT_NE(std::string::npos, body.find("DROP INDEX public.some_index_made_by_hand;\n```\n</details>\n"));
  EXPECT_NE(std::string::npos, body.find("**Comment truncated** at GitHub's 65,536-character limit: the whole summary "
                                         "is in the [job summary](https://g/r/actions/runs/1)."));
}

TEST(PublishComment, CreatesTheCommentWhenThePullRequestHasNone) {
  PullRequest pr;
  FakeHttp http;
  http.answer(200, R"([{"id": 1, "body": "LGTM"}, {"id": 2, "body": "> <!-- pgdrift:comment -->\nquoted"}])");
  http.answer(201, R"({"id": 3, "html_url": "https://github.example/acme/shop/pull/7#issuecomment-3"})");
  const auto outcome = publish_comment("## Summary\n", "", pr.env, http);
  EXPECT_EQ(Kind::created, outcome.kind);
  EXPECT_EQ("pull request comment posted: https://github.example/acme/shop/pull/7#issuecomment-3", outcome.message);
  EXPECT_EQ(
      "GET https://api.example/repos/acme/shop/issues/7/comments?per_page=100\n"
      "POST https://api.example/repos/acme/shop/issues/7/comments\n",
      http.log());
  const auto& post = http.requests.back();
  EXPECT_EQ(0u, post.body.find(R"({"body":"<!-- pgdrift:comment -->\n## Summary\n)")) << post.body;
  EXPECT_NE(std::string::npos, post.body.find("https://github.example/acme/shop/actions/runs/99")) << post.body;
  for (const auto& r : http.requests) {
    EXPECT_LE(r.timeout.count(), 30000);
    bool authorized = false;
    for (const auto& [name, value] : r.headers) authorized |= name == "Authorization" && value == "Bearer " + k_token;
    EXPECT_TRUE(authorized) << r.url;
  }
}

TEST(PublishComment, UpdatesTheMarkedCommentFoundOnALaterPage) {
  PullRequest pr;
  FakeHttp http;
  http.answer(200, R"([{"id": 1, "body": "<!-- pgdrift:comment id=other -->\nanother step's"}])",
              {{"link", R"(<https://api.example/repositories/5/issues/7/comments?per_page=100&page=2>; rel="next", )"
                        R"(<https://api.example/repositories/5/issues/7/comments?per_page=100&page=3>; rel="last")"}});
  http.answer(200, R"([{"id": 41, "body": "<!-- pgdrift:comment -->\nold summary"}, {"id": 42, "body": "x"}])",
              {{"link", R"(<https://api.example/repositories/5/issues/7/comments?per_page=100&page=1>; rel="prev")"}});
  http.answer(200, R"({"id": 41, "html_url": "https://github.example/acme/shop/pull/7#issuecomment-41"})");
  const auto outcome = publish_comment("## New summary\n", "", pr.env, http);
  EXPECT_EQ(Kind::updated, outcome.kind) << outcome.message;
  EXPECT_EQ(
      "GET https://api.example/repos/acme/shop/issues/7/comments?per_page=100\n"
      "GET https://api.example/repositories/5/issues/7/comments?per_page=100&page=2\n"
      "PATCH https://api.example/repos/acme/shop/issues/comments/41\n",
      http.log());
  EXPECT_NE(std::string::npos, http.requests.back().body.find("## New summary")) << http.requests.back().body;
}

TEST(PublishComment, AnIdKeepsACommentOfItsOwn) {
  PullRequest pr;
  FakeHttp http;
  http.answer(200, R"([{"id": 1, "body": "<!-- pgdrift:comment -->\nthe default step's"}])");
  http.answer(201, R"({"id": 2, "html_url": "h"})");
  EXPECT_EQ(Kind::created, publish_comment("s\n", "staging", pr.env, http).kind);
  EXPECT_EQ(0u, http.requests.back().body.find(R"({"body":"<!-- pgdrift:comment id=staging -->\ns\n)"));
}

TEST(PublishComment, NeverFollowsAPageLinkToAnotherHost) {
  PullRequest pr;
  FakeHttp http;
  http.answer(200, "[]", {{"link", R"(<https://evil.example/steal?page=2>; rel="next")"}});
  const auto outcome = publish_comment("s\n", "", pr.env, http);
  EXPECT_EQ(Kind::failed, outcome.kind);
  EXPECT_EQ("no pull request comment posted: the comments list's next page is not under https://api.example",
            outcome.message);
  EXPECT_EQ(1u, http.requests.size());
}

TEST(PublishComment, AForbiddenAnswerSaysWhichPermissionIsMissingWithoutTheToken) {
  PullRequest pr;
  FakeHttp http;
  http.answer(200, "[]");
  http.answer(403, R"({"message": "Resource not accessible by integration )" + k_token + R"("})");
  const auto outcome = publish_comment("s\n", "", pr.env, http);
  EXPECT_EQ(Kind::failed, outcome.kind);
  EXPECT_EQ(
      "no pull request comment posted: GitHub answered 403 (Resource not accessible by integration ***) to POST "
      "/repos/acme/shop/issues/7/comments: the workflow needs `permissions: pull-requests: write` (pull requests "
      "from forks get a read-only token: there no comment can be posted)",
      outcome.message);
  EXPECT_EQ("::warning title=pgdrift::" + outcome.message + "\n", outcome_line(outcome, true));
  EXPECT_EQ("pgdrift: warning: " + outcome.message + "\n", outcome_line(outcome, false));
}

TEST(PublishComment, NetworkAndServerFailuresAreFailedOutcomes) {
  PullRequest pr;
  {
    FakeHttp http;
    http.answers.push_back({{}, true});
    const auto outcome = publish_comment("s\n", "", pr.env, http);
    EXPECT_EQ(Kind::failed, outcome.kind);
    EXPECT_EQ("no pull request comment posted: GET https://api.example/repos/acme/shop/issues/7/comments?per_page=100: "
              "Couldn't connect to server",
              outcome.message);
  }
  {
    FakeHttp http;
    http.answer(502, "<html>bad gateway</html>");
    EXPECT_EQ("no pull request comment posted: GitHub answered 502 to GET /repos/acme/shop/issues/7/comments",
              publish_comment("s\n", "", pr.env, http).message);
  }
  {
    FakeHttp http;
    http.answer(401, R"({"message": "Bad credentials"})");
    EXPECT_EQ("no pull request comment posted: GitHub rejected GITHUB_TOKEN: 401 (Bad credentials) to GET "
              "/repos/acme/shop/issues/7/comments",
              publish_comment("s\n", "", pr.env, http).message);
  }
  {
    FakeHttp http;
    http.answer(200, R"({"not": "a list"})");
    EXPECT_EQ(Kind::failed, publish_comment("s\n", "", pr.env, http).kind);
  }
}

TEST(PublishComment, OutsideAPullRequestNothingIsSent) {
  PullRequest pr;
  pr.tree.write("push.json", R"({"ref": "refs/heads/main"})");
  auto env = pr.env;
  env["GITHUB_EVENT_PATH"] = pr.tree / "push.json";
  env["GITHUB_EVENT_NAME"] = "push";
  FakeHttp http;
  auto outcome = publish_comment("s\n", "", env, http);
  EXPECT_EQ(Kind::not_pull_request, outcome.kind);
  EXPECT_EQ("no pull request comment posted: this run is not about a pull request (a push event)", outcome.message);
  EXPECT_EQ("pgdrift: notice: " + outcome.message + "\n", outcome_line(outcome, true));

  env.erase("GITHUB_EVENT_PATH");
  outcome = publish_comment("s\n", "", env, http);
  EXPECT_EQ(Kind::not_pull_request, outcome.kind);
  EXPECT_TRUE(http.requests.empty());
}

TEST(PublishComment, WithoutATokenItSaysHowToGiveOne) {
  PullRequest pr;
  auto env = pr.env;
  env.erase("GITHUB_TOKEN");
  FakeHttp http;
  const auto outcome = publish_comment("s\n", "", env, http);
  EXPECT_EQ(Kind::failed, outcome.kind);
  EXPECT_NE(std::string::npos, outcome.message.find("GITHUB_TOKEN is not set: give the step `env: GITHUB_TOKEN: ${{ "
                                                    "github.token }}`, and the workflow needs `permissions: "
                                                    "pull-requests: write`"))
      << outcome.message;
  EXPECT_TRUE(http.requests.empty());

  env = pr.env;
  env["GITHUB_REPOSITORY"] = "acme/shop/../x";
  EXPECT_EQ(Kind::failed, publish_comment("s\n", "", env, http).kind);
  EXPECT_TRUE(http.requests.empty());
}

TEST(PublishComment, DefaultsToGitHubComsApi) {
  PullRequest pr;
  auto env = pr.env;
  env.erase("GITHUB_API_URL");
  FakeHttp http;
  http.answer(200, "[]");
  http.answer(201, "{}");
  EXPECT_EQ(Kind::created, publish_comment("s\n", "", env, http).kind);
  EXPECT_EQ("https://api.github.com/repos/acme/shop/issues/7/comments?per_page=100", http.requests.front().url);
}

}  // namespace
}  // namespace pgdrift::report
