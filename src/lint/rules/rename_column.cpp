#include "known_columns.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER TABLE … RENAME COLUMN on a table that existed before the migration, except of a column
// the same file added (no released code uses it yet). The parser keeps no location for the
// column, so findings point at the table's name.
class RenameColumn : public BasicRule {
 public:
  RenameColumn()
      : BasicRule({"rename-column", Severity::error, "drops and renames",
                   "code still running during and after the deploy uses the old column name, and "
                   "every query naming it fails until all of it is replaced",
                   "expand and contract: add the new column, write both, backfill it in batches, "
                   "move reads to it, then drop the old column in a later migration"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (tree.is("RenameStmt") && tree["renameType"].str() == "OBJECT_COLUMN" &&
        tree["relationType"].str() == "OBJECT_TABLE") {
      const auto relation = tree["relation"];
      const std::string table = sql::relation_name(relation);
      const std::string column = tree["subname"].str();
      if (!state.created_here(relation) && !m_columns.added_here(table, column)) {
        sink.report(offset_of(relation, statement),
                    "RENAME COLUMN " + column + " TO " + tree["newname"].str() + " on table " +
                        table + ": queries still naming " + column + " fail",
                    column_object(relation, column));
      }
    }
    m_columns.observe(tree);
  }

 private:
  KnownColumns m_columns;
};

}  // namespace

std::unique_ptr<Rule> make_rename_column() { return std::make_unique<RenameColumn>(); }

}  // namespace pgdrift::lint::rules
