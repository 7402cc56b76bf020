// The sandbox setup: SQL files run in every sandbox database before the first migration.
#include "pgdrift/replay/setup.hpp"

#include <filesystem>
#include <set>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/replay/replay.hpp"
#include "pgdrift/sql/tree.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::replay {

namespace {

namespace fs = std::filesystem;

// "role \"anon\" already exists" on a CREATE ROLE.
constexpr const char* k_duplicate_object = "42710";

// A failing setup statement as a usage error: the setup is input, not a migration under test.
// The message and hint are those a replay finding would have (an unavailable extension names
// where to get it, a placeholder without value the --var to pass).
Error statement_error(const migrations::Migration& file, const sql::Statement& statement, const std::string& text,
                      db::ServerMessage error) {
  StatementResult row;
  row.begin = file.source_offset(statement.begin);
  row.end = file.source_offset(statement.end);
  row.status = Status::failed;
  row.error_offset = row.begin;
  if (error.position > 0) {
    row.error_offset = file.source_offset(statement.begin + util::byte_offset_of_char(text, error.position - 1));
  }
  row.error = std::move(error);
  ReplayResult result;
  MigrationResult migration;
  migration.migration = &file;
  migration.status = Status::failed;
  migration.statements.push_back(std::move(row));
  result.migrations.push_back(std::move(migration));
  for (const auto& f : findings(result)) {
    if (f.severity != Severity::error || !f.location) continue;
    std::string said = f.message;
    const std::string migrations_need = "the migrations need it, so they cannot replay here";
    if (const auto at = said.find(migrations_need); at != std::string::npos) {
      said.replace(at, migrations_need.size(), "the setup needs it");
    }
    std::string message = "setup " + f.location->file + ":" + std::to_string(f.location->line) + ":" +
                          std::to_string(f.location->column) + ": " + said;
    if (!f.detail.empty()) {
      std::string detail;
      for (const char c : f.detail) detail += c == '\n' ? std::string("\n  ") : std::string(1, c);
      message += "\n  detail: " + detail;
    }
    std::string hint = f.hint.empty() ? "fix the setup file: it runs in every sandbox database before the first "
                                        "migration (sandbox.setup in pgdrift.yml, --setup)"
                                      : f.hint;
    return usage_error(std::move(message), std::move(hint));
  }
  return usage_error("setup " + file.display_path + ": a statement failed");
}

// Where a statement of `file` begins, for messages.
std::string position(const migrations::Migration& file, const sql::Statement& statement) {
  const auto at = util::line_col(file.source, file.source_offset(statement.begin));
  return file.display_path + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

class SetupBackend : public sandbox::Backend {
 public:
  SetupBackend(std::unique_ptr<sandbox::Backend> inner, Setup setup, SetupOptions options)
      : m_inner(std::move(inner)), m_setup(std::move(setup)), m_options(std::move(options)) {}

  void start() override { m_inner->start(); }
  db::ConnectionInfo create_database(const std::string& purpose) override {
    auto database = m_inner->create_database(purpose);
    apply(database);
    return database;
  }
  db::ConnectionInfo admin() const override { return m_inner->admin(); }
  void stop() override { m_inner->stop(); }
  std::string kind() const override { return m_inner->kind(); }
  std::string description() const override { return m_inner->description(); }
  std::string server_version() const override { return m_inner->server_version(); }
  bool supports_snapshots() const override { return m_inner->supports_snapshots(); }
  std::optional<std::string> start_from_snapshot(const std::string& key) override {
    auto database = m_inner->start_from_snapshot(keyed(key));
    // The snapshot was saved after apply() ran in its database: roles and the rest are there.
    if (database) m_cluster_done = true;
    return database;
  }
  std::string save_snapshot(const std::string& key, const std::string& database) override {
    return m_inner->save_snapshot(keyed(key), database);
  }
  std::string wait_for_snapshot() override { return m_inner->wait_for_snapshot(); }
  std::filesystem::path statement_log() const override { return m_inner->statement_log(); }

 private:
  // The cache key of the same history on top of this setup.
  std::string keyed(const std::string& key) const {
    return util::sha256_hex(key + "\nsandbox setup " + m_setup.digest()).substr(0, key.size());
  }

  void log(const std::string& line) const {
    if (m_options.log) m_options.log(line);
  }

  void apply(const db::ConnectionInfo& database) {
    const bool whole = !m_cluster_done;
    // A server others use too: its roles outlive our scratch databases, and may predate them.
    const bool shared = m_inner->kind() == "server";
    auto connection = db::Connection::open(database, "pgdrift");
    const auto timeout = connection->execute("SET statement_timeout = " +
                                             std::to_string(m_options.statement_timeout.count()));
    if (!timeout.ok) throw infra_error("the sandbox refused `SET statement_timeout`: " + timeout.error->message);
    for (const auto& file : m_setup.files) {
      std::size_t ran = 0;
      std::size_t skipped = 0;
      for (const auto& statement : sql::split(file.up_sql)) {
        if (!whole && cluster_wide(statement)) {
          ++skipped;
          continue;
        }
        const std::string text(statement.text(file.up_sql));
        auto result = connection->execute(text);
        if (result.ok) {
          ++ran;
          continue;
        }
        if (shared && statement.node == "CreateRoleStmt" && result.error->sqlstate == k_duplicate_object &&
            !connection->in_transaction()) {
          log("setup: " + position(file, statement) + ": " + result.error->message +
              " on the server: kept as it is (roles are the server's, shared by every database)");
          continue;
        }
        throw statement_error(file, statement, text, std::move(*result.error));
      }
      if (connection->in_transaction()) {
        throw usage_error("setup " + file.display_path + ": leaves a transaction open",
                          "end it with COMMIT: a transaction a script leaves open is rolled back, as psql would "
                          "at its end");
      }
      log("setup: " + file.display_path + ": " + std::to_string(ran) + " statement" + (ran == 1 ? "" : "s") +
          " run in " + database.dbname +
          (skipped > 0 ? " (" + std::to_string(skipped) + " cluster-wide, run in the first database)" : ""));
    }
    if (whole && shared) {
      log("setup: roles the setup created stay on the server after the run (pgdrift drops only its scratch "
          "databases)");
    }
    m_cluster_done = true;
  }

  std::unique_ptr<sandbox::Backend> m_inner;
  Setup m_setup;
  SetupOptions m_options;
  bool m_cluster_done = false;  // the cluster-wide statements ran (or came with a snapshot)
};

}  // namespace

Setup Setup::load(const std::vector<std::string>& paths, const std::map<std::string, std::string>& vars) {
  const std::string hint =
      "check --setup and sandbox.setup in pgdrift.yml (relative to the directory of pgdrift.yml)";
  Setup setup;
  for (const auto& path : paths) {
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (!fs::exists(status)) throw usage_error("setup file " + path + ": no such file", hint);
    if (fs::is_directory(status)) throw usage_error("setup file " + path + ": is a directory, not an SQL file", hint);
    try {
      setup.files.push_back(migrations::load_file(path, vars));
    } catch (const Error& e) {
      if (e.kind() != Error::Kind::usage) throw;
      throw usage_error("setup file " + std::string(e.what()), e.hint());
    }
  }
  return setup;
}

std::string Setup::digest() const {
  if (files.empty()) return "";
  std::string text = "pgdrift sandbox setup v1\n";
  for (const auto& file : files) text += util::sha256_hex(file.up_sql) + "\n";
  return util::sha256_hex(text);
}

bool cluster_wide(const sql::Statement& statement) {
  static const std::set<std::string> k_nodes = {
      "CreateRoleStmt",      "AlterRoleStmt",      "AlterRoleSetStmt", "DropRoleStmt",
      "GrantRoleStmt",       "CreateTableSpaceStmt", "DropTableSpaceStmt", "AlterTableSpaceOptionsStmt",
      "CreatedbStmt",        "DropdbStmt",         "AlterSystemStmt"};
  if (k_nodes.count(statement.node) != 0) return true;
  if (statement.node != "RenameStmt" && statement.node != "CommentStmt") return false;
  const auto tree = sql::parse_tree(statement);
  const auto kind = tree[statement.node == "RenameStmt" ? "renameType" : "objtype"].str();
  return kind == "OBJECT_ROLE" || kind == "OBJECT_TABLESPACE" || kind == "OBJECT_DATABASE";
}

std::unique_ptr<sandbox::Backend> with_setup(std::unique_ptr<sandbox::Backend> backend, Setup setup,
                                             SetupOptions options) {
  if (setup.empty()) return backend;
  return std::make_unique<SetupBackend>(std::move(backend), std::move(setup), std::move(options));
}

}  // namespace pgdrift::replay
