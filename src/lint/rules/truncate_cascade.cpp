#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// TRUNCATE … CASCADE of a table that existed before the migration, reported at each table's name.
// It owns the whole statement: truncate stays silent when CASCADE is given.
class TruncateCascade : public BasicRule {
 public:
  TruncateCascade()
      : BasicRule(
            {"truncate-cascade", Severity::error, "drops and renames",
             "TRUNCATE … CASCADE also empties every table with a foreign key to the truncated one, "
             "and the tables referencing those, which the statement does not name",
             "delete only the rows you mean to (`DELETE … WHERE`, in batches); if a table must be "
             "emptied, name every table in the TRUNCATE and leave CASCADE out, so it fails instead "
             "of spreading"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (!tree.is("TruncateStmt") || tree["behavior"].str() != "DROP_CASCADE") return;
    for (const auto& relation : tree["relations"].items()) {
      if (state.created_here(relation)) continue;
      const std::string table = sql::relation_name(relation);
      sink.report(offset_of(relation, statement),
                  "TRUNCATE " + table + " CASCADE deletes every row of " + table +
                      " and of every table that references it through a foreign key",
                  table_object(relation));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_truncate_cascade() { return std::make_unique<TruncateCascade>(); }

}  // namespace pgdrift::lint::rules
