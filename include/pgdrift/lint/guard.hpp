#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/lint/observer.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::lint {

// One object that disappeared or narrowed between two schema snapshots.
struct DestructiveChange {
  std::string rule;     // "destructive/drop-column", "destructive/narrow-type", …
  std::string object;   // "column public.users.email"
  std::string message;  // what was lost, concretely
  // Identifiers a statement that caused it most likely mentions, most specific first: the
  // object's own name, then its table's (e.g. {"email", "users"}).
  std::vector<std::string> names;
  // Words that statement most likely contains, any one of them ("drop", "rename"; "set not
  // null"), matched like names (words separated by single spaces).
  std::vector<std::string> keywords;
  Severity severity = Severity::error;  // the rule's, or lower where the loss is smaller
};

// Everything that disappeared or narrowed from `before` to `after`, in identity order of the
// object. Objects of a dropped table, view or schema (columns, indexes, constraints, triggers,
// the schema's tables…) are folded into that one drop; indexes and constraints that went away
// with a dropped column into the column's. A new object or a widened one is never reported, nor
// a unique index that became a new constraint (ADD CONSTRAINT … USING INDEX).
std::vector<DestructiveChange> destructive_changes(const catalog::SchemaModel& before,
                                                   const catalog::SchemaModel& after);

// Whether a column of type `from` can become type `to` (format_type spellings, e.g.
// "character varying(50)", "timestamp(3) without time zone", "integer[]") keeping every value:
// a known widening. False for anything not known to widen. `enum_from`: `from` is an enum type.
bool is_widening(std::string_view from, std::string_view to, bool enum_from = false);

// Why a change from `from` to `to` that is not a widening can lose values, in words a reviewer
// checks ("character varying(255) holds at most 255 characters; text has no limit").
std::string narrowing_reason(std::string_view from, std::string_view to);

// The findings for `changes` seen after `migration` (errors, located in its file): each at the
// first statement of the up SQL that mentions all of its names and one of its keywords as
// identifiers, else all of its names, else its first name, then its second…, else the first
// statement ("mentions": case-insensitive, quoted or not, not inside a longer identifier; string
// literals count, so a DO block building `'DROP TABLE ' || 'users'` is found).
std::vector<Finding> destructive_findings(const migrations::Migration& migration,
                                          const std::vector<DestructiveChange>& changes);

// Whether every statement of `migration` only creates or adds (CREATE TABLE/INDEX/VIEW/FUNCTION/
// TYPE…, ALTER TABLE … ADD COLUMN/CONSTRAINT other than a primary key, ALTER TYPE … ADD VALUE,
// COMMENT, GRANT, SET, ANALYZE) or, when `plain_writes` (the database ran no user code on writes
// before the migration: see DestructiveGuard), writes rows (INSERT, UPDATE, DELETE) or validates
// a constraint, unless the migration itself adds code that writes run (a trigger, function, view,
// domain, policy, or a default or check calling a function); and calls no function but a few
// built-ins (now(), lower()…) where it is evaluated on existing rows. Such a migration cannot
// drop or narrow anything. Anything else is false: DO, SELECT, CALL, a statement that does not
// parse.
bool only_adds(const migrations::Migration& migration, bool plain_writes = false);

// The destructive-change guard: compares the schema before and after each migration and reports
// what the migration dropped or narrowed, however its SQL was written (DO blocks and function calls
// included). A migration that only adds is not compared: only_adds(), with plain_writes when no
// trigger and no default, check or view calls a user function, and only while no enabled event
// trigger could run SQL behind any statement (one catalog query tells).
//
// With pgdrift's change journal in the database (replay/journal.cpp: its events table records the
// identity of everything each DDL command created, altered or dropped, whoever ran it) the guard
// keeps one model of the whole schema up to date incrementally: it reads the whole schema once,
// then after a compared migration re-reads only the objects the journal names (a focused
// catalog::introspect, see catalog::in_focus), and before one the objects earlier migrations
// touched since. A migration with a statement the journal cannot follow (one that renames or moves
// an object, whose dependents' texts change without an event naming them; DO, CALL, SELECT and
// other code of unknown effect; ATTACH/DETACH PARTITION, [NO] INHERIT; event triggers;
// session_replication_role), or that runs while another event trigger is enabled, is compared on
// whole-schema reads instead, and so is everything when the journal is absent (the role may not
// create event triggers) or was disabled. A failed migration was rolled
// back: it is not compared.
class DestructiveGuard : public ReplayObserver {
 public:
  explicit DestructiveGuard(catalog::IntrospectOptions options = {});

  void before_migration(db::Connection& connection, const migrations::Migration& migration) override;
  void after_statement(db::Connection& connection, const migrations::Migration& migration,
                       const sql::Statement& statement, std::size_t index, std::string_view command_tag) override;
  void after_migration(db::Connection& connection, const migrations::Migration& migration, bool applied) override;
  void unwatched_migration(db::Connection& connection, const migrations::Migration& migration) override;
  void finish(db::Connection& connection) override;
  std::vector<Finding> findings() const override;

  // What the guard cost: whole-schema reads, focused reads, and their total time (ms).
  std::size_t snapshots() const { return m_snapshots; }
  std::size_t focused_reads() const { return m_focused_reads; }
  double snapshot_ms() const { return m_snapshot_ms; }
  // Whether the change journal drove the guard (false: whole-schema reads only).
  bool journaled() const { return m_journal == Journal::yes; }

  // The model the guard keeps, brought up to date with the connected database (for tests: it must
  // equal catalog::introspect of that database). Null before the first compared migration.
  const catalog::SchemaModel* tracked_model(db::Connection& connection);

 private:
  enum class Journal { unknown, yes, no };
  // What the journal recorded since it was last read.
  struct JournalRead {
    std::vector<std::string> names;  // the identifiers its events name (see catalog::in_focus)
    bool renamed = false;  // an object got a new identity (rename, SET SCHEMA), or ALTER TYPE ran
    bool others = false;   // another event trigger is enabled
  };
  catalog::SchemaModel snapshot(db::Connection& connection);
  // Reads the journal's events after m_seq and its health, advances m_seq and m_identities. Sets
  // m_journal to no when the journal stopped recording.
  JournalRead read_journal(db::Connection& connection);
  // `names` with the tables that are (or were, in m_model) their partitions, children or parents;
  // with `ask_database`, also those the catalog says are now (code may have attached them).
  std::vector<std::string> with_relatives(db::Connection& connection, std::vector<std::string> names,
                                          bool ask_database);
  // Brings m_model up to date with what the journal recorded since it was read.
  void catch_up(db::Connection& connection);
  // A focused read of `names`, replacing their objects in a copy of m_model.
  catalog::SchemaModel patched(db::Connection& connection, const std::vector<std::string>& names);

  catalog::IntrospectOptions m_options;
  Journal m_journal = Journal::unknown;
  std::optional<catalog::SchemaModel> m_model;  // the schema after the last migration read, or unknown
  long long m_seq = 0;                          // the last journal event m_model includes
  std::map<std::string, std::string> m_identities;  // "classid/objid" → the journal's last identity
  bool m_skipping = false;                      // the running migration only adds
  bool m_whole = false;                         // the running migration is compared on whole reads
  bool m_code = false;                          // the running migration runs code (guard::runs_code)
  bool m_pending_code = false;                  // code ran in a migration not compared since m_model
  std::vector<Finding> m_findings;
  std::size_t m_snapshots = 0;
  std::size_t m_focused_reads = 0;
  double m_snapshot_ms = 0;
};

}  // namespace pgdrift::lint
