#include <chrono>

#include "pgdrift/replay/replay.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/redact.hpp"

namespace pgdrift::replay {

ReplayResult run_command(const db::ConnectionInfo& database, const CommandOptions& options) {
  util::ProcessSpec spec;
  spec.argv = options.argv;
  spec.env = options.env;
  spec.env["DATABASE_URL"] = database.url();
  spec.env["PGHOST"] = database.host;
  spec.env["PGPORT"] = database.port;
  spec.env["PGUSER"] = database.user;
  spec.env["PGDATABASE"] = database.dbname;
  if (!database.password.empty()) {
    spec.env["PGPASSWORD"] = database.password;
  } else {
    spec.env.erase("PGPASSWORD");
  }
  spec.cwd = options.cwd;

  const auto started = std::chrono::steady_clock::now();
  const auto run = util::run_process(spec, options.timeout);
  ReplayResult result;
  CommandResult command;
  command.argv = options.argv;
  command.exit_code = run.status.signal != 0 ? 128 + run.status.signal : run.status.code;
  command.timed_out = run.status.timed_out;
  // spec.env holds PGPASSWORD and the caller's CI secrets: none of them is shown.
  command.output = util::redact(run.output, spec.env);
  if (!database.password.empty()) {
    for (auto pos = command.output.find(database.password); pos != std::string::npos;
         pos = command.output.find(database.password, pos)) {
      command.output.replace(pos, database.password.size(), "***");
    }
  }
  command.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  result.duration_ms = command.duration_ms;
  result.command = std::move(command);
  return result;
}

}  // namespace pgdrift::replay
