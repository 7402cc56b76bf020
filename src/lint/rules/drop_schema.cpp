#include <set>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// DROP SCHEMA, except of a schema created earlier in the same file. The parser keeps no location
// for the names, so findings point at the statement.
class DropSchema : public BasicRule {
 public:
  DropSchema()
      : BasicRule({"drop-schema", Severity::error, "drops and renames",
                   "DROP SCHEMA deletes the schema, and with CASCADE every table, view and "
                   "function in it, with their data",
                   "drop the schema's objects one by one in migrations of their own, after a "
                   "backup; say so with `-- pgdrift:ignore drop-schema <reason>`"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    const auto& tree = statement.tree;
    if (tree.is("CreateSchemaStmt")) {
      m_created.insert(tree["schemaname"].str());
      return;
    }
    if (!tree.is("DropStmt") || tree["removeType"].str() != "OBJECT_SCHEMA") return;
    const bool cascade = tree["behavior"].str() == "DROP_CASCADE";
    for (const auto& object : tree["objects"].items()) {
      const std::string schema = object.str();
      if (m_created.count(schema) != 0) continue;
      sink.report(statement.statement.begin,
                  cascade
                      ? "DROP SCHEMA " + schema +
                            " CASCADE deletes the schema and every object in it, with their data"
                      : "DROP SCHEMA " + schema + " deletes the schema",
                  "schema " + schema);
    }
  }

 private:
  std::set<std::string> m_created;
};

}  // namespace

std::unique_ptr<Rule> make_drop_schema() { return std::make_unique<DropSchema>(); }

}  // namespace pgdrift::lint::rules
