#include "known_columns.hpp"
#include "support.hpp"
#include "type_change.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER COLUMN … TYPE on a table that existed before the migration, at the new type.
// The old type is in the catalog, not in the SQL: it is known only when the same file added the
// column or changed its type before. Then binary-coercible changes (varchar widening, varchar →
// text, numeric precision widening, cidr → inet, …; see type_change.cpp) are not reported.
// When it is unknown the change is reported, naming the old types that would make it free.
// Narrowing changes (and any change to char(n)) belong to narrowing-type, not to this rule.
class ChangeColumnType : public BasicRule {
 public:
  ChangeColumnType()
      : BasicRule(
            {"change-column-type", Severity::warning, "type and data",
             "changing a column's type rewrites the whole table and rebuilds its indexes under an "
             "ACCESS EXCLUSIVE lock, blocking every read and write of the table until it is done",
             "widen only in ways Postgres does without a rewrite (varchar(n) to a longer varchar "
             "or to text, numeric(p,s) to a larger p); otherwise add a column of the new type, "
             "backfill it in batches, move the code to it and drop the old one later"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    for (const auto& command : existing_table_commands(tree, state, "AT_AlterColumnType")) {
      check_command(relation, command, statement, state, sink);
    }
    m_columns.observe(tree);
  }

 private:
  void check_command(const sql::Node& relation, const sql::Node& command,
                     const StatementView& statement, const FileState& state, Sink& sink) const {
    const std::string table = sql::relation_name(relation);
    const std::string column = command["name"].str();
    const auto type_node = command["def"]["typeName"];
    const ColumnType to = column_type(type_node);
    const bool keeps_values = using_keeps_values(command["def"]["raw_default"], column);
    std::string message = "ALTER COLUMN " + column + " TYPE " + to.shown + " rewrites table " +
                          table + " and all its indexes under an ACCESS EXCLUSIVE lock";
    const auto old_node = m_columns.type_of(table, column, state);
    if (!old_node.is_null()) {
      const ColumnType from = column_type(old_node);
      const TypeChange change = classify(from, to);
      if (change == TypeChange::narrowing) return;
      if ((change == TypeChange::same || change == TypeChange::binary_coercible) && keeps_values)
        return;
      message += " (" + from.shown + " to " + to.shown + ")";
    } else {
      if (narrows_any(to)) return;
      const std::string exception = keeps_values ? no_rewrite_from(to) : "";
      if (!exception.empty()) message += ", unless " + exception;
    }
    if (!keeps_values) message += "; the USING expression computes every value anew";
    sink.report(offset_of(type_node, statement), message, column_object(relation, column));
  }

  KnownColumns m_columns;
};

}  // namespace

std::unique_ptr<Rule> make_change_column_type() { return std::make_unique<ChangeColumnType>(); }

}  // namespace pgdrift::lint::rules
