#include "output.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>

#include "pgdrift/util/error.hpp"

namespace pgdrift::cli {

namespace {

bool is_process_stream(const std::ostream& stream) { return &stream == &std::cout || &stream == &std::cerr; }

}  // namespace

void write_json(const std::string& json, const report::Report& report, std::ostream& out) {
  if (json.empty()) return;
  const auto text = report::to_json(report);
  if (json == "-") {
    out << text;
    return;
  }
  std::ofstream file(json, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) throw infra_error("cannot write the JSON report to " + json);
}

void write_outputs(const report::Report& report, const CommonFlags& common, const std::string& json, Io io) {
  // With the JSON report on stdout, the human text goes to stderr so stdout stays parseable.
  std::ostream& text_out = json == "-" ? io.err : io.out;
  const int fd = json == "-" ? STDERR_FILENO : STDOUT_FILENO;
  const bool color = !common.no_color && is_process_stream(text_out) &&
                     report::use_color(fd, env_get(io.env, "NO_COLOR"), env_get(io.env, "TERM"));
  report::write_text(text_out, report, {color, common.verbose, common.quiet});
  write_json(json, report, io.out);
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

}  // namespace pgdrift::cli
