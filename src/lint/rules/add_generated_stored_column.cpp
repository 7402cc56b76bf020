#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ADD COLUMN … GENERATED ALWAYS AS (…) STORED on a table that existed before the migration, at
// the column (PostgreSQL 15 has only stored generated columns).
class AddGeneratedStoredColumn : public BasicRule {
 public:
  AddGeneratedStoredColumn()
      : BasicRule(
            {"add-generated-stored-column", Severity::warning, "type and data",
             "adding a stored generated column computes it for every existing row, rewriting the "
             "whole table under an ACCESS EXCLUSIVE lock that blocks all reads and writes",
             "add a plain nullable column, keep it current with a trigger, backfill the existing "
             "rows in batches (or compute the value in a view or in queries)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    if (state.created_here(relation)) return;
    for (const auto& column : added_columns(tree)) {
      for (const auto& constraint : column["constraints"].items()) {
        if (constraint["contype"].str() != "CONSTR_GENERATED") continue;
        const std::string name = column["colname"].str();
        sink.report(offset_of(column, statement),
                    "ADD COLUMN " + name + " GENERATED ALWAYS AS (…) STORED rewrites table " +
                        sql::relation_name(relation) +
                        " under an ACCESS EXCLUSIVE lock to compute it for every row",
                    column_object(relation, name));
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_generated_stored_column() {
  return std::make_unique<AddGeneratedStoredColumn>();
}

}  // namespace pgdrift::lint::rules
