#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/http.hpp"

namespace pgdrift::report {

// The hidden first line of pgdrift's pull request comment: "<!-- pgdrift:comment -->", or
// "<!-- pgdrift:comment id=ID -->" so several pgdrift steps of a workflow keep one comment each.
// Throws pgdrift::Error (usage) when `id` holds anything but letters, digits, '.', '_' and '-'.
std::string comment_marker(const std::string& id);

// Whether `body` is the comment `marker` marks: its first line is exactly the marker (a comment
// quoting it, or marked with another id, is not).
bool is_marked(std::string_view body, std::string_view marker);

// The comment: the marker line, then `summary` (the job summary's Markdown), cut at a line
// under GitHub's 65,536-character limit with its open code block and <details> closed and a
// note pointing to `run_url` (the workflow run, may be empty), then a footer linking the run.
std::string comment_body(const std::string& marker, const std::string& summary, const std::string& run_url);

// The pull request a GitHub event payload (the JSON file at GITHUB_EVENT_PATH) is about:
// `pull_request.number` (pull_request and pull_request_target events), else nullopt (push,
// schedule, … or a payload that is not JSON).
std::optional<long> pull_request_number(std::string_view event_json);

// What happened to the comment, as one line for the log.
struct CommentOutcome {
  enum class Kind {
    created,           // a new comment
    updated,           // the marked comment was edited in place
    not_pull_request,  // nothing to comment on (not a pull request event): a notice
    failed,            // the token, the permissions, the network or the API: a warning
  };
  Kind kind = Kind::failed;
  std::string message;  // what happened and, when failed, what to do; no secret, no line break
};

// Posts `summary` as pgdrift's comment on the pull request of this GitHub Actions run, or edits
// the comment marked with comment_marker(id) when the pull request has one (its comments are
// listed page by page, following the Link header). Reads GITHUB_TOKEN, GITHUB_REPOSITORY,
// GITHUB_EVENT_PATH, GITHUB_API_URL (default https://api.github.com), GITHUB_SERVER_URL and
// GITHUB_RUN_ID from `env`. Every request has a 20 s timeout. Never throws for the network or
// the API: that is a `failed` outcome whose message has the token masked.
CommentOutcome publish_comment(const std::string& summary, const std::string& id, const Environment& env,
                               util::HttpClient& http);

// `outcome` as the line pgdrift prints: a `::warning` workflow command when `workflow_commands`
// and the comment failed, else "pgdrift: …".
std::string outcome_line(const CommentOutcome& outcome, bool workflow_commands);

}  // namespace pgdrift::report
