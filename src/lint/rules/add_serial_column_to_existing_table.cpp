#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ADD COLUMN of a serial type or with GENERATED … AS IDENTITY on a table that existed before the
// migration, at the column: every existing row gets its own number from the sequence.
class AddSerialColumnToExistingTable : public BasicRule {
 public:
  AddSerialColumnToExistingTable()
      : BasicRule(
            {"add-serial-column-to-existing-table", Severity::warning, "type and data",
             "a new serial or identity column takes a sequence value for every existing row, "
             "rewriting the whole table under an ACCESS EXCLUSIVE lock that blocks all reads and "
             "writes",
             "add a nullable bigint column, create a sequence and `SET DEFAULT nextval(…)` for new "
             "rows, backfill the existing rows in batches, then add NOT NULL the safe way"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    if (state.created_here(relation)) return;
    for (const auto& column : added_columns(tree)) {
      const std::string name = column["colname"].str();
      std::string how;
      const std::string type = sql::type_base(column["typeName"]);
      if (serial_type(type)) how = type;
      if (!column_constraint(column, "CONSTR_IDENTITY").is_null()) how = "an identity column";
      if (how.empty()) continue;
      sink.report(offset_of(column, statement),
                  "ADD COLUMN " + name + " (" + how + ") numbers every existing row of table " +
                      sql::relation_name(relation) +
                      ", rewriting it under an ACCESS EXCLUSIVE lock",
                  column_object(relation, name));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_serial_column_to_existing_table() {
  return std::make_unique<AddSerialColumnToExistingTable>();
}

}  // namespace pgdrift::lint::rules
