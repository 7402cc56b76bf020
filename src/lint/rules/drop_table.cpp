#include "pgdrift/util/text.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

class DropTable : public BasicRule {
 public:
  DropTable()
      : BasicRule(
            {"drop-table", Severity::error, "drops and renames",
             "DROP TABLE erases the table's data for good, and code still reading it fails at once",
             "stop using the table in a release first; drop it in a later migration, after a "
             "backup, and say so with `-- pgdrift:ignore drop-table <reason>`"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (!tree.is("DropStmt") || tree["removeType"].str() != "OBJECT_TABLE") return;
    const bool cascade = tree["behavior"].str() == "DROP_CASCADE";
    for (const auto& object : tree["objects"].items()) {
      // Each dropped table is a list of name parts; the parser keeps no location for it.
      const std::string qualified = util::join(sql::strings(object), ".");
      if (state.created_here(qualified)) continue;  // a table of this migration
      sink.report(
          statement.statement.begin,
          "DROP TABLE " + qualified + " deletes the table and all its rows" +
              (cascade ? ", and with CASCADE the views and foreign keys that depend on it" : ""),
          "table " + qualified);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_drop_table() { return std::make_unique<DropTable>(); }

}  // namespace pgdrift::lint::rules
