#include <algorithm>

#include "pgdrift/replay/replay.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::replay {

namespace {

Location locate(const migrations::Migration& migration, std::size_t offset, std::size_t end) {
  const auto start = util::line_col(migration.source, offset);
  const auto stop = util::line_col(migration.source, std::max(end, offset));
  return Location{migration.display_path, start.line, start.column, stop.line, stop.column};
}

std::string detail_of(const db::ServerMessage& m) {
  std::vector<std::string> parts;
  if (!m.detail.empty()) parts.push_back(m.detail);
  if (!m.context.empty()) parts.push_back("context: " + m.context);
  if (!m.sqlstate.empty()) parts.push_back("SQLSTATE " + m.sqlstate);
  return util::join(parts, "\n");
}

std::string hint_of(const db::ServerMessage& m) {
  if (m.sqlstate == "57014") {
    return "the statement ran past the replay statement timeout; raise replay.statement_timeout "
           "(--statement-timeout) if it is expected to be slow";
  }
  if (m.sqlstate == "25001") {
    return "this statement cannot run inside a transaction block: put it in a migration of its own, "
           "or mark the migration as non-transactional in your tool's way";
  }
  return m.hint;
}

}  // namespace

std::vector<Finding> findings(const ReplayResult& result) {
  std::vector<Finding> out;
  for (const auto& m : result.migrations) {
    for (const auto& s : m.statements) {
      for (const auto& notice : s.notices) {
        if (notice.severity != "WARNING") continue;
        Finding f;
        f.rule = "replay/server-warning";
        f.severity = Severity::warning;
        f.message = notice.message;
        f.location = locate(*m.migration, s.begin, s.end);
        f.detail = detail_of(notice);
        f.hint = notice.hint;
        out.push_back(std::move(f));
      }
      if (s.status != Status::failed || !s.error) continue;
      Finding f;
      f.rule = "replay/statement-failed";
      f.severity = Severity::error;
      f.message = s.error->message;
      f.location = locate(*m.migration, s.error_offset, s.end);
      f.detail = detail_of(*s.error);
      f.hint = hint_of(*s.error);
      // A syntax error in a statement that still holds a template placeholder: the placeholder is
      // what to fix (a value pgdrift was not given), not the SQL.
      const auto left = migrations::unresolved_placeholders(m.migration->source, s.begin, s.end);
      const auto at_error = std::find_if(left.begin(), left.end(), [&](const migrations::UnresolvedPlaceholder& p) {
        return p.offset <= s.error_offset && s.error_offset < p.offset + p.length;
      });
      if (s.error->sqlstate == "42601" && at_error != left.end()) {
        const auto& p = *at_error;
        const std::string written = m.migration->source.substr(p.offset, p.length);
        f.message = "placeholder " + written + " has no value, so PostgreSQL saw it as SQL: " + s.error->message;
        f.location = locate(*m.migration, p.offset, p.offset + p.length);
        f.hint = "pass --var " + p.name + "=VALUE (or set migrations.vars." + p.name +
                 " in pgdrift.yml) with the value your migration tool fills in";
      }
      out.push_back(std::move(f));
    }
  }
  if (result.command && (result.command->exit_code != 0 || result.command->timed_out)) {
    Finding f;
    f.rule = "replay/command-failed";
    f.severity = Severity::error;
    f.message = "migration command `" + util::join(result.command->argv, " ") + "` " +
                (result.command->timed_out ? "timed out"
                                           : "failed with exit code " + std::to_string(result.command->exit_code));
    f.detail = util::last_lines(result.command->output, 20);
    f.hint = result.command->timed_out
                 ? "raise replay.command_timeout if the command is expected to take longer"
                 : "the command's output above says why; run it against a scratch database to reproduce";
    out.push_back(std::move(f));
  }
  sort_findings(out);
  return out;
}

}  // namespace pgdrift::replay
