#pragma once

// Private to cli: migrations written in a framework's language (migrations.command) for `verify`
// and `status`: the framework runs in a sandbox whose server logs what it sends, and its
// statements, cut into its migrations, stand in for migration files.

#include <string>
#include <vector>

#include "commands.hpp"
#include "pgdrift/history/history.hpp"
#include "pgdrift/replay/capture.hpp"
#include "verify_pipeline.hpp"

namespace pgdrift::cli {

// Runs cfg.migrations.command in a sandbox of its own (started with a statement log, stopped
// before returning) and captures what it sent. Throws pgdrift::Error like the sandbox and
// replay::capture_command.
replay::CommandCapture capture_framework(const config::Config& cfg, Io io, bool verbose, bool interactive,
                                         report::Report& report);

// Stage 0 of `verify --command`: the capture; its migrations become run.discovery, the
// framework's history tables are left out of the model. False when the command failed (its
// replay/command-failed finding is in the report and nothing else can be checked).
bool capture_stage(VerifyRun& run);

// A target's history of the framework `capture` found, compared with its migrations; findings
// say what is pending or unknown (history/no-history-table when the target has no such table).
std::vector<Finding> framework_history(db::Connection& connection, const replay::FrameworkCapture& capture,
                                       const std::string& target, std::vector<history::Entry>& entries,
                                       bool& found);

// Findings located at the framework's own statements (creating or writing its history table) or
// about its history tables are dropped. The others, located in a framework migration's
// transcript, point at the statement instead: line is
// the statement's 1-based ordinal among all the framework sent (column 0), the message names
// the migration and the statement, the detail holds the statement's text.
// The report's statement rows (report.migrations) get the ordinals too.
void locate_captured(report::Report& report, const replay::FrameworkCapture& capture);

}  // namespace pgdrift::cli
