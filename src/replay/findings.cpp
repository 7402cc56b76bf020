#include <algorithm>
#include <map>

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

// Where to get an extension the sandbox's server lacks: a Debian package ("%s" = the major
// version) and an image for the docker backend ("%s" likewise), for the ones migrations use most.
struct ExtensionSource {
  const char* package;
  const char* image;
};
const std::map<std::string, ExtensionSource>& extension_sources() {
  static const std::map<std::string, ExtensionSource> k_sources = {
      {"postgis", {"postgresql-%s-postgis-3", "postgis/postgis:%s-3.4"}},
      {"postgis_topology", {"postgresql-%s-postgis-3", "postgis/postgis:%s-3.4"}},
      {"postgis_raster", {"postgresql-%s-postgis-3", "postgis/postgis:%s-3.4"}},
      {"postgis_tiger_geocoder", {"postgresql-%s-postgis-3", "postgis/postgis:%s-3.4"}},
      {"address_standardizer", {"postgresql-%s-postgis-3", "postgis/postgis:%s-3.4"}},
      {"vector", {"postgresql-%s-pgvector", "pgvector/pgvector:pg%s"}},
      {"timescaledb", {"timescaledb-2-postgresql-%s (Timescale's apt repository)", "timescale/timescaledb:latest-pg%s"}},
      {"pg_cron", {"postgresql-%s-cron", ""}},
      {"pgrouting", {"postgresql-%s-pgrouting", "pgrouting/pgrouting:%s-3.4-3.6"}},
      {"pg_partman", {"postgresql-%s-partman", ""}},
      {"pgaudit", {"postgresql-%s-pgaudit", ""}},
      {"hypopg", {"postgresql-%s-hypopg", ""}},
      {"h3", {"postgresql-%s-h3", ""}},
      {"pg_repack", {"postgresql-%s-repack", ""}},
      {"pg_hint_plan", {"postgresql-%s-pg-hint-plan", ""}},
  };
  return k_sources;
}

std::string with_version(const char* pattern, const std::string& major) {
  std::string out = pattern;
  const auto at = out.find("%s");
  if (at != std::string::npos) out.replace(at, 2, major);
  return out;
}

// 'extension "postgis" is not available' (DETAIL names the control file under
// /usr/share/postgresql/<major>/extension): the extension and the server's major version.
bool unavailable_extension(const db::ServerMessage& error, std::string& name, std::string& major) {
  const std::string prefix = "extension \"";
  const std::string suffix = "\" is not available";
  const auto& m = error.message;
  if (error.sqlstate != "0A000" || !util::starts_with(m, prefix) || !util::ends_with(m, suffix)) return false;
  name = m.substr(prefix.size(), m.size() - prefix.size() - suffix.size());
  major = "N";
  const auto marker = error.detail.find("/postgresql/");
  if (marker != std::string::npos) {
    const auto begin = marker + 12;
    const auto end = error.detail.find('/', begin);
    const std::string digits = error.detail.substr(begin, end == std::string::npos ? 0 : end - begin);
    if (!digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      major = digits;
    }
  }
  return true;
}

Finding extension_finding(Finding f, const std::string& name, const std::string& major) {
  f.rule = "replay/extension-unavailable";
  f.message = "extension " + name + " is not installed on the sandbox's PostgreSQL " + major +
              ": the migrations need it, so they cannot replay here";
  const auto known = extension_sources().find(name);
  if (known == extension_sources().end()) {
    f.hint = "install the package that provides " + name + " for PostgreSQL " + major +
             " where the sandbox runs (local backend; on Debian often postgresql-" + major + "-" + name +
             "), or replay on a server that has it (--backend docker --image …, or --backend server)";
    return f;
  }
  const std::string package = with_version(known->second.package, major);
  f.hint = "local backend: install " + package + " (apt-get install " + package.substr(0, package.find(' ')) + ")";
  if (*known->second.image != '\0') {
    f.hint += "; docker backend: --image " + with_version(known->second.image, major);
  }
  f.hint += "; or replay on a server that has it (--backend server --server-url …)";
  return f;
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
      std::string extension, major;
      if (unavailable_extension(*s.error, extension, major)) f = extension_finding(std::move(f), extension, major);
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
