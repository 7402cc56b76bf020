#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/util/error.hpp"

namespace pgdrift::db {

// Where a Postgres database is. Parsed from a URL or keyword/value string; rendered back
// either way. `host` may be a unix-socket directory.
struct ConnectionInfo {
  std::string host;
  std::string port;
  std::string user;
  std::string password;
  std::string dbname;
  std::map<std::string, std::string> options;  // any other libpq keywords (sslmode, …)
  // pgdrift's own `-c name=value` settings, sent with the user's `options` at connection start
  // (so they hold for the whole session, also behind a pooler); never shown by url().
  std::string session_options;

  // Parses "postgres://…", "postgresql://…" or "key=value …". Throws pgdrift::Error (usage).
  static ConnectionInfo parse(const std::string& text);
  // libpq keyword/value form, values quoted as needed.
  std::string conninfo() const;
  // postgresql:// URL form (a socket directory goes in a host= query parameter).
  std::string url() const;
  // url() with the password masked: safe to print.
  std::string redacted_url() const;
  // A copy naming another database.
  ConnectionInfo with_dbname(const std::string& name) const;
};

// An error, warning or notice sent by the server.
struct ServerMessage {
  std::string severity;  // "ERROR", "WARNING", "NOTICE", … (not localized)
  std::string sqlstate;  // five characters, e.g. "42P01"
  std::string message;
  std::string detail;
  std::string hint;
  std::string context;
  std::size_t position = 0;  // 1-based code-point position in the statement sent; 0 = none
};

// A query result as text: NULL is nullopt.
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::size_t size() const { return rows.size(); }
  // The value at row `r`, column named `column`; throws std::out_of_range when absent.
  const std::optional<std::string>& at(std::size_t r, const std::string& column) const;
};

// The outcome of one statement sent with execute().
struct Execution {
  bool ok = false;
  std::optional<ServerMessage> error;  // set when !ok
  std::vector<ServerMessage> notices;  // warnings/notices raised while it ran
  std::string command_tag;             // e.g. "CREATE TABLE"
  Rows rows;
};

// A query cancelled by lock_timeout (SQLSTATE 55P03): another session holds a lock it waited
// for. An infrastructure error that callers may retry.
class LockNotAvailable : public Error {
 public:
  explicit LockNotAvailable(std::string message) : Error(Kind::infrastructure, std::move(message)) {}
};

// One session with a Postgres server (libpq). Not copyable or movable: hold by unique_ptr.
class Connection {
 public:
  // Connects; throws pgdrift::Error (infrastructure) naming the redacted URL on failure.
  static std::unique_ptr<Connection> open(const ConnectionInfo& info,
                                          const std::string& application_name,
                                          std::chrono::seconds connect_timeout = std::chrono::seconds{10});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends `sql` as one simple-protocol query. A server error is returned, not thrown; a lost
  // connection throws pgdrift::Error (infrastructure).
  Execution execute(const std::string& sql);
  // Runs `sql` with text parameters $1…; throws pgdrift::Error (infrastructure) on any error.
  Rows query(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  // Parses `sql` once as the session's named prepared statement `name` (parameters $1…, their
  // types inferred by the server). Prepared statements outlive transactions, rolled back or not.
  // Throws pgdrift::Error (infrastructure) naming `name` on any error (invalid SQL, name in use).
  void prepare(const std::string& name, const std::string& sql);
  // Runs the prepared statement `name` with text parameters $1…; throws pgdrift::Error
  // (infrastructure) on any error, e.g. when no statement of that name exists.
  Rows query_prepared(const std::string& name, const std::vector<std::optional<std::string>>& params = {});
  // Drops the prepared statement `name` (DEALLOCATE); throws pgdrift::Error (infrastructure) on
  // any error, e.g. when none of that name exists.
  void deallocate(const std::string& name);
  // True when the session is inside a transaction block (or a failed one).
  bool in_transaction() const;
  // Server version as a number, e.g. 150004, and as text, e.g. "15.4".
  int server_version_num() const;
  std::string server_version() const;
  const ConnectionInfo& info() const { return m_info; }

 private:
  struct Impl;
  Connection(std::unique_ptr<Impl> impl, ConnectionInfo info);
  std::unique_ptr<Impl> m_impl;
  ConnectionInfo m_info;
};

// True when a server accepts connections at `info` (libpq's PQping); never throws.
bool server_accepts_connections(const ConnectionInfo& info);

// `name` quoted as an SQL identifier, `value` as a string literal.
std::string quote_ident(const std::string& name);
std::string quote_literal(const std::string& value);

}  // namespace pgdrift::db
