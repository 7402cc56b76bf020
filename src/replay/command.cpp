#include <chrono>
#include <filesystem>
#include <thread>

#include "pgdrift/replay/capture.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/text.hpp"

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

namespace {

constexpr const char* k_capture_application = "pgdrift-capture";

}  // namespace

CommandCapture capture_command(sandbox::Backend& backend, const CommandOptions& options) {
  const auto log_file = backend.statement_log();
  if (log_file.empty()) {
    throw Error(Error::Kind::usage,
                "verify --command needs the local sandbox: the " + backend.kind() +
                    " backend keeps no statement log to capture the framework's statements from",
                "install the PostgreSQL server binaries and use --backend local (README \"Framework migrations\")");
  }
  const auto database = backend.create_database("framework");
  {
    auto admin = db::Connection::open(backend.admin(), k_capture_application);
    admin->execute("ALTER DATABASE " + db::quote_ident(database.dbname) + " SET log_statement = 'all'");
  }
  CommandCapture out;
  out.result = run_command(database, options);
  // The collector writes what the server sends it through a pipe: a marker statement of our own,
  // once it is in the file, says everything before it is too.
  const std::string marker =
      "pgdrift-capture-end-" + util::sha256_hex(database.dbname + std::to_string(options.argv.size())).substr(0, 16);
  {
    auto session = db::Connection::open(database, k_capture_application);
    session->execute("SELECT " + db::quote_literal(marker));
  }
  std::string csv;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    std::error_code ec;
    if (std::filesystem::exists(log_file, ec)) csv = util::read_file(log_file.string());
    if (csv.find(marker) != std::string::npos) break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw Error(Error::Kind::infrastructure,
                  "the sandbox server's statement log " + log_file.string() + " did not record pgdrift's marker",
                  "run again with --verbose; the server log explains what its logging collector did");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!out.result.command || out.result.command->exit_code != 0 || out.result.command->timed_out) return out;
  const auto captured = read_statement_log(csv, database.dbname, k_capture_application);
  out.capture = group_by_migration(committed_statements(captured), captured.size());
  return out;
}

}  // namespace pgdrift::replay
