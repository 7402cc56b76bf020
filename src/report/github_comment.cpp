#include "pgdrift/report/github_comment.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "ci_text.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"

namespace pgdrift::report {

namespace {

using json = nlohmann::json;

// GitHub refuses a comment body over 65,536 characters; bytes are counted here (never fewer).
constexpr std::size_t k_comment_limit = 65536;
constexpr std::size_t k_comment_room = 2048;  // the marker, closing fences and tags, the notes
constexpr std::size_t k_id_limit = 64;
constexpr std::size_t k_page_limit = 100;     // 100 comments a page: 10,000 comments looked at
constexpr std::chrono::milliseconds k_request_timeout{20000};
constexpr std::string_view k_default_api_url = "https://api.github.com";
constexpr std::string_view k_permission_hint =
    "the workflow needs `permissions: pull-requests: write` (pull requests from forks get a "
    "read-only token: there no comment can be posted)";

bool is_id_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
}

bool starts_fence(std::string_view line) {
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return util::starts_with(line, "```");
}

std::size_t count_of(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string_view::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

// `summary` cut at a line boundary so that it fits `limit` bytes, its open code block and
// <details> elements closed, so what is kept still renders.
std::string cut_summary(const std::string& summary, std::size_t limit) {
  const auto end = summary.rfind('\n', limit);
  std::string kept = summary.substr(0, end == std::string::npos ? 0 : end + 1);
  std::size_t fences = 0;
  for (const auto& line : util::split(kept, '\n')) fences += starts_fence(line) ? 1 : 0;
  if (fences % 2 == 1) kept += "```\n";
  const std::size_t opened = count_of(kept, "<details");
  const std::size_t closed = count_of(kept, "</details>");
  for (std::size_t i = closed; i < opened; ++i) kept += "</details>\n";
  return kept;
}

// Text for a one-line message: no control characters or line breaks.
std::string flat(std::string_view text) {
  std::string out = strip_control(text);
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\t', ' ');
  return out;
}

// Server text for a one-line message: flat(), at most 200 bytes.
std::string one_line(std::string_view text) {
  std::string out = flat(text);
  if (out.size() > 200) {
    std::size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // a whole character
    out = out.substr(0, cut) + "…";
  }
  return out;
}

// GitHub's error body is {"message": "…", "documentation_url": "…"}.
std::string api_message(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return one_line(parsed["message"].get<std::string>());
  }
  return {};
}

// The rel="next" URL of a Link header (RFC 8288, as GitHub writes it), or "".
std::string next_link(const std::string& header) {
  for (const auto& part : util::split(header, ',')) {
    const auto open = part.find('<');
    const auto close = part.find('>', open == std::string::npos ? 0 : open);
    if (open == std::string::npos || close == std::string::npos) continue;
    if (part.find("rel=\"next\"", close) != std::string::npos) return part.substr(open + 1, close - open - 1);
  }
  return {};
}

struct Failure {
  std::string message;
};

class Api {
 public:
  Api(std::string base, std::string token, util::HttpClient& http)
      : m_base(std::move(base)), m_token(std::move(token)), m_http(http) {}

  const std::string& base() const { return m_base; }

  // Sends a request to `url` (absolute, under the API); returns the response when its status is
  // `expected`, throws Failure saying what GitHub answered otherwise.
  util::HttpResponse call(const std::string& method, const std::string& url, long expected,
                          const std::string& body = {}) {
    util::HttpRequest request;
    request.method = method;
    request.url = url;
    request.timeout = k_request_timeout;
    request.headers = {{"Accept", "application/vnd.github+json"},
                       {"Authorization", "Bearer " + m_token},
                       {"X-GitHub-Api-Version", "2022-11-28"},
                       {"User-Agent", std::string("pgdrift/") + k_version}};
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body;
    }
    util::HttpResponse response;
    try {
      response = m_http.send(request);
    } catch (const Error& e) {
      throw Failure{"no pull request comment posted: " + flat(e.what())};
    }
    if (response.status == expected) return response;

    const std::string what = path_of(url);
    std::string answer = std::to_string(response.status);
    if (const auto message = api_message(response.body); !message.empty()) answer += " (" + message + ")";
    if (response.status == 401) {
      throw Failure{fmt::format("no pull request comment posted: GitHub rejected GITHUB_TOKEN: {} to {} {}",
                                answer, method, what)};
    }
    if (response.status == 403 || response.status == 404) {
      throw Failure{fmt::format("no pull request comment posted: GitHub answered {} to {} {}: {}", answer, method,
                                what, k_permission_hint)};
    }
    throw Failure{fmt::format("no pull request comment posted: GitHub answered {} to {} {}", answer, method, what)};
  }

 private:
  // The URL as messages show it: the path under the API, without the query.
  std::string path_of(const std::string& url) const {
    std::string path = util::starts_with(url, m_base) ? url.substr(m_base.size()) : url;
    return path.substr(0, path.find('?'));
  }

  std::string m_base;
  std::string m_token;
  util::HttpClient& m_http;
};

json parse_json(const util::HttpResponse& response, const std::string& what) {
  json parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) throw Failure{"no pull request comment posted: GitHub's answer to " + what + " is not JSON"};
  return parsed;
}

struct Marked {
  long long id = 0;
};

// The first comment of the pull request marked with `marker`, looking through every page.
std::optional<Marked> find_marked(Api& api, const std::string& comments_url, const std::string& marker) {
  std::string url = comments_url + "?per_page=100";
  for (std::size_t page = 0; page < k_page_limit && !url.empty(); ++page) {
    const auto response = api.call("GET", url, 200);
    const json comments = parse_json(response, "the comments list");
    if (!comments.is_array()) throw Failure{"no pull request comment posted: GitHub's comments list is not an array"};
    for (const auto& comment : comments) {
      if (!comment.is_object() || !comment.contains("body") || !comment["body"].is_string()) continue;
      if (!comment.contains("id") || !comment["id"].is_number_integer()) continue;
      if (is_marked(comment["body"].get<std::string>(), marker)) return Marked{comment["id"].get<long long>()};
    }
    const auto link = response.headers.find("link");
    url = link == response.headers.end() ? std::string() : next_link(link->second);
    // The next page must be the same API: the token goes with every request.
    if (!url.empty() && !util::starts_with(url, api.base() + "/")) {
      throw Failure{"no pull request comment posted: the comments list's next page is not under " + api.base()};
    }
  }
  return std::nullopt;
}

std::string html_url(const util::HttpResponse& response) {
  const json parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("html_url") && parsed["html_url"].is_string()) {
    return one_line(parsed["html_url"].get<std::string>());
  }
  return {};
}

std::string masked(const std::string& text, const std::string& token, const Environment& env) {
  std::string out = util::redact(text, env);
  for (auto pos = token.empty() ? std::string::npos : out.find(token); pos != std::string::npos;
       pos = out.find(token, pos + 3)) {
    out.replace(pos, token.size(), "***");
  }
  return out;
}

}  // namespace

std::string comment_marker(const std::string& id) {
  if (id.empty()) return "<!-- pgdrift:comment -->";
  if (id.size() > k_id_limit || !std::all_of(id.begin(), id.end(), is_id_char)) {
    throw usage_error(fmt::format("--github-comment-id must be letters, digits, '.', '_' and '-' (at most {} of "
                                  "them): got \"{}\"",
                                  k_id_limit, escape_control(id)),
                      "name the step or the job, e.g. --github-comment-id migrations-staging");
  }
  return "<!-- pgdrift:comment id=" + id + " -->";
}

bool is_marked(std::string_view body, std::string_view marker) {
  std::string_view first = body.substr(0, body.find('\n'));
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  return first == marker;
}

std::string comment_body(const std::string& marker, const std::string& summary, const std::string& run_url) {
  std::string body = marker + "\n";
  if (summary.size() + marker.size() + k_comment_room <= k_comment_limit) {
    body += summary;
  } else {
    body += cut_summary(summary, k_comment_limit - marker.size() - k_comment_room);
    body += run_url.empty()
                ? "\n**Comment truncated** at GitHub's 65,536-character limit: the whole summary is in the "
                  "workflow run's job summary.\n"
                : "\n**Comment truncated** at GitHub's 65,536-character limit: the whole summary is in the [job "
                  "summary](" + run_url + ").\n";
  }
  if (!run_url.empty()) {
    body += "\n<sub>pgdrift " + std::string(k_version) + " · [workflow run](" + run_url +
            ") · this comment is updated on every run</sub>\n";
  }
  return body;
}

std::optional<long> pull_request_number(std::string_view event_json) {
  const json event = json::parse(event_json.begin(), event_json.end(), nullptr, false);
  if (!event.is_object() || !event.contains("pull_request")) return std::nullopt;
  const auto& pr = event["pull_request"];
  if (!pr.is_object() || !pr.contains("number") || !pr["number"].is_number_integer()) return std::nullopt;
  const auto number = pr["number"].get<long long>();
  if (number <= 0) return std::nullopt;
  return static_cast<long>(number);
}

CommentOutcome publish_comment(const std::string& summary, const std::string& id, const Environment& env,
                               util::HttpClient& http) {
  using Kind = CommentOutcome::Kind;
  const std::string token = env_get(env, "GITHUB_TOKEN").value_or("");
  auto outcome = [&](Kind kind, const std::string& message) { return CommentOutcome{kind, masked(message, token, env)}; };

  const std::string event_path = env_get(env, "GITHUB_EVENT_PATH").value_or("");
  if (event_path.empty()) {
    return outcome(Kind::not_pull_request,
                   "no pull request comment posted: GITHUB_EVENT_PATH is not set (not a GitHub Actions run)");
  }
  std::string event_text;
  try {
    event_text = util::read_file(event_path);
  } catch (const Error& e) {
    return outcome(Kind::failed, "no pull request comment posted: cannot read the event: " + flat(e.what()));
  }
  const auto number = pull_request_number(event_text);
  if (!number) {
    const std::string event = env_get(env, "GITHUB_EVENT_NAME").value_or("");
    return outcome(Kind::not_pull_request,
                   "no pull request comment posted: this run is not about a pull request" +
                       (event.empty() ? std::string() : " (a " + one_line(event) + " event)"));
  }
  const std::string repository = env_get(env, "GITHUB_REPOSITORY").value_or("");
  const auto slash = repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == repository.size() ||
      !std::all_of(repository.begin(), repository.end(), [](char c) { return is_id_char(c) || c == '/'; }) ||
      repository.find('/', slash + 1) != std::string::npos) {
    return outcome(Kind::failed, "no pull request comment posted: GITHUB_REPOSITORY is not OWNER/NAME (got \"" +
                                     one_line(repository) + "\")");
  }
  if (token.empty()) {
    return outcome(Kind::failed,
                   "no pull request comment posted: GITHUB_TOKEN is not set: give the step `env: GITHUB_TOKEN: ${{ "
                   "github.token }}`, and " + std::string(k_permission_hint));
  }
  std::string api_url = env_get(env, "GITHUB_API_URL").value_or("");
  if (api_url.empty()) api_url = k_default_api_url;
  while (!api_url.empty() && api_url.back() == '/') api_url.pop_back();

  std::string run_url;
  const std::string server = env_get(env, "GITHUB_SERVER_URL").value_or("");
  const std::string run_id = env_get(env, "GITHUB_RUN_ID").value_or("");
  if (!server.empty() && !run_id.empty()) run_url = one_line(server) + "/" + repository + "/actions/runs/" + one_line(run_id);

  Api api(api_url, token, http);
  const std::string marker = comment_marker(id);
  const std::string body = json{{"body", comment_body(marker, summary, run_url)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string repo_url = api_url + "/repos/" + repository;
  try {
    if (const auto existing = find_marked(api, fmt::format("{}/issues/{}/comments", repo_url, *number), marker)) {
      const auto response = api.call("PATCH", fmt::format("{}/issues/comments/{}", repo_url, existing->id), 200, body);
      return outcome(Kind::updated, "pull request comment updated: " + html_url(response));
    }
    const auto response = api.call("POST", fmt::format("{}/issues/{}/comments", repo_url, *number), 201, body);
    return outcome(Kind::created, "pull request comment posted: " + html_url(response));
  } catch (const Failure& failure) {
    return outcome(Kind::failed, failure.message);
  }
}

std::string outcome_line(const CommentOutcome& outcome, bool workflow_commands) {
  switch (outcome.kind) {
    case CommentOutcome::Kind::created:
    case CommentOutcome::Kind::updated:
      return "pgdrift: " + outcome.message + "\n";
    case CommentOutcome::Kind::not_pull_request:
      return "pgdrift: notice: " + outcome.message + "\n";
    case CommentOutcome::Kind::failed:
      break;
  }
  if (!workflow_commands) return "pgdrift: warning: " + outcome.message + "\n";
  // Workflow command data: the runner decodes %25, %0D and %0A; the message has no line break.
  std::string data;
  for (const char c : outcome.message) data += c == '%' ? std::string("%25") : std::string(1, c);
  return "::warning title=pgdrift::" + data + "\n";
}

}  // namespace pgdrift::report
