#include "pgdrift/db/connection.hpp"

// libpq directly rather than libpqxx: libpqxx 6.4's sql_error keeps only the message and
// SQLSTATE, and pgdrift needs the error position (file:line:col), DETAIL, HINT and CONTEXT,
// plus notices with their fields. This file is the only one that includes libpq.
#include <libpq-fe.h>

#include <stdexcept>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"

namespace pgdrift::db {

namespace {

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

ServerMessage message_from(const PGresult* result) {
  ServerMessage m;
  m.severity = field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (m.severity.empty()) m.severity = field(result, PG_DIAG_SEVERITY);
  m.sqlstate = field(result, PG_DIAG_SQLSTATE);
  m.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
  m.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  m.hint = field(result, PG_DIAG_MESSAGE_HINT);
  m.context = field(result, PG_DIAG_CONTEXT);
  const std::string position = field(result, PG_DIAG_STATEMENT_POSITION);
  if (!position.empty()) m.position = static_cast<std::size_t>(std::stoul(position));
  return m;
}

std::string escape_conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string percent_encode(const std::string& value, bool keep_slash) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 0x0f]);
    }
  }
  return out;
}

Rows rows_from(const PGresult* result) {
  Rows rows;
  const int columns = PQnfields(result);
  const int count = PQntuples(result);
  for (int c = 0; c < columns; ++c) rows.columns.emplace_back(PQfname(result, c));
  rows.rows.reserve(static_cast<std::size_t>(count));
  for (int r = 0; r < count; ++r) {
    std::vector<std::optional<std::string>> row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result, r, c),
                                     static_cast<std::size_t>(PQgetlength(result, r, c))));
      }
    }
    rows.rows.push_back(std::move(row));
  }
  return rows;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

ConnectionInfo ConnectionInfo::parse(const std::string& text) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    std::string reason = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    throw usage_error("invalid connection string " + util::redact(text) + ": " + reason,
                      "use postgresql://user:password@host:port/dbname or key=value pairs");
  }
  ConnectionInfo info;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string key = o->keyword;
    const std::string value = o->val;
    if (key == "host") info.host = value;
    else if (key == "port") info.port = value;
    else if (key == "user") info.user = value;
    else if (key == "password") info.password = value;
    else if (key == "dbname") info.dbname = value;
    else info.options[key] = value;
  }
  PQconninfoFree(options);
  return info;
}

std::string ConnectionInfo::conninfo() const {
  std::string out;
  auto add = [&out](const std::string& key, const std::string& value) {
    if (value.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out += key + "=" + escape_conninfo_value(value);
  };
  add("host", host);
  add("port", port);
  add("user", user);
  add("password", password);
  add("dbname", dbname);
  for (const auto& [key, value] : options) {
    if (key == "options" && !session_options.empty()) continue;
    add(key, value);
  }
  if (!session_options.empty()) {
    const auto own = options.find("options");
    add("options", own == options.end() || own->second.empty() ? session_options : own->second + " " + session_options);
  }
  return out;
}

std::string ConnectionInfo::url() const {
  std::string out = "postgresql://";
  if (!user.empty()) {
    out += percent_encode(user, false);
    if (!password.empty()) out += ":" + percent_encode(password, false);
    out += "@";
  }
  const bool socket = !host.empty() && host.front() == '/';
  if (!socket) {
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (!port.empty()) out += ":" + port;
  }
  out += "/" + percent_encode(dbname, false);
  std::vector<std::pair<std::string, std::string>> query;
  if (socket) {
    query.emplace_back("host", host);
    if (!port.empty()) query.emplace_back("port", port);
  }
  for (const auto& [key, value] : options) query.emplace_back(key, value);
  for (std::size_t i = 0; i < query.size(); ++i) {
    out += (i == 0 ? "?" : "&") + query[i].first + "=" + percent_encode(query[i].second, true);
  }
  return out;
}

std::string ConnectionInfo::redacted_url() const {
  ConnectionInfo copy = *this;
  if (!copy.password.empty()) copy.password = "***";
  return util::redact(copy.url());
}

ConnectionInfo ConnectionInfo::with_dbname(const std::string& name) const {
  ConnectionInfo copy = *this;
  copy.dbname = name;
  return copy;
}

const std::optional<std::string>& Rows::at(std::size_t r, const std::string& column) const {
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == column) return rows.at(r).at(c);
  }
  throw std::out_of_range("no column " + column);
}

struct Connection::Impl {
  PGconn* conn = nullptr;
  std::vector<ServerMessage> notices;

  ~Impl() {
    if (conn != nullptr) PQfinish(conn);
  }

  static void receive_notice(void* self, const PGresult* result) {
    static_cast<Impl*>(self)->notices.push_back(message_from(result));
  }

  [[noreturn]] void lost(const ConnectionInfo& info) const {
    std::string reason = PQerrorMessage(conn);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    throw infra_error("lost the connection to " + info.redacted_url() + ": " + util::redact(reason));
  }

  // The rows of `result` (none for a command); a server error throws pgdrift::Error
  // (infrastructure) "<what> failed on <url>: <message> (<detail>)".
  Rows rows_or_throw(const ResultPtr& result, const ConnectionInfo& info, const std::string& what) {
    if (!result) lost(info);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      if (PQstatus(conn) == CONNECTION_BAD) lost(info);
      const auto m = message_from(result.get());
      std::string message = what + " failed on " + info.redacted_url() + ": " + m.message +
                            (m.detail.empty() ? "" : " (" + m.detail + ")");
      if (m.sqlstate == "55P03") throw LockNotAvailable(std::move(message));
      throw infra_error(std::move(message));
    }
    notices.clear();
    return rows_from(result.get());
  }
};

Connection::Connection(std::unique_ptr<Impl> impl, ConnectionInfo info)
    : m_impl(std::move(impl)), m_info(std::move(info)) {}

Connection::~Connection() = default;

std::unique_ptr<Connection> Connection::open(const ConnectionInfo& info,
                                             const std::string& application_name,
                                             std::chrono::seconds connect_timeout) {
  ConnectionInfo actual = info;
  actual.options["application_name"] = application_name;
  actual.options["connect_timeout"] = std::to_string(connect_timeout.count());
  auto impl = std::make_unique<Impl>();
  impl->conn = PQconnectdb(actual.conninfo().c_str());
  if (impl->conn == nullptr) throw infra_error("cannot allocate a PostgreSQL connection");
  if (PQstatus(impl->conn) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(impl->conn);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    throw infra_error("cannot connect to " + info.redacted_url() + ": " + util::redact(reason),
                      "check that the server is running and the URL, user and password are right");
  }
  PQsetNoticeReceiver(impl->conn, &Impl::receive_notice, impl.get());
  return std::unique_ptr<Connection>(new Connection(std::move(impl), info));
}

Execution Connection::execute(const std::string& sql) {
  m_impl->notices.clear();
  Execution out;
  ResultPtr result(PQexec(m_impl->conn, sql.c_str()));
  if (!result) m_impl->lost(m_info);
  switch (PQresultStatus(result.get())) {
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
      out.ok = true;
      break;
    case PGRES_TUPLES_OK:
      out.ok = true;
      out.rows = rows_from(result.get());
      break;
    case PGRES_COPY_IN: {
      // Data for COPY … FROM STDIN cannot come from a split statement: end the copy with an error.
      PQputCopyEnd(m_impl->conn,
                   "pgdrift replays statements one by one and cannot feed COPY FROM STDIN data");
      ResultPtr end(PQgetResult(m_impl->conn));
      while (ResultPtr extra{PQgetResult(m_impl->conn)}) {
      }
      out.ok = false;
      out.error = end ? message_from(end.get()) : ServerMessage{};
      if (out.error->message.empty()) out.error->message = "COPY FROM STDIN is not supported";
      out.error->hint = "load data with INSERT statements, or COPY from a file the server can read";
      break;
    }
    case PGRES_COPY_OUT: {
      char* buffer = nullptr;
      while (PQgetCopyData(m_impl->conn, &buffer, 0) > 0) PQfreemem(buffer);
      while (ResultPtr extra{PQgetResult(m_impl->conn)}) {
      }
      out.ok = true;
      break;
    }
    default:
      if (PQstatus(m_impl->conn) == CONNECTION_BAD) m_impl->lost(m_info);
      out.ok = false;
      out.error = message_from(result.get());
      if (out.error->message.empty()) out.error->message = PQresultErrorMessage(result.get());
      break;
  }
  const char* tag = PQcmdStatus(result.get());
  if (tag != nullptr) out.command_tag = tag;
  out.notices = std::move(m_impl->notices);
  m_impl->notices.clear();
  return out;
}

namespace {

std::vector<const char*> param_values(const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

}  // namespace

Rows Connection::query(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
  const auto values = param_values(params);
  ResultPtr result(PQexecParams(m_impl->conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0));
  return m_impl->rows_or_throw(result, m_info, "query");
}

void Connection::prepare(const std::string& name, const std::string& sql) {
  ResultPtr result(PQprepare(m_impl->conn, name.c_str(), sql.c_str(), 0, nullptr));
  m_impl->rows_or_throw(result, m_info, "preparing statement " + name);
}

Rows Connection::query_prepared(const std::string& name, const std::vector<std::optional<std::string>>& params) {
  const auto values = param_values(params);
  ResultPtr result(PQexecPrepared(m_impl->conn, name.c_str(), static_cast<int>(values.size()), values.data(),
                                  nullptr, nullptr, 0));
  return m_impl->rows_or_throw(result, m_info, "prepared statement " + name);
}

void Connection::deallocate(const std::string& name) {
  ResultPtr result(PQexec(m_impl->conn, ("DEALLOCATE " + quote_ident(name)).c_str()));
  m_impl->rows_or_throw(result, m_info, "deallocating statement " + name);
}

bool Connection::in_transaction() const {
  return PQtransactionStatus(m_impl->conn) != PQTRANS_IDLE;
}

int Connection::server_version_num() const { return PQserverVersion(m_impl->conn); }

std::string Connection::server_version() const {
  const char* value = PQparameterStatus(m_impl->conn, "server_version");
  std::string version = value == nullptr ? "" : value;
  const auto space = version.find(' ');
  return space == std::string::npos ? version : version.substr(0, space);
}

bool server_accepts_connections(const ConnectionInfo& info) {
  return PQping(info.conninfo().c_str()) == PQPING_OK;
}

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string quote_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  return out + "'";
}

}  // namespace pgdrift::db
