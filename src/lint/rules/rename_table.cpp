#include <algorithm>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER TABLE … RENAME TO of a table that existed before the migration, at the table's name.
// Reported at the end of the file: a view created later in the file under the old name (the
// hint's expand/contract step) keeps old queries working, and then the rename is safe.
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
    (void)sink;
    const auto& tree = statement.tree;
    if (tree.is("ViewStmt")) {
      const std::string view = sql::relation_name(tree["view"]);
      m_pending.erase(std::remove_if(m_pending.begin(), m_pending.end(),
                                     [&](const Pending& p) { return same_name(p.table, view); }),
                      m_pending.end());
      return;
    }
    if (!tree.is("RenameStmt") || tree["renameType"].str() != "OBJECT_TABLE") return;
    const auto relation = tree["relation"];
    if (state.created_here(relation)) return;
    const std::string table = sql::relation_name(relation);
    const std::string renamed = tree["newname"].str();
    m_pending.push_back({offset_of(relation, statement), table,
                         "ALTER TABLE " + table + " RENAME TO " + renamed + ": queries still naming " + table +
                             " fail",
                         table_object(relation)});
  }

  void finish(const FileState& state, Sink& sink) override {
    (void)state;
    for (auto& p : m_pending) sink.report(p.offset, std::move(p.message), std::move(p.object));
    m_pending.clear();
  }

 private:
  struct Pending {
    std::size_t offset;
    std::string table;  // the old name
    std::string message;
    std::string object;
  };
  std::vector<Pending> m_pending;  // renames no view has replaced yet
};

}  // namespace

std::unique_ptr<Rule> make_rename_table() { return std::make_unique<RenameTable>(); }

}  // namespace pgdrift::lint::rules
