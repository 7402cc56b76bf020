#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "pgdrift/sql/statement.hpp"
#include "pgdrift/sql/tree.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::lint {

class Knowledge;

// What a rule is, for reports, the README and configuration. `id` is the kebab-case name users
// write in suppressions and config (without the "lint/" prefix findings carry).
struct RuleInfo {
  std::string id;
  Severity severity = Severity::warning;
  std::string category;  // "drops and renames", "type and data", "constraints and locks", …
  std::string why;       // one sentence: why it is dangerous
  std::string hint;      // the safe alternative
};

// What the linter knows about a migration file before the statement being checked. Tables are
// keyed as written ("schema.name" or "name", identifiers already case-folded by the parser).
struct FileState {
  int pg_version_num = 150000;     // e.g. 150000 for PostgreSQL 15, 110000 for 11
  bool wrapped = true;             // pgdrift wraps the whole migration in one transaction
  bool tool_wraps = false;         // the migration tool always wraps it (goose, dbmate, diesel
                                   // unless the file opts out, drizzle), even around CONCURRENTLY
  bool implicit_transaction = false;  // the tool sends the whole file as one query or batch, which
                                      // Postgres runs as one implicit transaction (golang-migrate and
                                      // Prisma with > 1 statement, Supabase CLI always)
  std::string tool;                // the tool applying it ("goose"), "" for plain files
  int explicit_depth = 0;          // 1 while a BEGIN written in the file is not yet committed
  bool lock_timeout_set = false;   // SET [LOCAL] lock_timeout seen earlier (not to 0)
  bool statement_timeout_set = false;
  std::set<std::string> created_tables;  // created earlier in this migration (followed through RENAME TO)
  const Knowledge* known = nullptr;       // what earlier migrations (the history) built, when read

  bool in_transaction() const { return wrapped || explicit_depth > 0; }
  // Whether the RangeVar names a table created earlier in this migration (a name without a
  // schema matches the same name with any schema, and the other way round).
  bool created_here(const sql::Node& range_var) const;
  bool created_here(const std::string& name) const;  // "schema.name" or "name"
};

// One statement as a rule sees it. `tree` is the wrapped statement node ({"AlterTableStmt": …});
// node locations are byte offsets into `sql`, the migration's up SQL.
struct StatementView {
  const sql::Statement& statement;
  const sql::Node& tree;
  std::string_view sql;
  std::size_t index = 0;  // 0-based position in the migration
};

// Where rules report. `offset` is a byte offset into the up SQL (a node's location, or the
// statement's begin); `object` names what the finding is about ("table public.users").
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void report(std::size_t offset, std::string message, std::string object = "") = 0;
};

// A static rule. One instance checks one migration file, statement by statement, so a rule may
// remember what it saw in earlier statements of the same file.
class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  virtual void check(const StatementView& statement, const FileState& state, Sink& sink) = 0;
  // After the file's last statement (for rules about what a file never does). A report may
  // point anywhere in the file (an offset remembered from an earlier statement); one outside the
  // up SQL lands on the last statement. `state` includes every statement.
  virtual void finish(const FileState& state, Sink& sink) {
    (void)state;
    (void)sink;
  }
};

// A fresh instance of every static rule, in README order.
std::vector<std::unique_ptr<Rule>> make_rules();

}  // namespace pgdrift::lint
