#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pgdrift/lint/rule.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::lint {

// Every rule pgdrift reports about migrations: the static rules, then the dynamic ones (seen
// while replaying), then destructive/… and the linter's own (unknown-rule, …). Ids of static and
// dynamic rules have no prefix ("drop-table"); destructive ones keep theirs ("destructive/drop-table").
const std::vector<RuleInfo>& all_rules();

// The rules the replay observers report: Tracer (trace.cpp) and DestructiveGuard (guard.cpp).
std::vector<RuleInfo> dynamic_rule_infos();
std::vector<RuleInfo> destructive_rule_infos();

// The rule id a finding carries: "lint/<id>", or the id itself when it has a prefix.
std::string finding_rule(std::string_view id);

// The RuleInfo of an id written by a user ("drop-table", "lint/drop-table",
// "destructive/drop-column"); nullptr when unknown.
const RuleInfo* find_rule(std::string_view id);

namespace rules {
class KnownColumns;
}

// The columns of tables and their types as earlier migrations (the history) left them, read
// statically from their SQL: CREATE TABLE, ADD/ALTER/DROP COLUMN, renames and drops. Lets check()
// know the old type of a column a file changes without having set it itself.
class Knowledge {
 public:
  Knowledge();
  ~Knowledge();
  Knowledge(Knowledge&&) noexcept;
  Knowledge& operator=(Knowledge&&) noexcept;

  // Reads what `migration` does to tables. With `tables` non-empty, only statements whose text
  // names one of them (unqualified, any case) are parsed: a cheap filter for long histories.
  void learn(const migrations::Migration& migration, const std::set<std::string>& tables = {});
  // The type the history last gave `table`.`column` (a TypeName node); null when unknown.
  sql::Node type_of(const std::string& table, const std::string& column) const;

 private:
  std::unique_ptr<rules::KnownColumns> m_columns;
};

// The tables (unqualified, lower case) whose columns `migration` alters: what Knowledge::learn
// needs to read from the history to judge it.
std::set<std::string> altered_tables(const migrations::Migration& migration);

struct Options {
  const Knowledge* known = nullptr;  // what earlier migrations built (lint --base, verify --base)
  int pg_version_num = 150000;  // the PostgreSQL version the migrations will run on
  bool report_syntax_errors = true;  // lint/syntax-error for statements that do not parse
  migrations::Format format = migrations::Format::plain;  // the tool that will run them
};

// The static findings of one migration (suppressions not applied yet: see apply_directives).
// Locations point into the migration's file (display_path, 1-based line:column).
std::vector<Finding> check(const migrations::Migration& migration, const Options& options);

// Whether pgdrift wraps `migration` in a transaction on a server of `pg_version_num` (the file
// does not opt out and no statement needs to run outside a transaction block).
bool runs_in_transaction(const migrations::Migration& migration, const std::vector<sql::Statement>& statements,
                         int pg_version_num);

// Allowing destructive changes without an inline directive.
struct AllowDestructive {
  std::string reason;                  // non-empty: every destructive change is allowed for it
  std::map<std::string, std::string> files;  // glob on a migration's display path or file name → reason
};

// Applies the `-- pgdrift:` directives of `migrations` to `findings` (of those migrations):
//   -- pgdrift:ignore <rule>[,<rule>…] <reason>       drops the next statement's findings of those rules
//   -- pgdrift:ignore-file <rule>[,<rule>…] <reason>  drops them for the whole file
//   -- pgdrift:allow-destructive <reason>             destructive/… findings, and those of the
//                                                     static rules about data loss (drops and
//                                                     renames, narrowing-type), of the next
//                                                     statement (of the whole file when it comes
//                                                     before the first statement) become notices
//                                                     that show the reason
// `allow` does the same as the last one from outside the file. Adds warnings (lint/unknown-rule,
// lint/directive-without-reason, lint/unknown-directive) for directives that are malformed.
void apply_directives(std::vector<Finding>& findings, const std::vector<migrations::Migration>& migrations,
                      const AllowDestructive& allow);

// Drops each static finding ("lint/drop-table", "lint/rename-column") that the destructive guard
// also reported ("destructive/drop-table", "destructive/rename") on the same line: what the
// server did is the better evidence.
void drop_static_duplicates(std::vector<Finding>& findings);

}  // namespace pgdrift::lint
