#pragma once

// Private to lint/rules: what most rules share.

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgdrift/lint/rule.hpp"

namespace pgdrift::lint::rules {

using RuleList = std::vector<std::unique_ptr<Rule>>;

// A rule whose info is fixed at construction.
class BasicRule : public Rule {
 public:
  explicit BasicRule(RuleInfo info) : m_info(std::move(info)) {}
  const RuleInfo& info() const override { return m_info; }

 private:
  RuleInfo m_info;
};

// The AlterTableCmd nodes of an `ALTER TABLE` statement (not ALTER INDEX/VIEW/…); empty for
// any other statement.
std::vector<sql::Node> alter_table_commands(const sql::Node& tree);

// The AlterTableCmd nodes of kind `subtype` ("AT_DropColumn") of an `ALTER TABLE` statement on a
// table that existed before the migration (not FileState::created_here); empty otherwise.
std::vector<sql::Node> existing_table_commands(const sql::Node& tree, const FileState& state,
                                               std::string_view subtype);

// The ColumnDef of each ADD COLUMN of an `ALTER TABLE` statement, in order.
std::vector<sql::Node> added_columns(const sql::Node& tree);

// The Constraint nodes one AlterTableCmd adds: ADD CONSTRAINT's, or the column constraints of
// ADD COLUMN (NOT NULL and DEFAULT included); empty for any other command.
std::vector<sql::Node> command_constraints(const sql::Node& command);

// A constraint an `ALTER TABLE` statement adds, with the column it comes with.
struct AddedConstraint {
  sql::Node constraint;  // the Constraint node
  sql::Node column;      // ADD COLUMN's ColumnDef for a column constraint; null for ADD CONSTRAINT
};

// command_constraints() of every command of an `ALTER TABLE` statement, in order.
std::vector<AddedConstraint> added_constraints(const sql::Node& tree);

// The first constraint of kind `contype` ("CONSTR_NOTNULL") of a ColumnDef; a null node if none.
sql::Node column_constraint(const sql::Node& column_def, std::string_view contype);

// Whether a type base name (sql::type_base) is a serial pseudo-type: serial, bigserial,
// smallserial, serial2, serial4, serial8.
bool serial_type(const std::string& base);

// Whether Postgres computes a new column's values itself: a serial type (an implicit nextval()
// default), an identity column or a generated column.
bool generates_values(const sql::Node& column_def);

// Whether the rows already in a table get a non-NULL value for a column added with `column_def`:
// generates_values(), or a DEFAULT other than a bare NULL.
bool existing_rows_get_value(const sql::Node& column_def);

// Whether boolean option `name` of a DefElem list (VACUUM (FULL), REINDEX (CONCURRENTLY)) is on,
// as Postgres's defGetBoolean reads it: no argument is true; false, off and 0 are false.
bool option_on(const sql::Node& options, const std::string& name);

// BEGIN, START TRANSACTION: the statements that open a transaction block.
bool begins_transaction(const sql::Node& tree);
// COMMIT, ROLLBACK, PREPARE TRANSACTION: the statements that end the current transaction.
bool ends_transaction(const sql::Node& tree);

// "app.users" → "users"; a name without a schema unchanged.
std::string unqualified(const std::string& name);

// Whether two names as written ("schema.name" or "name") may name the same object: equal, or
// equal but for the schema when at least one of them has none (as FileState::created_here).
bool same_name(const std::string& a, const std::string& b);

// The indexes a file created so far (CREATE INDEX with a name), as "schema.name" (an index lives
// in its table's schema) or "name". Rules call observe() with every statement.
class CreatedIndexes {
 public:
  void observe(const sql::Node& tree);
  // Whether an index of that name ("schema.name" or "name") was created; matched by same_name.
  bool contains(const std::string& name) const;

 private:
  std::set<std::string> m_names;
};

// The best offset to report `node` at: its own location, else the first location inside it,
// else the statement's start.
std::size_t offset_of(const sql::Node& node, const StatementView& statement);

// "table users", "table app.users".
std::string table_object(const sql::Node& range_var);

// "users.email" style column object: "column users.email".
std::string column_object(const sql::Node& range_var, const std::string& column);

// Postgres's internal type names shown the way users write them: int4 → integer, int8 → bigint,
// bpchar → char, varchar → varchar, timestamptz → timestamptz, …; modifiers and [] kept.
std::string display_type(const sql::Node& type_name_node);

}  // namespace pgdrift::lint::rules
