#include "known_columns.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER TABLE … DROP COLUMN on a table that existed before the migration. A column the same file
// added is not reported: it holds no data from before, and no released code reads it.
// The AlterTableCmd has no location in the parse tree, so findings point at the table's name.
class DropColumn : public BasicRule {
 public:
  DropColumn()
      : BasicRule(
            {"drop-column", Severity::error, "drops and renames",
             "DROP COLUMN erases the column's data for good, and code still reading or writing it "
             "fails at once",
             "stop using the column in a release first (e.g. Rails `ignored_columns`); drop it in "
             "a later migration and say so with `-- pgdrift:ignore drop-column <reason>`"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    const std::string table = sql::relation_name(relation);
    for (const auto& command : existing_table_commands(tree, state, "AT_DropColumn")) {
      const std::string column = command["name"].str();
      if (m_columns.added_here(table, column)) continue;
      sink.report(offset_of(relation, statement),
                  "DROP COLUMN " + column + " on table " + table +
                      " deletes the column and its data in every row",
                  column_object(relation, column));
    }
    m_columns.observe(tree);
  }

 private:
  KnownColumns m_columns;
};

}  // namespace

std::unique_ptr<Rule> make_drop_column() { return std::make_unique<DropColumn>(); }

}  // namespace pgdrift::lint::rules
