#include <algorithm>
#include <set>

#include "pgdrift/lint/lint.hpp"
#include "pgdrift/util/text.hpp"
#include "rules/registry.hpp"
#include "rules/support.hpp"

namespace pgdrift::lint {
namespace {

// Collects one rule's reports as findings located in the migration's file.
class FindingSink : public Sink {
 public:
  FindingSink(const migrations::Migration& migration, const util::LineIndex& lines, std::vector<Finding>& out)
      : m_migration(migration), m_lines(lines), m_out(out) {}

  // Reports of `info` in `statement`; with `anywhere` (Rule::finish), anywhere in the file.
  void use(const RuleInfo& info, const sql::Statement& statement, bool anywhere = false) {
    m_info = &info;
    m_statement = &statement;
    m_anywhere = anywhere;
  }

  void report(std::size_t offset, std::string message, std::string object) override {
    Finding f;
    f.rule = finding_rule(m_info->id);
    f.severity = m_info->severity;
    f.message = std::move(message);
    f.hint = m_info->hint;
    f.object = std::move(object);
    // A location outside the statement (none given, or a rule's mistake) points at its start.
    const bool inside = offset >= m_statement->begin && offset <= m_statement->end;
    if (!inside && !(m_anywhere && offset <= m_migration.up_sql.size())) offset = m_statement->begin;
    const auto at = m_lines.at(m_migration.source_offset(offset));
    const auto end = inside || !m_anywhere ? m_lines.at(m_migration.source_offset(m_statement->end)) : at;
    f.location = Location{m_migration.display_path, at.line, at.column, end.line, end.column};
    m_out.push_back(std::move(f));
  }

 private:
  const migrations::Migration& m_migration;
  const util::LineIndex& m_lines;
  std::vector<Finding>& m_out;
  const RuleInfo* m_info = nullptr;
  const sql::Statement* m_statement = nullptr;
  bool m_anywhere = false;
};

// A `SET [LOCAL] <name> = <value>` that sets a timeout (not to 0 or DEFAULT).
bool sets_timeout(const sql::Node& tree, std::string_view name) {
  if (!tree.is("VariableSetStmt") || tree["name"].str() != name) return false;
  if (tree["kind"].str() != "VAR_SET_VALUE") return false;
  const auto args = tree["args"].items();
  if (args.empty()) return false;
  const auto& value = args.front();
  if (!value["sval"].is_null()) {
    // '0', '0s', '0ms', '0min': a number with a unit; zero (or no number) means no timeout.
    const std::string text = value.str();
    std::size_t digits = 0;
    bool nonzero = false;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') nonzero |= text[digits++] != '0';
    return digits > 0 && nonzero;
  }
  return value.integer(0) != 0;
}

// ALTER TABLE old RENAME TO new of a table created earlier in the file: the table keeps counting
// as created here under its new name (in its schema: the one it was created in, else the one the
// RENAME names), and no longer under the old one.
void rename_created_table(const sql::Node& tree, FileState& state) {
  const auto relation = tree["relation"];
  const std::string old_name = sql::relation_name(relation);
  std::set<std::string> out;
  for (const auto& created : state.created_tables) {
    if (!rules::same_name(created, old_name)) {
      out.insert(created);
      continue;
    }
    const auto dot = created.rfind('.');
    const std::string schema =
        dot != std::string::npos ? created.substr(0, dot) : relation["schemaname"].str();
    out.insert((schema.empty() ? "" : schema + ".") + tree["newname"].str());
  }
  state.created_tables = std::move(out);
}

// What the statement changes in what the linter knows about the file.
void observe(const sql::Node& tree, FileState& state) {
  const std::string type = tree.type();
  if (type == "CreateStmt") {
    state.created_tables.insert(sql::relation_name(tree["relation"]));
  } else if (type == "SelectStmt" && !tree["intoClause"].is_null()) {
    state.created_tables.insert(sql::relation_name(tree["intoClause"]["rel"]));  // SELECT … INTO t
  } else if (type == "CreateTableAsStmt") {
    state.created_tables.insert(sql::relation_name(tree["into"]["rel"]));
  } else if (type == "RenameStmt" && tree["renameType"].str() == "OBJECT_TABLE") {
    rename_created_table(tree, state);
  } else if (type == "TransactionStmt") {
    // Postgres does not nest transactions: a second BEGIN only warns, one COMMIT ends it.
    if (rules::begins_transaction(tree)) {
      state.explicit_depth = 1;
    } else if (rules::ends_transaction(tree)) {
      state.explicit_depth = 0;
    }
  } else if (type == "VariableSetStmt") {
    if (tree["name"].str() == "lock_timeout") state.lock_timeout_set = sets_timeout(tree, "lock_timeout");
    if (tree["name"].str() == "statement_timeout") {
      state.statement_timeout_set = sets_timeout(tree, "statement_timeout");
    }
  }
}

}  // namespace

bool FileState::created_here(const sql::Node& range_var) const {
  return created_here(sql::relation_name(range_var));
}

bool FileState::created_here(const std::string& name) const {
  return std::any_of(created_tables.begin(), created_tables.end(),
                     [&](const std::string& created) { return rules::same_name(created, name); });
}

std::string finding_rule(std::string_view id) {
  if (id.find('/') != std::string_view::npos) return std::string(id);
  return "lint/" + std::string(id);
}

bool runs_in_transaction(const migrations::Migration& migration, const std::vector<sql::Statement>& statements,
                         int pg_version_num) {
  if (migration.no_transaction) return false;
  return std::all_of(statements.begin(), statements.end(), [&](const sql::Statement& s) {
    return sql::transaction_need(s, pg_version_num) == sql::TransactionNeed::any;
  });
}

std::vector<Finding> check(const migrations::Migration& migration, const Options& options) {
  std::vector<Finding> out;
  const auto statements = sql::split(migration.up_sql);
  const util::LineIndex lines(migration.source);
  FindingSink sink(migration, lines, out);
  FileState state;
  state.known = options.known;
  state.pg_version_num = options.pg_version_num;
  state.wrapped = runs_in_transaction(migration, statements, options.pg_version_num);
  // How the migration's tool sends it (set by discovery from the format).
  using Shape = migrations::TransactionShape;
  state.implicit_transaction = (migration.shape == Shape::one_query && statements.size() > 1) ||
                               migration.shape == Shape::batch;
  state.tool_wraps = migration.shape == Shape::transaction;
  state.tool = migration.tool;
  auto rules = make_rules();
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const auto& statement = statements[i];
    if (!statement.parse_error.empty()) {
      if (!options.report_syntax_errors) continue;
      Finding f;
      f.rule = "lint/syntax-error";
      f.severity = Severity::error;
      f.message = statement.parse_error;
      f.hint = "fix the statement: Postgres would reject it too";
      const auto at = lines.at(migration.source_offset(statement.parse_error_at));
      f.location = Location{migration.display_path, at.line, at.column, 0, 0};
      out.push_back(std::move(f));
      continue;
    }
    const sql::Node tree = sql::parse_tree(statement);
    const StatementView view{statement, tree, migration.up_sql, i};
    for (auto& rule : rules) {
      sink.use(rule->info(), statement);
      rule->check(view, state, sink);
    }
    observe(tree, state);
  }
  const sql::Statement* last = nullptr;
  for (const auto& statement : statements) {
    if (statement.parse_error.empty()) last = &statement;
  }
  if (last != nullptr) {
    for (auto& rule : rules) {
      sink.use(rule->info(), *last, true);
      rule->finish(state, sink);
    }
  }
  return out;
}

}  // namespace pgdrift::lint
