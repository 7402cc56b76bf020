#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::lint {

// Watches a replay (replay::Options::observers). The replay calls these in order, on its own
// connection; an observer may run read-only queries on it but must leave the session as it
// found it (no transaction opened or closed, no setting changed), with one exception: named
// prepared statements prefixed pgdrift_, which it deallocates in finish(). After a failed replay
// (no finish()) they stay: the replay's connection is a throwaway sandbox one, where they are
// harmless. Failures of its own queries throw pgdrift::Error (infrastructure).
class ReplayObserver {
 public:
  virtual ~ReplayObserver() = default;
  // Before the migration starts, outside any transaction.
  virtual void before_migration(db::Connection& connection, const migrations::Migration& migration) = 0;
  // After a statement succeeded; inside the migration's transaction when it runs in one.
  // `statement` ranges are offsets into migration.up_sql; `command_tag` is the server's ("ALTER TABLE").
  virtual void after_statement(db::Connection& connection, const migrations::Migration& migration,
                               const sql::Statement& statement, std::size_t index,
                               std::string_view command_tag) = 0;
  // After the migration committed (applied = true) or failed and was rolled back; outside any
  // transaction.
  virtual void after_migration(db::Connection& connection, const migrations::Migration& migration,
                               bool applied) = 0;
  // After a migration the observers do not watch (history, see replay::Options::observe) applied;
  // outside any transaction. What it changed is not the watched migrations' doing: an observer
  // takes it as its new starting point.
  virtual void unwatched_migration(db::Connection& connection, const migrations::Migration& migration) {
    (void)connection;
    (void)migration;
  }
  // After the last migration, when every migration applied; outside any transaction.
  virtual void finish(db::Connection& connection) = 0;
  // What it saw.
  virtual std::vector<Finding> findings() const = 0;
};

}  // namespace pgdrift::lint
