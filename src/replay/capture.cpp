// Reading back what a framework's migration command sent: the server's csvlog, the transactions
// that took effect, and the framework's migrations found from the writes into its history table.

#include "pgdrift/replay/capture.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "pgdrift/sql/statement.hpp"
#include "pgdrift/sql/tree.hpp"
#include "pgdrift/util/hash.hpp"

namespace pgdrift::replay {

namespace {

// csvlog columns (PostgreSQL 13+; 0-based).
constexpr std::size_t k_database = 2;
constexpr std::size_t k_session = 5;
constexpr std::size_t k_severity = 11;
constexpr std::size_t k_message = 13;
constexpr std::size_t k_detail = 14;
constexpr std::size_t k_application = 22;

// One CSV record starting at `pos` (RFC 4180: "" inside quotes, newlines in quoted fields).
std::vector<std::string> next_record(std::string_view csv, std::size_t& pos) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  while (pos < csv.size()) {
    const char c = csv[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < csv.size() && csv[pos] == '"') {
          fields.back() += '"';
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      break;
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "parameters: $1 = 'a', $2 = NULL" → {1: "'a'", 2: "NULL"}.
std::map<int, std::string> parse_parameters(std::string_view detail) {
  std::map<int, std::string> out;
  constexpr std::string_view prefix = "parameters: ";
  if (!starts_with(detail, prefix)) return out;
  std::size_t i = prefix.size();
  while (i < detail.size()) {
    if (detail[i] != '$') break;
    ++i;
    int number = 0;
    while (i < detail.size() && detail[i] >= '0' && detail[i] <= '9') number = number * 10 + (detail[i++] - '0');
    if (detail.substr(i, 3) != " = ") break;
    i += 3;
    std::string value;
    if (i < detail.size() && detail[i] == '\'') {
      value += detail[i++];
      while (i < detail.size()) {
        const char c = detail[i++];
        value += c;
        if (c == '\'') {
          if (i < detail.size() && detail[i] == '\'') {
            value += detail[i++];
          } else {
            break;
          }
        }
      }
    } else {
      while (i < detail.size() && detail[i] != ',') value += detail[i++];
    }
    out[number] = value;
    if (detail.substr(i, 2) != ", ") break;
    i += 2;
  }
  return out;
}

// The only statement of `text` when it is transaction control: its kind and savepoint name.
struct Control {
  std::string kind;  // TRANS_STMT_BEGIN, …; empty when `text` is not (only) transaction control
  std::string savepoint;
};

Control control_of(const std::string& text) {
  const auto statements = sql::split(text);
  if (statements.size() != 1 || statements[0].node != "TransactionStmt") return {};
  const auto tree = sql::parse_tree(statements[0]);
  return {tree["kind"].str(), tree["savepoint_name"].str()};
}

// The table name without its schema.
std::string table_of(const sql::Node& range_var) { return range_var["relname"].str(); }

std::string constant(const sql::Node& node) {
  if (!node.is("A_Const")) return "";
  if (!node["sval"].is_null()) return node.str();
  if (!node["ival"].is_null()) return std::to_string(node["ival"]["ival"].integer());
  return "";
}

const FrameworkTool* tool_of_table(const std::string& table) {
  for (const auto& tool : framework_tools()) {
    if (tool.history_tables.front() == table) return &tool;
  }
  return nullptr;
}

bool is_history_table(const std::string& table) {
  for (const auto& tool : framework_tools()) {
    if (std::find(tool.history_tables.begin(), tool.history_tables.end(), table) != tool.history_tables.end()) {
      return true;
    }
  }
  return false;
}

// The migration id a statement records in a framework's history table (its tool set), or "".
std::string recorded_id(const sql::Node& tree, const FrameworkTool*& tool) {
  // The column holding the id, per tool; Django's is app + "." + name.
  const auto id_column = [](const std::string& name) -> std::string {
    if (name == "alembic") return "version_num";
    if (name == "rails") return "version";
    return "name";
  };
  if (tree.is("InsertStmt")) {
    tool = tool_of_table(table_of(tree["relation"]));
    if (tool == nullptr) return "";
    std::vector<std::string> columns;
    for (const auto& target : tree["cols"].items()) columns.push_back(target["name"].str());
    const auto rows = tree["selectStmt"]["valuesLists"].items();
    if (rows.empty()) return "";
    const auto values = rows.back().items();
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < columns.size() && i < values.size(); ++i) row[columns[i]] = constant(values[i]);
    if (tool->name == "django") {
      if (row["app"].empty() || row["name"].empty()) return "";
      return row["app"] + "." + row["name"];
    }
    return row[id_column(tool->name)];
  }
  if (tree.is("UpdateStmt")) {
    tool = tool_of_table(table_of(tree["relation"]));
    if (tool == nullptr || tool->name != "alembic") return "";
    for (const auto& target : tree["targetList"].items()) {
      if (target["name"].str() == "version_num") return constant(target["val"]);
    }
  }
  return "";
}

// Whether a statement only reads, sets the session up, or touches a history table: what a
// framework does around its migrations.
bool bookkeeping(const sql::Statement& statement) {
  static const std::set<std::string> quiet = {"SelectStmt", "VariableShowStmt", "VariableSetStmt",
                                              "TransactionStmt", "LockStmt"};
  if (quiet.count(statement.node) != 0) return true;
  const auto tree = sql::parse_tree(statement);
  if (tree.is("InsertStmt") || tree.is("UpdateStmt") || tree.is("DeleteStmt") || tree.is("CreateStmt")) {
    return is_history_table(table_of(tree["relation"]));
  }
  return false;
}

// Whether a statement creates or writes a history table: the framework's own bookkeeping.
bool touches_history_table(const sql::Statement& statement) {
  if (statement.node != "InsertStmt" && statement.node != "UpdateStmt" && statement.node != "DeleteStmt" &&
      statement.node != "CreateStmt") {
    return false;
  }
  return is_history_table(table_of(sql::parse_tree(statement)["relation"]));
}

void add_statement(migrations::Migration& m, std::vector<TranscriptLine>& lines, const CapturedStatement& s) {
  m.source += "-- statement " + std::to_string(s.ordinal) + "\n";
  const int line = static_cast<int>(std::count(m.source.begin(), m.source.end(), '\n')) + 1;
  std::string text = s.text;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.pop_back();
  }
  std::size_t first = 0;
  while (first < text.size() && (text[first] == '\n' || text[first] == '\r')) ++first;
  text.erase(0, first);
  m.source += text;
  m.source += (!text.empty() && text.back() == ';') ? "\n\n" : "\n;\n\n";
  const auto statements = sql::split(text);
  const bool own = !statements.empty() && std::all_of(statements.begin(), statements.end(), touches_history_table);
  lines.push_back({line, s.ordinal, text, own});
}

}  // namespace

std::string bind_parameters(std::string_view sql, const std::map<int, std::string>& values) {
  std::string out;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      const std::size_t end = sql.find(c, i + 1);
      const std::size_t stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const std::size_t end = sql.find('\n', i);
      const std::size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9' &&
               (i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_'))) {
      std::size_t j = i + 1;
      int number = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') number = number * 10 + (sql[j++] - '0');
      const auto it = values.find(number);
      if (it != values.end()) {
        out += it->second;
      } else {
        out.append(sql.substr(i, j - i));
      }
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::vector<CapturedStatement> read_statement_log(std::string_view csv, const std::string& dbname,
                                                  const std::string& skip_application) {
  std::vector<CapturedStatement> out;
  std::map<std::string, std::size_t> last_of_session;  // session → index in out of its last statement
  std::size_t pos = 0;
  while (pos < csv.size()) {
    const auto row = next_record(csv, pos);
    if (row.size() <= k_application || row[k_database] != dbname) continue;
    if (!skip_application.empty() && row[k_application] == skip_application) continue;
    const std::string& session = row[k_session];
    const std::string_view message = row[k_message];
    if (row[k_severity] == "ERROR") {
      // The statement failed: it changed nothing (its transaction, if any, is rolled back later).
      const auto it = last_of_session.find(session);
      if (it != last_of_session.end() && it->second + 1 == out.size()) out.pop_back();
      last_of_session.erase(session);
      continue;
    }
    if (row[k_severity] != "LOG") continue;
    std::string text;
    if (starts_with(message, "statement: ")) {
      text = std::string(message.substr(11));
    } else if (starts_with(message, "execute ")) {
      const auto colon = message.find(": ");
      if (colon == std::string_view::npos || starts_with(message, "execute fetch from")) continue;
      text = bind_parameters(message.substr(colon + 2), parse_parameters(row[k_detail]));
    } else {
      continue;
    }
    CapturedStatement s;
    s.ordinal = out.size() + 1;
    s.session = session;
    s.text = std::move(text);
    last_of_session[session] = out.size();
    out.push_back(std::move(s));
  }
  // Renumber: a failed statement left out leaves no gap.
  for (std::size_t i = 0; i < out.size(); ++i) out[i].ordinal = i + 1;
  return out;
}

std::vector<CapturedStatement> committed_statements(const std::vector<CapturedStatement>& statements) {
  struct Session {
    bool in_transaction = false;
    std::size_t begin = 0;                                   // index in `kept` where it began
    std::vector<std::pair<std::string, std::size_t>> savepoints;
  };
  std::map<std::string, Session> sessions;
  std::vector<CapturedStatement> kept;
  std::vector<bool> alive;
  const auto undo_since = [&](const std::string& session, std::size_t from) {
    for (std::size_t i = from; i < kept.size(); ++i) {
      if (kept[i].session == session) alive[i] = false;
    }
  };
  for (const auto& s : statements) {
    const auto control = control_of(s.text);
    auto& session = sessions[s.session];
    if (control.kind.empty()) {
      kept.push_back(s);
      alive.push_back(true);
      continue;
    }
    const std::string& kind = control.kind;
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      session.in_transaction = true;
      session.begin = kept.size();
      session.savepoints.clear();
    } else if (kind == "TRANS_STMT_ROLLBACK") {
      if (session.in_transaction) undo_since(s.session, session.begin);
      session = Session{};
    } else if (kind == "TRANS_STMT_SAVEPOINT") {
      session.savepoints.emplace_back(control.savepoint, kept.size());
    } else if (kind == "TRANS_STMT_ROLLBACK_TO") {
      for (auto it = session.savepoints.rbegin(); it != session.savepoints.rend(); ++it) {
        if (it->first == control.savepoint) {
          undo_since(s.session, it->second);
          session.savepoints.erase(it.base(), session.savepoints.end());
          break;
        }
      }
    } else if (kind == "TRANS_STMT_RELEASE") {
      for (auto it = session.savepoints.rbegin(); it != session.savepoints.rend(); ++it) {
        if (it->first == control.savepoint) {
          session.savepoints.erase(std::prev(it.base()), session.savepoints.end());
          break;
        }
      }
    } else {
      session = Session{};  // COMMIT, END, PREPARE TRANSACTION, …
    }
  }
  std::vector<CapturedStatement> out;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (alive[i]) out.push_back(std::move(kept[i]));
  }
  return out;
}

const std::vector<FrameworkTool>& framework_tools() {
  static const std::vector<FrameworkTool> tools = {
      {"alembic", {"alembic_version"}},
      {"django", {"django_migrations"}},
      {"rails", {"schema_migrations", "ar_internal_metadata"}},
      {"knex", {"knex_migrations", "knex_migrations_lock"}},
      {"node-pg-migrate", {"pgmigrations"}},
      {"typeorm", {"migrations", "typeorm_metadata"}},
  };
  return tools;
}

FrameworkCapture group_by_migration(const std::vector<CapturedStatement>& committed, std::size_t captured) {
  FrameworkCapture out;
  out.statements = captured;
  std::vector<CapturedStatement> pending;  // since the last history write
  const auto close = [&](const std::string& id) {
    migrations::Migration m;
    m.version = id;
    m.name = id;
    m.display_path = (out.tool.empty() ? "framework" : out.tool) + ":" + id;
    m.path = m.display_path;
    m.format = migrations::Format::plain;
    m.shape = migrations::TransactionShape::flexible;
    m.tool = out.tool;
    auto& lines = out.lines[m.display_path];
    for (const auto& s : pending) add_statement(m, lines, s);
    m.up_sql = m.source;
    m.checksum = util::sha256_hex(m.source);
    out.migrations.push_back(std::move(m));
    pending.clear();
  };
  for (const auto& s : committed) {
    pending.push_back(s);
    std::string id;
    for (const auto& statement : sql::split(s.text)) {
      if (statement.node != "InsertStmt" && statement.node != "UpdateStmt") continue;
      const FrameworkTool* tool = nullptr;
      const auto found = recorded_id(sql::parse_tree(statement), tool);
      if (found.empty() || tool == nullptr) continue;
      if (out.tool.empty()) {
        out.tool = tool->name;
        out.history_tables = tool->history_tables;
      }
      if (tool->name == out.tool) id = found;
    }
    if (!id.empty()) close(id);
  }
  if (pending.empty()) return out;
  bool quiet = true;
  for (const auto& s : pending) {
    for (const auto& statement : sql::split(s.text)) quiet = quiet && bookkeeping(statement);
  }
  if (quiet && !out.migrations.empty()) {
    auto& last = out.migrations.back();
    auto& lines = out.lines[last.display_path];
    for (const auto& s : pending) add_statement(last, lines, s);
    last.up_sql = last.source;
    last.checksum = util::sha256_hex(last.source);
  } else {
    close(out.migrations.empty() ? "(no migration recorded)" : "(after the last recorded migration)");
  }
  return out;
}

bool names_history_table(const FrameworkCapture& capture, const std::string& object) {
  const auto space = object.find(' ');
  if (space == std::string::npos) return false;
  std::string name = object.substr(space + 1);
  std::size_t start = 0;
  for (;;) {
    const auto dot = name.find('.', start);
    const std::string part = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (std::find(capture.history_tables.begin(), capture.history_tables.end(), part) != capture.history_tables.end()) {
      return true;
    }
    if (dot == std::string::npos) return false;
    start = dot + 1;
  }
}

const TranscriptLine* statement_at(const FrameworkCapture& capture, const std::string& display_path, int line) {
  const auto it = capture.lines.find(display_path);
  if (it == capture.lines.end() || it->second.empty()) return nullptr;
  const TranscriptLine* found = &it->second.front();
  for (const auto& l : it->second) {
    if (l.line <= line) found = &l;
  }
  return found;
}

}  // namespace pgdrift::replay
