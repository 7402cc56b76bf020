#pragma once

// Private to lint/rules: which relations that existed before the migration a statement locks,
// how strongly, and whether it scans or rewrites them; and whether a timeout setting is in
// effect. Shared by missing-lock-timeout and missing-statement-timeout.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "support.hpp"

namespace pgdrift::lint::rules {

// Table-level lock modes that matter to a migration, weakest first. `none`: no table lock that
// conflicts with ordinary traffic (ACCESS SHARE … ROW EXCLUSIVE, or only row locks).
enum class LockMode {
  none,
  share_update_exclusive,
  share,
  share_row_exclusive,
  exclusive,
  access_exclusive
};

// "ACCESS EXCLUSIVE", "SHARE", …; "" for none.
std::string lock_mode_name(LockMode mode);

// Whether `mode` blocks ordinary traffic: writes (SHARE and stronger), or reads too (ACCESS
// EXCLUSIVE).
bool blocks_traffic(LockMode mode);

// What one statement does to one relation that existed before the migration.
struct TableAccess {
  std::string
      action;  // what does it, for messages: "ALTER TABLE users ADD COLUMN email", "CREATE INDEX"
  std::string object;  // the finding's object: "table users", "index users_email_idx", "database"
  std::string locked;  // what the lock is on, for messages: "table users", "the table of index
                       // users_email_idx"
  LockMode lock = LockMode::none;  // the strongest table lock it takes
  bool long_running = false;       // scans or rewrites it: run time grows with the relation's size
  std::size_t offset =
      0;  // byte offset to report at: the action's node, else the statement's start
};

// The accesses of `statement` to relations that existed before the migration, in statement
// order; tables created earlier in the file are skipped (but a new table's foreign key still
// locks the existing table it references).
std::vector<TableAccess> existing_table_accesses(const StatementView& statement,
                                                 const FileState& state);

// Whether a timeout setting (lock_timeout, statement_timeout) is in effect before each statement
// of a file. Call in_effect() for the statement being checked, then observe() with it. Unlike
// FileState's flags it knows that SET LOCAL does nothing outside a transaction and expires at
// COMMIT, that RESET / DEFAULT / '0s' turn the timeout off, and it reads set_config(name, …).
class TimeoutSetting {
 public:
  explicit TimeoutSetting(std::string name) : m_name(std::move(name)) {}
  bool in_effect() const { return m_set; }
  void observe(const StatementView& statement, const FileState& state);

 private:
  void set(bool on, bool local, const FileState& state);

  std::string m_name;
  bool m_set = false;
  bool m_expires_at_commit = false;  // set by SET LOCAL between BEGIN and COMMIT of the file
};

}  // namespace pgdrift::lint::rules
