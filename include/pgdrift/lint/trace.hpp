#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "pgdrift/lint/observer.hpp"

namespace pgdrift::lint {

// What tracing cost: the catalog queries it sent (one per traced statement, one per migration,
// one after the last) and their wall time in milliseconds, round trips included, as well as the
// time spent preparing and deallocating the statement queries (not counted in `queries`).
struct TraceStats {
  std::size_t statements = 0;  // statements traced
  std::size_t queries = 0;
  double query_ms = 0;
};

// Watches what Postgres actually does while migrations replay (issue 6, "dynamic tracing") and
// reports it as findings lint/lock-taken, lint/table-rewrite, lint/validation-scan,
// lint/lock-held-across-statements and lint/foreign-key-without-index, located at the statement
// (file:line:column of its first token). Only relations that existed when the migration began
// count ("pre-existing": tables, partitioned tables, materialized views and indexes outside
// pg_catalog, information_schema and pg_toast).
//
// One query per statement, run right after it in its transaction: this backend's relation locks
// (pg_locks) with each locked relation's file node and sequential-scan count, and, after a
// statement that may create a foreign key, the constraints created since. A rewrite or a scan
// leaves a lock until the transaction ends, so the locks say where to look; no catalog is read
// in full. It is a named prepared statement (pgdrift_trace_locks, pgdrift_trace_locks_constraints,
// … one per variant, prepared on first use): planning costs more than running it. finish()
// deallocates them; a DEALLOCATE or DISCARD in a migration (or a DO or CALL, which might run
// one) makes the tracer prepare them again under new names. Plus one query before a migration when the previous one may have created a relation
// (the new relations), and one after the last (unindexed foreign keys). No query after statements
// that take no lock a finding is about (COMMENT, GRANT, CREATE VIEW/FUNCTION, ANALYZE, …), nor
// after those that take no snapshot (BEGIN, SET, SHOW, SET CONSTRAINTS, …): a query there would
// make a later SET TRANSACTION ISOLATION LEVEL fail. LOCK TABLE takes none either but is traced
// (its lock is the point): `LOCK …; SET TRANSACTION …` fails under tracing.
//
// Migrations that run without a transaction: replay::run wraps each statement that behaves the
// same either way in BEGIN … COMMIT when observers are present (see replay.cpp), so the tracer
// sees its locks before COMMIT releases them. Statements that cannot be wrapped (CONCURRENTLY,
// VACUUM, DO, CALL, …) are traced after they committed: rewrites and new foreign keys are still
// seen (every pre-existing relation is compared then), locks and scans are not.
//
// Scan counts: on PostgreSQL 15+ exact across transactions; before 15 only for a table already
// locked earlier in the same transaction (older servers flush the counters asynchronously).
// New relations and constraints are found by oid order, which holds on a server whose oid
// counter has not wrapped around (always true of a fresh sandbox).
class Tracer : public ReplayObserver {
 public:
  Tracer();
  ~Tracer() override;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  void before_migration(db::Connection& connection, const migrations::Migration& migration) override;
  void after_statement(db::Connection& connection, const migrations::Migration& migration,
                       const sql::Statement& statement, std::size_t index, std::string_view command_tag) override;
  void after_migration(db::Connection& connection, const migrations::Migration& migration, bool applied) override;
  void unwatched_migration(db::Connection& connection, const migrations::Migration& migration) override;
  void finish(db::Connection& connection) override;
  std::vector<Finding> findings() const override;

  const TraceStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace pgdrift::lint
