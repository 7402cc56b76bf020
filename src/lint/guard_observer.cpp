// DestructiveGuard: the replay observer that compares the schema around each migration, on whole
// reads or, with the change journal, on focused re-reads of what the journal says changed.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <utility>

#include "guard_text.hpp"
#include "pgdrift/lint/guard.hpp"
#include "pgdrift/sql/statement.hpp"

namespace pgdrift::lint {

namespace {

// What could run user code behind a migration's statements.
struct UserCode {
  bool on_ddl = false;     // an enabled event trigger: any SQL behind any DDL statement
  bool on_writes = false;  // a trigger, or a default, check or view (or rule) calling a user function
};

UserCode user_code(db::Connection& connection) {
  const auto rows = connection.query(
      // pgdrift's own change journal (replay/journal.cpp) only records what DDL did.
      "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtenabled <> 'D'"
      "  AND evtname NOT IN ('pgdrift_journal_ddl', 'pgdrift_journal_drop')) AS on_ddl,"
      " EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE NOT tgisinternal)"
      " OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_proc p ON p.oid = d.refobjid"
      "  WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
      "  AND d.classid IN ('pg_catalog.pg_attrdef'::pg_catalog.regclass,"
      "   'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_rewrite'::pg_catalog.regclass)"
      "  AND p.pronamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace,"
      "   'information_schema'::pg_catalog.regnamespace)) AS on_writes");
  UserCode out;
  if (rows.size() == 1) {
    out.on_ddl = rows.at(0, "on_ddl").value_or("t") == "t";
    out.on_writes = rows.at(0, "on_writes").value_or("t") == "t";
  }
  return out;
}


// The identifiers an event's object identity names, outside parentheses (a function's argument
// types): "users_pkey on public.users" → users_pkey, public, users; "public.\"Order\".total" →
// public, Order, total. Unquoted `on` and `for` are the identity's own words.
void identity_names(std::string_view identity, std::set<std::string>& out) {
  int depth = 0;
  std::string word;
  const auto flush = [&] {
    if (!word.empty() && word != "on" && word != "for") out.insert(word);
    word.clear();
  };
  for (std::size_t i = 0; i < identity.size(); ++i) {
    const char c = identity[i];
    if (c == '"') {
      std::string quoted;
      for (++i; i < identity.size(); ++i) {
        if (identity[i] == '"' && i + 1 < identity.size() && identity[i + 1] == '"') {
          quoted += '"';
          ++i;
        } else if (identity[i] == '"') {
          break;
        } else {
          quoted += identity[i];
        }
      }
      if (depth == 0) out.insert(quoted);
    } else if (c == '(') {
      flush();
      ++depth;
    } else if (c == ')') {
      depth = std::max(0, depth - 1);
    } else if (depth == 0 && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$')) {
      word += c;
    } else {
      flush();
    }
  }
  flush();
}

// What a migration the guard did not watch statement by statement ran: something the journal
// cannot follow (guard::hides_changes_from_journal), code (guard::runs_code).
struct Unwatched {
  bool hides = false;
  bool runs_code = false;
};

Unwatched classify(const migrations::Migration& migration) {
  Unwatched out;
  for (const auto& statement : sql::split(migration.up_sql)) {
    out.hides = out.hides || guard::hides_changes_from_journal(statement);
    out.runs_code = out.runs_code || guard::runs_code(statement);
  }
  return out;
}

}  // namespace

DestructiveGuard::DestructiveGuard(catalog::IntrospectOptions options) : m_options(std::move(options)) {}

catalog::SchemaModel DestructiveGuard::snapshot(db::Connection& connection) {
  const auto started = std::chrono::steady_clock::now();
  auto model = catalog::introspect(connection, m_options);
  m_snapshot_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  ++m_snapshots;
  return model;
}

DestructiveGuard::JournalRead DestructiveGuard::read_journal(db::Connection& connection) {
  // One round trip: the events since the last one read, whether the journal still records (both
  // triggers enabled, and not a replica session, where they do not fire), and whether any other
  // event trigger could run SQL behind a statement.
  const auto rows = connection.query(
      "SELECT e.seq, e.object_identity, e.command_tag, e.dropped, e.classid, e.objid, e.objsubid, h.alive, h.others"
      " FROM (SELECT (SELECT pg_catalog.count(*) FROM pg_catalog.pg_event_trigger WHERE evtenabled <> 'D'"
      "  AND evtname IN ('pgdrift_journal_ddl', 'pgdrift_journal_drop')) = 2"
      "  AND pg_catalog.current_setting('session_replication_role') <> 'replica' AS alive,"
      " EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtenabled <> 'D'"
      "  AND evtname NOT IN ('pgdrift_journal_ddl', 'pgdrift_journal_drop')) AS others) h"
      " LEFT JOIN pgdrift_journal.events e ON e.seq > $1 ORDER BY e.seq",
      {std::to_string(m_seq)});
  JournalRead out;
  std::set<std::string> names;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows.at(r, "alive").value_or("f") != "t") m_journal = Journal::no;
    out.others = rows.at(r, "others").value_or("t") == "t";
    const auto seq = rows.at(r, "seq");
    if (!seq) continue;
    m_seq = std::max(m_seq, std::stoll(*seq));
    const auto identity = rows.at(r, "object_identity");
    if (identity) identity_names(*identity, names);
    // The same object under a new identity was renamed or moved; ALTER TYPE may rename an enum
    // label, which changes the text of defaults elsewhere.
    if (rows.at(r, "command_tag").value_or("") == "ALTER TYPE") out.renamed = true;
    if (rows.at(r, "objsubid").value_or("0") != "0" || !identity) continue;
    const std::string key = rows.at(r, "classid").value_or("") + "/" + rows.at(r, "objid").value_or("");
    if (rows.at(r, "dropped").value_or("f") == "t") {
      m_identities.erase(key);
      continue;
    }
    const auto known = m_identities.find(key);
    if (known != m_identities.end() && known->second != *identity) out.renamed = true;
    m_identities[key] = *identity;
  }
  out.names.assign(names.begin(), names.end());
  return out;
}

std::vector<std::string> DestructiveGuard::with_relatives(db::Connection& connection, std::vector<std::string> names,
                                                          bool ask_database) {
  std::set<std::string> out(names.begin(), names.end());
  // A table that was a partition or child of a named one, or the parent of a named one: attaching
  // or detaching changes both sides (a partition's columns are its parent's).
  for (const auto& [id, properties] : m_model->objects) {
    if (id.kind != catalog::Kind::table) continue;
    for (const char* property : {"partition_of", "inherits"}) {
      const auto found = properties.find(property);
      if (found == properties.end()) continue;
      for (const auto& [schema, parent] : guard::parent_tables(found->second)) {
        if (out.count(parent) != 0 || std::find(names.begin(), names.end(), id.name) != names.end()) {
          out.insert(id.name);
          out.insert(parent);
        }
      }
    }
  }
  if (ask_database) {
    // Code the guard did not read may have attached a table: its new relatives, from the catalog.
    std::string list;
    for (const auto& name : out) list += (list.empty() ? "" : ", ") + db::quote_literal(name);
    const auto rows = connection.query(
        "SELECT p.relname AS parent, c.relname AS child FROM pg_catalog.pg_inherits h"
        " JOIN pg_catalog.pg_class p ON p.oid = h.inhparent JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid"
        " WHERE p.relname = ANY (ARRAY[" + list + "]::pg_catalog.name[])"
        " OR c.relname = ANY (ARRAY[" + list + "]::pg_catalog.name[])");
    for (std::size_t r = 0; r < rows.size(); ++r) {
      out.insert(rows.at(r, "parent").value_or(""));
      out.insert(rows.at(r, "child").value_or(""));
    }
    out.erase("");
  }
  return {out.begin(), out.end()};
}

catalog::SchemaModel DestructiveGuard::patched(db::Connection& connection, const std::vector<std::string>& names) {
  auto options = m_options;
  options.focus = names;
  const auto started = std::chrono::steady_clock::now();
  auto focused = catalog::introspect(connection, options);
  m_snapshot_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  ++m_focused_reads;
  catalog::SchemaModel out = *m_model;
  for (auto it = out.objects.begin(); it != out.objects.end();) {
    it = catalog::in_focus(it->first, names) ? out.objects.erase(it) : std::next(it);
  }
  for (auto& [id, properties] : focused.objects) out.objects.insert_or_assign(id, std::move(properties));
  return out;
}

void DestructiveGuard::catch_up(db::Connection& connection) {
  const auto read = read_journal(connection);
  const bool code = m_pending_code;
  m_pending_code = false;
  if (read.others) m_whole = true;
  if (m_journal != Journal::yes || read.renamed) {
    // What happened since the journal stopped is unknown; a rename changed what no event names.
    m_model = snapshot(connection);
  } else if (!read.names.empty()) {
    m_model = patched(connection, with_relatives(connection, read.names, code));
  }
}

const catalog::SchemaModel* DestructiveGuard::tracked_model(db::Connection& connection) {
  if (!m_model) return nullptr;
  if (m_journal == Journal::yes) {
    catch_up(connection);
  } else {
    m_model = snapshot(connection);
  }
  return &*m_model;
}

void DestructiveGuard::before_migration(db::Connection& connection, const migrations::Migration& migration) {
  m_skipping = false;
  m_code = false;
  if (only_adds(migration, true)) {
    const auto code = user_code(connection);
    m_skipping = !code.on_ddl && (!code.on_writes || only_adds(migration, false));
  }
  if (m_skipping) {
    // What it adds is not compared. With the journal the next compared migration catches up on it
    // (from whole reads when it hid something from the journal); without, that one reads afresh.
    if (m_journal != Journal::yes || (m_model && classify(migration).hides)) m_model.reset();
    return;
  }
  if (m_journal == Journal::unknown) {
    const auto rows = connection.query("SELECT pg_catalog.to_regclass('pgdrift_journal.events') IS NOT NULL AS here");
    m_journal = rows.size() == 1 && rows.at(0, "here").value_or("f") == "t" ? Journal::yes : Journal::no;
  }
  m_whole = m_journal != Journal::yes;  // and whatever a statement hides (after_statement)
  if (!m_model) {
    m_model = snapshot(connection);
    // The snapshot holds what the journal recorded so far; reading it learns each object's identity.
    if (m_journal == Journal::yes) m_whole = read_journal(connection).others || m_whole;
    m_pending_code = false;
  } else if (m_journal == Journal::yes) {
    catch_up(connection);
  }
  if (m_journal != Journal::yes) m_whole = true;
}

void DestructiveGuard::after_statement(db::Connection& connection, const migrations::Migration& migration,
                                       const sql::Statement& statement, std::size_t index,
                                       std::string_view command_tag) {
  (void)connection;
  (void)migration;
  (void)index;
  (void)command_tag;
  if (m_skipping) return;
  if (!m_whole && guard::hides_changes_from_journal(statement)) m_whole = true;
  if (!m_code && guard::runs_code(statement)) m_code = true;
}

void DestructiveGuard::after_migration(db::Connection& connection, const migrations::Migration& migration,
                                       bool applied) {
  if (!applied || m_skipping || !m_model) {
    // Nothing to compare (it only added, or it was rolled back). With the journal, whatever a
    // failed migration left behind outside a transaction is in it, and caught up on later.
    if (m_journal != Journal::yes) m_model.reset();
    if (!applied && m_code) m_pending_code = true;
    return;
  }
  std::optional<catalog::SchemaModel> after;
  const auto read = m_journal == Journal::yes ? read_journal(connection) : JournalRead{};
  if (m_journal == Journal::yes && !m_whole && !read.renamed && !read.others) {
    if (read.names.empty()) return;  // no DDL ran: nothing in the schema changed
    after = patched(connection, with_relatives(connection, read.names, m_code));
  } else {
    after = snapshot(connection);
  }
  auto found = destructive_findings(migration, destructive_changes(*m_model, *after));
  for (auto& f : found) m_findings.push_back(std::move(f));
  m_model = std::move(after);
}

void DestructiveGuard::unwatched_migration(db::Connection& connection, const migrations::Migration& migration) {
  (void)connection;
  // What it did is history's. With the journal the next compared migration catches up on it,
  // unless it hid something from the journal: then that one reads afresh.
  if (m_journal != Journal::yes) {
    m_model.reset();
    return;
  }
  if (!m_model) return;
  const auto what = classify(migration);
  if (what.hides) m_model.reset();
  if (what.runs_code) m_pending_code = true;
}

void DestructiveGuard::finish(db::Connection& connection) { (void)connection; }

std::vector<Finding> DestructiveGuard::findings() const { return m_findings; }

}  // namespace pgdrift::lint
