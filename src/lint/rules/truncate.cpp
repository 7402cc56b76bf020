#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// TRUNCATE of a table that existed before the migration, reported at each table's name.
// TRUNCATE … CASCADE is truncate-cascade's, not this rule's.
class Truncate : public BasicRule {
 public:
  Truncate()
      : BasicRule(
            {"truncate", Severity::error, "drops and renames",
             "TRUNCATE deletes every row of the table at once, with no way back once committed",
             "delete only the rows you mean to (`DELETE … WHERE`, in batches), or empty the table "
             "by hand after a backup"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (!tree.is("TruncateStmt") || tree["behavior"].str() == "DROP_CASCADE") return;
    for (const auto& relation : tree["relations"].items()) {
      if (state.created_here(relation)) continue;
      const std::string table = sql::relation_name(relation);
      sink.report(offset_of(relation, statement),
                  "TRUNCATE " + table + " deletes every row of the table", table_object(relation));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_truncate() { return std::make_unique<Truncate>(); }

}  // namespace pgdrift::lint::rules
