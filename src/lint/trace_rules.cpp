// The rules the Tracer reports (what it sees on the server while migrations replay): their ids,
// severities, why they matter and the safe alternative, for reports, the README and config.
#include "pgdrift/lint/lint.hpp"

namespace pgdrift::lint {

std::vector<RuleInfo> dynamic_rule_infos() {
  const std::string category = "observed during replay";
  return {
      {"lock-taken", Severity::warning, category,
       "the statement took a lock on an existing table that blocks its reads and writes (ACCESS EXCLUSIVE) or its "
       "writes (EXCLUSIVE, SHARE ROW EXCLUSIVE, SHARE) until the transaction ends, and queries queue behind it while "
       "it waits for running transactions",
       "use the non-blocking form (CREATE INDEX CONCURRENTLY, ADD CONSTRAINT … NOT VALID then VALIDATE CONSTRAINT), "
       "set a short lock_timeout (SET lock_timeout = '2s') and retry, and keep the transaction short"},
      {"table-rewrite", Severity::warning, category,
       "the statement copied every row of an existing table (or index) into a new file under an ACCESS EXCLUSIVE "
       "lock: reads and writes wait for as long as the copy takes, and it needs disk space for a second copy",
       "avoid the rewrite: add columns with a constant default (PostgreSQL 11+) or none and backfill in batches; "
       "change a type by adding a new column, backfilling it and switching over; prefer changes that need no "
       "rewrite (varchar(n) → text, a larger varchar limit)"},
      {"validation-scan", Severity::warning, category,
       "the statement read every row of an existing table to check it (SET NOT NULL, a CHECK or FOREIGN KEY) while "
       "holding a lock that blocks writes, so writes wait for as long as the scan takes",
       "ADD CONSTRAINT … NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT in its own transaction (it blocks no "
       "reads or writes); for SET NOT NULL, validate a CHECK (col IS NOT NULL) first and PostgreSQL 12+ skips "
       "the scan"},
      {"lock-held-across-statements", Severity::warning, category,
       "an ACCESS EXCLUSIVE lock taken by an earlier statement is still held while later statements of the same "
       "transaction run, so everything waiting for the table waits for all of them",
       "take the lock last in its transaction, combine ALTER TABLE actions on one table into one statement, and "
       "move backfills and index builds into their own transactions or migrations"},
      {"foreign-key-without-index", Severity::warning, category,
       "no index starts with the foreign key's columns, so every DELETE of a referenced row (or UPDATE of its key) "
       "scans the whole referencing table while holding locks, and such writes pile up",
       "CREATE INDEX CONCURRENTLY ON the referencing table (the foreign key's columns)"},
  };
}

}  // namespace pgdrift::lint
