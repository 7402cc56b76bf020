#pragma once

#include <string>

#include "commands.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/report/report.hpp"

namespace pgdrift::cli {

// Prints `report` as text (to stdout, or to stderr when the JSON goes to stdout; colour only on
// a terminal and without --no-color/NO_COLOR) and writes the JSON report when `json` names a
// file ("-" = stdout). Throws pgdrift::Error (infrastructure) when the file cannot be written.
void write_outputs(const report::Report& report, const CommonFlags& common, const std::string& json, Io io);

// Only the JSON report (for runs that stop with an error before there is text to show).
void write_json(const std::string& json, const report::Report& report, std::ostream& out);

// A replayed migration as the reports show it (with its statements).
report::MigrationRow migration_row(const replay::MigrationResult& result);

// Whether the text goes to a terminal that may show progress (docker pulls): not quiet, not
// JSON on stdout, and both stdout and stderr are terminals.
bool interactive(const CommonFlags& common, const std::string& json, Io io);

}  // namespace pgdrift::cli
