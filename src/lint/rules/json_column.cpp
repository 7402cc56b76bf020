#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// A column of type json (or json[]) in CREATE TABLE, ADD COLUMN or ALTER COLUMN … TYPE, at the
// type; new tables included. A notice, not a warning: nothing breaks at deploy time, and json is
// sometimes chosen on purpose (it keeps the exact text, key order and duplicate keys).
class JsonColumn : public BasicRule {
 public:
  JsonColumn()
      : BasicRule(
            {"json-column", Severity::notice, "type and data",
             "json has no equality operator, so DISTINCT, GROUP BY, UNION and = on the column "
             "fail, and every access parses the text again",
             "use jsonb, unless you must keep the exact input text, key order or duplicate keys"}) {
  }

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    const auto& tree = statement.tree;
    const auto relation =
        tree.is("CreateStmt") || tree.is("AlterTableStmt") ? tree["relation"] : sql::Node();
    if (tree.is("CreateStmt")) {
      for (const auto& element : tree["tableElts"].items()) {
        if (element.is("ColumnDef"))
          check_type(relation, element["colname"].str(), element["typeName"], statement, sink);
      }
    }
    for (const auto& command : alter_table_commands(tree)) {
      const std::string subtype = command["subtype"].str();
      if (subtype == "AT_AddColumn") {
        check_type(relation, command["def"]["colname"].str(), command["def"]["typeName"], statement,
                   sink);
      } else if (subtype == "AT_AlterColumnType") {
        check_type(relation, command["name"].str(), command["def"]["typeName"], statement, sink);
      }
    }
  }

 private:
  static void check_type(const sql::Node& relation, const std::string& column,
                         const sql::Node& type_node, const StatementView& statement, Sink& sink) {
    const auto names = sql::strings(type_node["names"]);
    const bool json =
        sql::type_base(type_node) == "json" && (names.size() == 1 || names.front() == "pg_catalog");
    if (!json) return;
    sink.report(offset_of(type_node, statement),
                "column " + sql::relation_name(relation) + "." + column + " is " +
                    display_type(type_node) +
                    ": jsonb supports equality, indexing and faster access",
                column_object(relation, column));
  }
};

}  // namespace

std::unique_ptr<Rule> make_json_column() { return std::make_unique<JsonColumn>(); }

}  // namespace pgdrift::lint::rules
