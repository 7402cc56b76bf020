#include "known_columns.hpp"
#include "support.hpp"
#include "type_change.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER COLUMN … TYPE to a type that cannot hold every old value, on a table that existed before
// the migration, at the new type: text → varchar(n), a shorter varchar, less numeric precision or
// scale, int8 → int4/int2, int4 → int2, float8 → float4, timestamptz → timestamp, fewer
// fractional seconds, and any type → char(n). Except for char(n), narrowing is only visible when
// the old type is (the same file added the column or changed its type before); otherwise
// change-column-type reports the change and the destructive guard sees the narrowing at replay.
// This rule owns narrowing changes: change-column-type stays silent on them.
class NarrowingType : public BasicRule {
 public:
  NarrowingType()
      : BasicRule(
            {"narrowing-type", Severity::error, "type and data",
             "a smaller type cannot hold every existing value: the migration fails on the first "
             "value that does not fit, or an explicit cast silently cuts or rounds the data",
             "keep the wider type and enforce the limit with a CHECK constraint added NOT VALID, "
             "then VALIDATEd (`CHECK (length(col) <= 50)`); narrow only after checking the data"}) {
  }

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    const std::string table = sql::relation_name(relation);
    for (const auto& command : existing_table_commands(tree, state, "AT_AlterColumnType")) {
      const std::string column = command["name"].str();
      const auto type_node = command["def"]["typeName"];
      const ColumnType to = column_type(type_node);
      const std::string change =
          "ALTER COLUMN " + column + " TYPE " + to.shown + " on table " + table;
      const auto old_node = m_columns.type_of(table, column, state);
      if (!old_node.is_null()) {
        const ColumnType from = column_type(old_node);
        if (classify(from, to) != TypeChange::narrowing) continue;
        sink.report(
            offset_of(type_node, statement),
            change + " may cut, round or reject existing values: the column was " + from.shown,
            column_object(relation, column));
      } else if (narrows_any(to)) {
        sink.report(offset_of(type_node, statement),
                    change + " pads every value to " + std::to_string(to.modifiers[0]) +
                        " characters and fails on longer ones (an explicit cast cuts them)",
                    column_object(relation, column));
      }
    }
    m_columns.observe(tree);
  }

 private:
  KnownColumns m_columns;
};

}  // namespace

std::unique_ptr<Rule> make_narrowing_type() { return std::make_unique<NarrowingType>(); }

}  // namespace pgdrift::lint::rules
