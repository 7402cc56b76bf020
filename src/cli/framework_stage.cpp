#include "framework_stage.hpp"

#include <algorithm>

#include "drift_support.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "source.hpp"

namespace pgdrift::cli {

replay::CommandCapture capture_framework(const config::Config& cfg, Io io, bool verbose, bool interactive,
                                         report::Report& report) {
  auto options = sandbox_options(cfg, io.env, io.err, verbose);
  options.interactive = interactive;
  options.statement_log = true;
  auto backend = make_sandbox(options, cfg);
  if (backend->kind() != "local") {
    throw usage_error("--command needs the local sandbox: the " + backend->kind() +
                          " backend keeps no statement log to capture the framework's statements from",
                      "install the PostgreSQL server binaries and use --backend local (README \"Framework "
                      "migrations\")");
  }
  backend->start();
  report.backend = backend->kind();
  report.server_version = backend->server_version();
  report.migrations_command = util::join(cfg.migrations.command, " ");
  replay::CommandOptions command;
  command.argv = cfg.migrations.command;
  command.timeout = cfg.replay.command_timeout;
  command.env = io.env;
  auto captured = replay::capture_command(*backend, command);
  backend->stop();
  if (verbose && captured.result.command) io.err << captured.result.command->output;
  if (verbose) {
    const auto& c = captured.capture;
    io.err << "pgdrift: captured " << c.statements << " statements: " << c.migrations.size() << " migration"
           << (c.migrations.size() == 1 ? "" : "s") << " of " << (c.tool.empty() ? "an unknown framework" : c.tool)
           << "\n";
  }
  return captured;
}

bool capture_stage(VerifyRun& run) {
  auto captured = capture_framework(run.cfg, run.io, run.verbose, run.interactive, run.report);
  const auto& command = captured.result.command;
  if (!command || command->exit_code != 0 || command->timed_out) {
    auto found = replay::findings(captured.result);
    run.report.findings.insert(run.report.findings.end(), found.begin(), found.end());
    return false;
  }
  run.framework = std::move(captured.capture);
  // The framework runs every time anyway, and what it sends may differ from run to run (Knex
  // binds the time into its history rows): no replay-cache entries keyed by it.
  run.cfg.sandbox.replay_cache = false;
  auto& capture = *run.framework;
  run.discovery.format = migrations::Format::plain;
  run.discovery.migrations = capture.migrations;
  run.report.format = capture.tool.empty() ? "framework" : capture.tool;
  for (const auto& table : capture.history_tables) {
    auto& tables = run.introspection.history_tables;
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) tables.push_back(table);
  }
  if (capture.tool.empty() && !capture.migrations.empty()) {
    Finding f;
    f.rule = "replay/framework-not-recognized";
    f.severity = Severity::notice;
    f.message = "the command wrote no history table pgdrift knows (" + std::to_string(capture.statements) +
                " statements captured): they are judged as one migration";
    f.hint = "README \"Framework migrations\" lists the frameworks whose migrations pgdrift tells apart";
    run.report.findings.push_back(std::move(f));
  }
  return true;
}

std::vector<Finding> framework_history(db::Connection& connection, const replay::FrameworkCapture& capture,
                                       const std::string& target, std::vector<history::Entry>& entries,
                                       bool& found) {
  found = false;
  entries.clear();
  if (capture.tool.empty()) return {};
  const auto history = history::read_framework(connection, capture.tool);
  if (!history.found) {
    Finding f;
    f.rule = "history/no-history-table";
    f.severity = Severity::notice;
    f.target = target;
    f.message = target + " has no " + capture.tool + " history table (" + history.table + ")";
    f.hint = "a database migrated by another tool (or by hand) cannot be checked for pending migrations";
    return {f};
  }
  found = true;
  entries = history::compare_framework(capture.migrations, history, capture.tool);
  // The entries point into capture.migrations (the pseudo-migrations are never pending).
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const history::Entry& e) {
                                 return e.migration != nullptr && !e.version.empty() && e.version.front() == '(';
                               }),
                entries.end());
  return history_findings(entries, history, migrations::Format::plain, target);
}

void locate_captured(report::Report& report, const replay::FrameworkCapture& capture) {
  for (auto& row : report.migrations) {
    for (auto& statement : row.statements) {
      if (const auto* at = replay::statement_at(capture, row.file, statement.line)) {
        statement.line = static_cast<int>(at->ordinal);
        statement.column = 0;
      }
    }
  }
  auto& findings = report.findings;
  // The framework's own bookkeeping (its history table, written in the migration's transaction)
  // is not the application's migration: nothing is reported about it.
  findings.erase(std::remove_if(findings.begin(), findings.end(),
                                [&](const Finding& f) {
                                  if (!f.location || f.location->line <= 0) return false;
                                  const auto* at = replay::statement_at(capture, f.location->file, f.location->line);
                                  if (at == nullptr) return false;
                                  return at->framework_own || replay::names_history_table(capture, f.object);
                                }),
                 findings.end());
  for (auto& f : findings) {
    if (!f.location || f.location->line <= 0) continue;
    const auto* statement = replay::statement_at(capture, f.location->file, f.location->line);
    if (statement == nullptr) continue;
    const std::string& file = f.location->file;
    const auto colon = file.find(':');
    const std::string id = colon == std::string::npos ? file : file.substr(colon + 1);
    // "… took on table t at line 6" (a transcript line) names the statement instead.
    for (auto pos = f.message.find(" at line "); pos != std::string::npos; pos = f.message.find(" at line ", pos + 1)) {
      std::size_t end = pos + 9;
      int line = 0;
      while (end < f.message.size() && f.message[end] >= '0' && f.message[end] <= '9') {
        line = line * 10 + (f.message[end++] - '0');
      }
      const auto* earlier = end > pos + 9 ? replay::statement_at(capture, file, line) : nullptr;
      if (earlier != nullptr) {
        f.message.replace(pos, end - pos, " in statement " + std::to_string(earlier->ordinal));
      }
    }
    f.message += " (" + (capture.tool.empty() ? std::string("framework") : capture.tool) + " migration " + id +
                 ", statement " + std::to_string(statement->ordinal) + ")";
    std::string text = statement->text;
    if (text.size() > 400) text = text.substr(0, 400) + " …";
    f.detail = "statement " + std::to_string(statement->ordinal) + ": " + text + (f.detail.empty() ? "" : "\n" + f.detail);
    *f.location = Location{file, static_cast<int>(statement->ordinal), 0, 0, 0};
  }
}

}  // namespace pgdrift::cli
