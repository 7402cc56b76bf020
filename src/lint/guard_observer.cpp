// DestructiveGuard: the replay observer that snapshots the schema around each migration.

#include <chrono>
#include <utility>

#include "pgdrift/lint/guard.hpp"

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

}  // namespace

DestructiveGuard::DestructiveGuard(catalog::IntrospectOptions options) : m_options(std::move(options)) {}

catalog::SchemaModel DestructiveGuard::snapshot(db::Connection& connection) {
  const auto started = std::chrono::steady_clock::now();
  auto model = catalog::introspect(connection, m_options);
  m_snapshot_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  ++m_snapshots;
  return model;
}

void DestructiveGuard::before_migration(db::Connection& connection, const migrations::Migration& migration) {
  m_skipping = false;
  if (only_adds(migration, true)) {
    const auto code = user_code(connection);
    m_skipping = !code.on_ddl && (!code.on_writes || only_adds(migration, false));
  }
  if (m_skipping) {
    m_before.reset();  // what it adds is not in the snapshot: the next migration takes its own
    return;
  }
  // The previous migration's "after" is this one's "before": one snapshot per migration.
  if (!m_before) m_before = snapshot(connection);
}

void DestructiveGuard::after_statement(db::Connection& connection, const migrations::Migration& migration,
                                       const sql::Statement& statement, std::size_t index,
                                       std::string_view command_tag) {
  (void)connection;
  (void)migration;
  (void)statement;
  (void)index;
  (void)command_tag;
}

void DestructiveGuard::after_migration(db::Connection& connection, const migrations::Migration& migration,
                                       bool applied) {
  if (m_skipping || !applied) {
    // Nothing to compare (it only added, or it was rolled back); the next one snapshots afresh.
    m_before.reset();
    return;
  }
  auto after = snapshot(connection);
  if (m_before) {
    auto found = destructive_findings(migration, destructive_changes(*m_before, after));
    for (auto& f : found) m_findings.push_back(std::move(f));
  }
  m_before = std::move(after);
}

void DestructiveGuard::unwatched_migration(db::Connection& connection, const migrations::Migration& migration) {
  (void)connection;
  (void)migration;
  m_before.reset();  // what it dropped is history's: the next watched migration snapshots afresh
}

void DestructiveGuard::finish(db::Connection& connection) { (void)connection; }

std::vector<Finding> DestructiveGuard::findings() const { return m_findings; }

}  // namespace pgdrift::lint
