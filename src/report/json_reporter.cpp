#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "pgdrift/report/report.hpp"

namespace pgdrift::report {

namespace {

using nlohmann::ordered_json;

double round_ms(double ms) { return std::round(ms * 1000.0) / 1000.0; }

ordered_json finding_json(const Finding& f) {
  ordered_json j;
  j["rule"] = f.rule;
  j["severity"] = std::string(to_string(f.severity));
  j["message"] = f.message;
  if (f.location) {
    j["file"] = f.location->file;
    if (f.location->line > 0) j["line"] = f.location->line;
    if (f.location->column > 0) j["column"] = f.location->column;
    if (f.location->end_line > 0) j["end_line"] = f.location->end_line;
    if (f.location->end_column > 0) j["end_column"] = f.location->end_column;
  }
  if (!f.object.empty()) j["object"] = f.object;
  if (!f.property.empty()) j["property"] = f.property;
  if (!f.target.empty()) j["target"] = f.target;
  if (!f.detail.empty()) j["detail"] = f.detail;
  if (!f.hint.empty()) j["hint"] = f.hint;
  if (!f.fix.empty()) j["fix"] = f.fix;
  return j;
}

}  // namespace

std::string to_json(const Report& given) {
  const Report report = without_secrets(given);
  ordered_json j;
  j["version"] = 1;
  j["tool"] = {{"name", "pgdrift"}, {"version", report.tool_version}};
  j["command"] = report.command;
  if (!report.migrations_dir.empty()) {
    j["migrations_dir"] = report.migrations_dir;
    j["format"] = report.format;
  } else if (!report.migrations_command.empty()) {
    j["migrations_command"] = report.migrations_command;
    j["format"] = report.format;
  }
  if (report.lint_pg_version != 0) j["lint_pg_version"] = report.lint_pg_version;
  if (!report.backend.empty()) {
    j["sandbox"] = {{"backend", report.backend}, {"server_version", report.server_version}};
  }
  ordered_json migrations = ordered_json::array();
  std::size_t applied = 0, failed = 0, skipped = 0, cached = 0;
  for (const auto& m : report.migrations) {
    ordered_json row;
    row["version"] = m.version;
    row["name"] = m.name;
    row["file"] = m.file;
    row["status"] = m.status;
    if (report.judged.present) row["judged"] = m.judged;
    row["in_transaction"] = m.in_transaction;
    if (!m.transaction_note.empty()) row["transaction_note"] = m.transaction_note;
    row["duration_ms"] = round_ms(m.duration_ms);
    ordered_json statements = ordered_json::array();
    for (const auto& s : m.statements) {
      statements.push_back({{"line", s.line},
                            {"column", s.column},
                            {"status", s.status},
                            {"duration_ms", round_ms(s.duration_ms)},
                            {"command_tag", s.command_tag}});
    }
    row["statements"] = std::move(statements);
    migrations.push_back(std::move(row));
    applied += m.status == "applied";
    failed += m.status == "failed";
    skipped += m.status == "skipped";
    cached += m.status == "cached";
  }
  j["migrations"] = std::move(migrations);
  if (report.judged.present) {
    const auto& judged = report.judged;
    ordered_json block;
    block["new"] = judged.new_files;
    block["history_count"] = judged.history_count;
    block["base"] = judged.narrowed ? ordered_json(judged.base) : ordered_json(nullptr);
    if (!judged.cache.empty()) block["cache"] = judged.cache;
    j["judged"] = std::move(block);
  }
  ordered_json findings = ordered_json::array();
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& f : report.findings) {
    findings.push_back(finding_json(f));
    ++counts[static_cast<int>(f.severity)];
  }
  j["findings"] = std::move(findings);
  if (report.error_exit_code != 0) {
    j["error"] = {{"message", report.error_message}, {"hint", report.error_hint},
                  {"exit_code", report.error_exit_code}};
  }
  j["summary"] = {{"migrations", std::max(report.migrations.size(), report.migrations_found)},
                  {"applied", applied},
                  {"failed", failed},
                  {"skipped", skipped},
                  {"cached", cached},
                  {"errors", counts[2]},
                  {"warnings", counts[1]},
                  {"notices", counts[0]},
                  {"fail_on", std::string(to_string(report.fail_on))},
                  {"exit_code", exit_code(report)},
                  {"duration_ms", round_ms(report.duration_ms)}};
  return j.dump(2) + "\n";
}

}  // namespace pgdrift::report
