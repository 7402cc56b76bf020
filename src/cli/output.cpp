#include "output.hpp"

#include <unistd.h>

#include <iostream>

#include "pgdrift/report/ci_formats.hpp"
#include "pgdrift/report/github_comment.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/file_write.hpp"
#include "pgdrift/util/http.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/signals.hpp"

namespace pgdrift::cli {

namespace {

bool is_process_stream(const std::ostream& stream) { return &stream == &std::cout || &stream == &std::cerr; }

// One $GITHUB_OUTPUT entry: "key=value", or GitHub's "key<<DELIMITER" form when the value holds
// a line break (a report path with a newline), so a value can never add outputs of its own.
std::string github_output_entry(const std::string& key, const std::string& value) {
  if (value.find_first_of("\r\n") == std::string::npos) return key + "=" + value + "\n";
  std::string delimiter = "pgdrift_output_end";
  while (value.find(delimiter) != std::string::npos) delimiter += "_";
  return key + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
}

report::GitHubOptions github_options(const ReplayFlags& flags) {
  report::GitHubOptions options;
  if (!flags.junit.empty()) options.report_paths["junit-path"] = flags.junit;
  if (!flags.sarif.empty()) options.report_paths["sarif-path"] = flags.sarif;
  if (!flags.gitlab.empty()) options.report_paths["gitlab-path"] = flags.gitlab;
  if (!flags.json.empty() && flags.json != "-") options.report_paths["json-path"] = flags.json;
  return options;
}

}  // namespace

void write_reports(const report::Report& report, const ReplayFlags& flags, const std::string& fallback_path, Io io) {
  // An interrupted run's lost connection is no finding: never write reports over a cleanup.
  util::defer_to_pending_termination();
  if (!flags.json.empty()) {
    const auto text = report::to_json(report);
    if (flags.json == "-") {
      io.out << text;
    } else {
      util::write_file_atomically(flags.json, text);
    }
  }
  if (!flags.junit.empty()) util::write_file_atomically(flags.junit, report::to_junit(report));
  if (!flags.sarif.empty()) util::write_file_atomically(flags.sarif, report::to_sarif(report));
  if (!flags.gitlab.empty()) util::write_file_atomically(flags.gitlab, report::to_gitlab_code_quality(report, fallback_path));
  if (flags.github || env_get(io.env, "GITHUB_ACTIONS").value_or("") == "true") {
    const auto options = github_options(flags);
    const auto github = report::to_github(report, options);
    // Workflow commands are read from stderr too: keep stdout a clean JSON document.
    (flags.json == "-" ? io.err : io.out) << github.commands;
    if (const auto summary = env_get(io.env, "GITHUB_STEP_SUMMARY"); summary && !summary->empty()) {
      util::append_to_file(*summary, github.summary);
    }
    if (const auto outputs = env_get(io.env, "GITHUB_OUTPUT"); outputs && !outputs->empty()) {
      std::string lines;
      for (const auto& [key, value] : github.outputs) lines += github_output_entry(key, value);
      util::append_to_file(*outputs, lines);
    }
  }
  if (flags.github_comment) {
    // The job summary's Markdown, posted last: whatever happens to the comment, the reports are
    // written, and it never changes the exit code (a failure is a warning line).
    const auto summary = report::to_github(report, github_options(flags)).summary;
    const auto http = util::make_http_client();
    const auto outcome = report::publish_comment(summary, flags.github_comment_id, io.env, *http);
    const bool workflow_commands = flags.github || env_get(io.env, "GITHUB_ACTIONS").value_or("") == "true";
    (flags.json == "-" ? io.err : io.out) << report::outcome_line(outcome, workflow_commands);
  }
}

void write_outputs(const report::Report& report, const CommonFlags& common, const ReplayFlags& flags,
                   const std::string& fallback_path, Io io) {
  util::defer_to_pending_termination();
  // With the JSON report on stdout, the human text goes to stderr so stdout stays parseable.
  std::ostream& text_out = flags.json == "-" ? io.err : io.out;
  const int fd = flags.json == "-" ? STDERR_FILENO : STDOUT_FILENO;
  const bool color = !common.no_color && is_process_stream(text_out) &&
                     report::use_color(fd, env_get(io.env, "NO_COLOR"), env_get(io.env, "TERM"));
  report::write_text(text_out, report, {color, common.verbose, common.quiet});
  write_reports(report, flags, fallback_path, io);
}

report::MigrationRow migration_row(const replay::MigrationResult& m) {
  report::MigrationRow row;
  row.version = m.migration->version;
  row.name = m.migration->name;
  row.file = m.migration->display_path;
  row.status = std::string(replay::to_string(m.status));
  row.in_transaction = m.in_transaction;
  row.transaction_note = m.transaction_note;
  row.duration_ms = m.duration_ms;
  for (const auto& s : m.statements) {
    row.statements.push_back(report::StatementRow{s.line, s.column, std::string(replay::to_string(s.status)),
                                                  s.duration_ms, s.command_tag});
  }
  return row;
}

bool interactive(const CommonFlags& common, const std::string& json, Io io) {
  return !common.quiet && json != "-" && is_process_stream(io.out) && isatty(STDOUT_FILENO) == 1 &&
         isatty(STDERR_FILENO) == 1;
}

void write_error_reports(report::Report& report, const Error& error, const ReplayFlags& flags,
                         const std::string& fallback_path, Io io) {
  report.error_exit_code = static_cast<int>(error.exit_code());
  report.error_message = util::redact(error.what());
  report.error_hint = util::redact(error.hint());
  try {
    write_reports(report, flags, fallback_path, io);
  } catch (const Error&) {
    // The write error replaces `error` as the one cli reports: say what stopped the run first.
    io.err << "pgdrift: error: " << report.error_message << "\n";
    throw;
  }
}

}  // namespace pgdrift::cli
