#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER TABLE … RENAME TO of a table that existed before the migration, at the table's name.
class RenameTable : public BasicRule {
 public:
  RenameTable()
      : BasicRule(
            {"rename-table", Severity::error, "drops and renames",
             "code still running during and after the deploy uses the old name, and every query of "
             "it fails until all of it is replaced",
             "expand and contract: rename and keep the old name working in the same transaction "
             "(`ALTER TABLE old RENAME TO new; CREATE VIEW old AS SELECT * FROM new;`), move the "
             "code to the new name, then drop the view in a later migration"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (!tree.is("RenameStmt") || tree["renameType"].str() != "OBJECT_TABLE") return;
    const auto relation = tree["relation"];
    if (state.created_here(relation)) return;
    const std::string table = sql::relation_name(relation);
    const std::string renamed = tree["newname"].str();
    sink.report(offset_of(relation, statement),
                "ALTER TABLE " + table + " RENAME TO " + renamed + ": queries still naming " +
                    table + " fail",
                table_object(relation));
  }
};

}  // namespace

std::unique_ptr<Rule> make_rename_table() { return std::make_unique<RenameTable>(); }

}  // namespace pgdrift::lint::rules
