#include "known_columns.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER COLUMN … DROP NOT NULL on a table that existed before the migration, except on a column
// the same file added. The AlterTableCmd has no location, so findings point at the table's name.
class DropNotNull : public BasicRule {
 public:
  DropNotNull()
      : BasicRule(
            {"drop-not-null", Severity::warning, "drops and renames",
             "code and readers that assume the column always has a value break on the first NULL, "
             "and putting NOT NULL back later scans the whole table under an ACCESS EXCLUSIVE lock",
             "release code that handles NULL in the column first; to restore the constraint later "
             "without a long lock, add `CHECK (col IS NOT NULL) NOT VALID`, VALIDATE it, then SET "
             "NOT NULL"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    const std::string table = sql::relation_name(relation);
    for (const auto& command : existing_table_commands(tree, state, "AT_DropNotNull")) {
      const std::string column = command["name"].str();
      if (m_columns.added_here(table, column)) continue;
      sink.report(offset_of(relation, statement),
                  "ALTER COLUMN " + column + " DROP NOT NULL on table " + table +
                      " lets NULL into a column existing code expects a value in",
                  column_object(relation, column));
    }
    m_columns.observe(tree);
  }

 private:
  KnownColumns m_columns;
};

}  // namespace

std::unique_ptr<Rule> make_drop_not_null() { return std::make_unique<DropNotNull>(); }

}  // namespace pgdrift::lint::rules
