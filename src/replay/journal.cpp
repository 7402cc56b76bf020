#include "pgdrift/replay/journal.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::replay {

namespace {

using catalog::Kind;
using catalog::ObjectId;

// The journal's objects. The trigger functions run as their owner with a fixed search_path, so a
// migration that changes its own search_path does not move what they write.
const std::vector<std::string> k_install = {
    "CREATE SCHEMA pgdrift_journal",
    // classid/objid/objsubid let a reader tell a rename or move (same object, new identity) apart.
    "CREATE TABLE pgdrift_journal.events (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, query text, "
    "command_tag text, object_type text, object_identity text, schema_name text, dropped boolean NOT NULL, "
    "classid oid, objid oid, objsubid integer)",
    "CREATE FUNCTION pgdrift_journal.ddl() RETURNS event_trigger LANGUAGE plpgsql SET search_path = pg_catalog AS $$\n"
    "BEGIN\n"
    "  INSERT INTO pgdrift_journal.events (query, command_tag, object_type, object_identity, schema_name, dropped,\n"
    "    classid, objid, objsubid)\n"
    "  SELECT current_query(), command_tag, object_type, object_identity, schema_name, false, classid, objid, objsubid\n"
    "  FROM pg_event_trigger_ddl_commands();\n"
    "END $$",
    "CREATE FUNCTION pgdrift_journal.dropped() RETURNS event_trigger LANGUAGE plpgsql SET search_path = pg_catalog "
    "AS $$\n"
    "BEGIN\n"
    "  INSERT INTO pgdrift_journal.events (query, command_tag, object_type, object_identity, schema_name, dropped,\n"
    "    classid, objid, objsubid)\n"
    "  SELECT current_query(), tg_tag, object_type, object_identity, schema_name, true, classid, objid, objsubid\n"
    "  FROM pg_event_trigger_dropped_objects();\n"
    "END $$",
    "CREATE EVENT TRIGGER pgdrift_journal_ddl ON ddl_command_end EXECUTE PROCEDURE pgdrift_journal.ddl()",
    "CREATE EVENT TRIGGER pgdrift_journal_drop ON sql_drop EXECUTE PROCEDURE pgdrift_journal.dropped()",
};

// Splits a dotted identity ("public.\"User\"") at the dots outside double quotes, unquoting each
// part. Stops at `stop_at` outside quotes (the '(' of a function's arguments), which with the rest
// stays on the last part.
std::vector<std::string> split_dotted(std::string_view text) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        parts.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '.') {
      parts.emplace_back();
    } else if (c == '(') {
      parts.back() += std::string(text.substr(i));
      break;
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

// " on " outside double quotes, or npos.
std::size_t find_on(std::string_view text) {
  bool quoted = false;
  for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    if (!quoted && text.substr(i, 4) == " on ") return i;
  }
  return std::string_view::npos;
}

std::string without_spaces(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  return text;
}

// A function's "name(argument types)" as the model writes it, without spaces: the journal's
// identity qualifies built-in types ("f(integer,pg_catalog.text)"), the model does not.
std::string function_key(std::string text) {
  text = without_spaces(std::move(text));
  const std::string builtin = "pg_catalog.";
  for (std::size_t at = text.find(builtin); at != std::string::npos; at = text.find(builtin, at)) {
    text.erase(at, builtin.size());
  }
  return text;
}

// What an event names: (schema, name, table); table empty for top-level objects. Functions'
// names keep their argument list, without spaces.
struct Named {
  std::string schema;
  std::string name;
  std::string table;
  bool table_level = false;  // the event is about a table as a whole (ALTER TABLE, CREATE TABLE)
  friend bool operator<(const Named& a, const Named& b) {
    return std::tie(a.schema, a.name, a.table) < std::tie(b.schema, b.name, b.table);
  }
};

std::optional<Named> name_of(const std::string& type, const std::string& identity) {
  Named out;
  if (type == "schema" || type == "extension") {
    const auto parts = split_dotted(identity);
    out.name = parts.back();
    return out;
  }
  if (const std::size_t on = find_on(identity); on != std::string::npos) {
    // "users_pkey on public.users": constraints, triggers, policies, rules.
    const auto own = split_dotted(identity.substr(0, on));
    const auto table = split_dotted(identity.substr(on + 4));
    if (table.size() != 2) return std::nullopt;
    out.schema = table[0];
    out.table = table[1];
    out.name = own.back();
    return out;
  }
  const auto parts = split_dotted(identity);
  if (type == "table column" && parts.size() == 3) {
    out.schema = parts[0];
    out.table = parts[1];
    out.name = parts[2];
    return out;
  }
  if (parts.size() != 2) return std::nullopt;
  out.schema = parts[0];
  out.name = type == "function" || type == "procedure" || type == "aggregate" ? function_key(parts[1]) : parts[1];
  out.table_level = type == "table" || type == "foreign table";
  return out;
}

// One statement of the replayed files, in replay order.
struct Sent {
  std::string text;
  std::string tree_json;
  catalog::SourceLine at;
  int last_line = 0;     // the line of its end
  bool dropped = false;  // the journal recorded it dropping something
};

struct Event {
  Named named;
  bool dropped = false;
  const Sent* statement = nullptr;
};

void note(catalog::Provenance& p, bool& seen, const catalog::SourceLine& at) {
  if (!seen) p.created = at;
  p.changed = at;
  seen = true;
}

// The statement's parse tree names `name` (as a column, constraint, index … name).
bool mentions(const Sent& s, const std::string& name) {
  return s.tree_json.find("\"" + name + "\"") != std::string::npos;
}

bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Where in the statement `name` is written (the line of a column in a CREATE TABLE), as a whole
// word, case-insensitively; the statement's start when it is not found.
catalog::SourceLine at_mention(const Sent& s, const std::string& name) {
  const std::string text = util::to_lower(s.text);
  const std::string word = util::to_lower(name);
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !is_identifier_char(text[at - 1]);
    const bool ends = at + word.size() >= text.size() || !is_identifier_char(text[at + word.size()]);
    if (!starts || !ends) continue;
    catalog::SourceLine out = s.at;
    const std::size_t newlines = static_cast<std::size_t>(std::count(text.begin(), text.begin() + at, '\n'));
    if (newlines == 0) return out;
    out.line += static_cast<int>(newlines);
    out.column = static_cast<int>(at - text.rfind('\n', at - 1));
    return out;
  }
  return s.at;
}

}  // namespace

bool install_journal(db::Connection& connection) {
  const auto present = connection.query("SELECT pg_catalog.to_regclass('pgdrift_journal.events') IS NOT NULL AS p");
  if (present.at(0, "p").value_or("f") == "t") return true;
  const auto super = connection.query("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user");
  if (super.size() == 0 || super.at(0, "rolsuper").value_or("f") != "t") return false;
  for (const std::string& sql : k_install) {
    const auto result = connection.execute(sql);
    if (!result.ok) throw infra_error("cannot install pgdrift's change journal in the sandbox: " + result.error->message);
  }
  return true;
}

struct JournalReading::Data {
  bool recorded = false;
  std::vector<Sent> sent;
  std::vector<Event> events;
};

JournalReading::JournalReading() : m(std::make_unique<Data>()) {}
JournalReading::~JournalReading() = default;
JournalReading::JournalReading(JournalReading&&) noexcept = default;
JournalReading& JournalReading::operator=(JournalReading&&) noexcept = default;

bool JournalReading::recorded() const { return m->recorded; }

JournalReading JournalReading::read(db::Connection& connection, const std::vector<migrations::Migration>& migrations) {
  JournalReading out;
  const auto present = connection.query("SELECT pg_catalog.to_regclass('pgdrift_journal.events') IS NOT NULL AS p");
  if (present.at(0, "p").value_or("f") != "t") return out;
  db::Rows rows;
  try {
    rows = connection.query(
        "SELECT query, object_type, object_identity, dropped FROM pgdrift_journal.events ORDER BY seq");
  } catch (const Error& error) {
    throw infra_error(std::string("cannot read pgdrift's change journal in the sandbox: ") + error.what());
  }
  out.m->recorded = true;

  // Every statement sent, in order, with where it is in its file.
  auto& sent = out.m->sent;
  for (const auto& m : migrations) {
    const util::LineIndex lines(m.source);
    for (const auto& statement : sql::split(m.up_sql)) {
      const auto at = lines.at(m.source_offset(statement.begin));
      Sent s{std::string(statement.text(m.up_sql)), statement.tree_json, {m.display_path, at.line, at.column}};
      s.last_line = lines.at(m.source_offset(statement.end)).line;
      sent.push_back(std::move(s));
    }
  }

  // Each journal row belongs to the statement whose text it recorded: the current one, or the
  // next one with that text (rows of what no file sent match none and are left out).
  std::size_t next = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string query = rows.at(r, "query").value_or("");
    std::size_t found = next;
    while (found < sent.size() && sent[found].text != query) ++found;
    if (found == sent.size()) continue;
    next = found;
    const bool dropped = rows.at(r, "dropped").value_or("f") == "t";
    sent[found].dropped = sent[found].dropped || dropped;
    const auto named = name_of(rows.at(r, "object_type").value_or(""), rows.at(r, "object_identity").value_or(""));
    if (!named) continue;
    out.m->events.push_back({*named, dropped, &sent[found]});
  }
  return out;
}

bool JournalReading::dropped_nothing(const std::string& file, int line) const {
  // A DROP … IF EXISTS (or ALTER TABLE … DROP COLUMN IF EXISTS) of what was not there records no
  // sql_drop row; one that dropped something does.
  for (const Sent& s : m->sent) {
    if (s.at.file != file || line < s.at.line || line > s.last_line) continue;
    if (s.dropped) return false;
    const bool drop_statement = s.tree_json.find("\"DropStmt\"") != std::string::npos ||
                                s.tree_json.find("\"AT_DropColumn\"") != std::string::npos;
    return drop_statement && s.tree_json.find("\"missing_ok\":true") != std::string::npos;
  }
  return false;
}

void attach_provenance(db::Connection& connection, const std::vector<migrations::Migration>& migrations,
                       catalog::SchemaModel& model) {
  JournalReading::read(connection, migrations).attach_provenance(model);
}

void JournalReading::attach_provenance(catalog::SchemaModel& model) const {
  const auto& events = m->events;
  // What each named object went through, from its last creation on; and each table's own events
  // (CREATE TABLE, ALTER TABLE), for what the journal names only through its table.
  std::map<Named, std::pair<catalog::Provenance, bool>> direct;
  std::map<std::pair<std::string, std::string>, std::vector<const Event*>> on_table;
  for (const Event& e : events) {
    if (e.named.table_level) on_table[{e.named.schema, e.named.name}].push_back(&e);
    auto& [provenance, seen] = direct[e.named];
    if (e.dropped) {
      seen = false;
      continue;
    }
    note(provenance, seen, e.statement->at);
  }

  for (const auto& [id, properties] : model.objects) {
    (void)properties;
    Named key;
    key.schema = id.schema;
    key.name = id.kind == Kind::function || id.kind == Kind::procedure ? function_key(id.name) : id.name;
    const bool sub_object = !id.table.empty() && id.kind != Kind::index;
    if (sub_object) key.table = id.table;
    if (id.kind != Kind::column) {
      const auto found = direct.find(key);
      if (found != direct.end() && found->second.second) {
        model.provenance[id] = found->second.first;
        continue;
      }
    }
    if (id.table.empty()) continue;
    // A column (or a constraint, index, trigger, policy the journal names only through its table):
    // the statements on its table whose parse tree names it.
    const auto table_events = on_table.find({id.schema, id.table});
    if (table_events == on_table.end()) continue;
    catalog::Provenance provenance;
    bool seen = false;
    const Sent* table_created = nullptr;
    for (const Event* event : table_events->second) {
      const Event& e = *event;
      if (e.dropped) {
        seen = false;
        table_created = nullptr;
        continue;
      }
      if (table_created == nullptr) table_created = e.statement;
      if (mentions(*e.statement, id.name)) note(provenance, seen, at_mention(*e.statement, id.name));
    }
    // A constraint named by Postgres (users_pkey) came with its table unless a statement names it.
    if (!seen && id.kind == Kind::constraint && table_created != nullptr) note(provenance, seen, table_created->at);
    if (seen) model.provenance[id] = provenance;
  }
}

}  // namespace pgdrift::replay
