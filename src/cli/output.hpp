#pragma once

#include <string>

#include "commands.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/report/report.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::cli {

// Prints `report` as text (to stdout, or to stderr when the JSON goes to stdout; colour only on
// a terminal and without --no-color/NO_COLOR), then write_reports(). `fallback_path` is where
// findings without a file are attached in SARIF/Code Quality (the migrations directory, say).
void write_outputs(const report::Report& report, const CommonFlags& common, const ReplayFlags& flags,
                   const std::string& fallback_path, Io io);

// The machine-readable reports the flags ask for: JSON (`-` = stdout), JUnit, SARIF, GitLab Code
// Quality, and with --github (or GITHUB_ACTIONS=true) workflow commands on stdout, the job
// summary appended to $GITHUB_STEP_SUMMARY and outputs to $GITHUB_OUTPUT. Also called for runs
// that stop with exit 2 or 3, so CI always gets its files. With --github-comment, then the job
// summary is posted as the pull request comment (report::publish_comment); what happened is one
// line on the workflow commands' stream, and it never throws or changes the exit code. Report files are replaced whole
// (util::write_file_atomically); the GitHub files are appended to. Throws pgdrift::Error
// (infrastructure, exit 3) naming the file and the OS error when one cannot be written.
void write_reports(const report::Report& report, const ReplayFlags& flags, const std::string& fallback_path, Io io);

// For a run that stops with exit 2 or 3: records `error` in `report` (passwords redacted) and
// writes the machine-readable reports the flags ask for, so CI still gets its files. When one
// cannot be written, prints `error` to `io.err` and throws that write error (exit 3).
void write_error_reports(report::Report& report, const Error& error, const ReplayFlags& flags,
                         const std::string& fallback_path, Io io);

// A replayed migration as the reports show it (with its statements).
report::MigrationRow migration_row(const replay::MigrationResult& result);

// Whether the text goes to a terminal that may show progress (docker pulls): not quiet, not
// JSON on stdout, and both stdout and stderr are terminals.
bool interactive(const CommonFlags& common, const std::string& json, Io io);

}  // namespace pgdrift::cli
