#include <set>
#include <utility>

#include "pgdrift/util/text.hpp"
#include "support.hpp"

// Only in migrations that run outside a transaction (no wrapping by pgdrift or by the tool, and
// not between the file's own BEGIN and COMMIT): inside one, a failure rolls everything back and
// a re-run starts from scratch. A CREATE is also fine when a DROP … IF EXISTS of the same name
// came earlier in the file; for CREATE INDEX CONCURRENTLY that DROP is the only safe form, since
// a failed build leaves an invalid index that IF NOT EXISTS would silently keep.

namespace pgdrift::lint::rules {
namespace {

// The name of one object of a DROP statement: a list of name parts, a String (schemas,
// extensions), a TypeName or an ObjectWithArgs (functions).
std::string dropped_name(const sql::Node& object) {
  if (object.is("String")) return object.str();
  if (object.is("TypeName")) return util::join(sql::strings(object["names"]), ".");
  if (object.is("ObjectWithArgs")) return util::join(sql::strings(object["objname"]), ".");
  return util::join(sql::strings(object), ".");
}

// "TABLE", "MATERIALIZED VIEW", … for an OBJECT_* kind.
std::string kind_words(const std::string& kind) {
  if (kind == "OBJECT_MATVIEW") return "MATERIALIZED VIEW";
  std::string out = kind.rfind("OBJECT_", 0) == 0 ? kind.substr(7) : kind;
  for (auto& c : out) c = c == '_' ? ' ' : c;
  return out;
}

class PreferRobustStatements : public BasicRule {
 public:
  PreferRobustStatements()
      : BasicRule(
            {"prefer-robust-statements", Severity::notice, "robustness",
             "a migration that runs outside a transaction is not rolled back when it fails half "
             "way, so re-running it fails on what its first run already created or dropped (silent "
             "inside a transaction, where a failure undoes everything)",
             "write CREATE … IF NOT EXISTS, DROP … IF EXISTS, ADD COLUMN IF NOT EXISTS, CREATE OR "
             "REPLACE; before CREATE INDEX CONCURRENTLY name, `DROP INDEX CONCURRENTLY IF EXISTS "
             "name;` (a failed build leaves an invalid index that IF NOT EXISTS would keep)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (!state.in_transaction() && !state.tool_wraps) check_statement(statement, sink);
    if (tree.is("DropStmt") && tree["missing_ok"].boolean()) {
      for (const auto& object : tree["objects"].items()) {
        m_dropped.insert({tree["removeType"].str(), unqualified(dropped_name(object))});
      }
    }
  }

 private:
  void check_statement(const StatementView& statement, Sink& sink) {
    const auto& tree = statement.tree;
    const std::string type = tree.type();
    const std::size_t begin = statement.statement.begin;
    const std::string rerun = ": re-running the migration after a partial failure fails because ";
    if (type == "CreateStmt" || type == "CreateSeqStmt" || type == "CreateTableAsStmt") {
      if (tree["if_not_exists"].boolean()) return;
      std::string kind = type == "CreateSeqStmt" ? "OBJECT_SEQUENCE" : "OBJECT_TABLE";
      if (type == "CreateTableAsStmt") kind = tree["objtype"].str("OBJECT_TABLE");
      const auto relation = type == "CreateStmt"      ? tree["relation"]
                            : type == "CreateSeqStmt" ? tree["sequence"]
                                                      : tree["into"]["rel"];
      const std::string name = sql::relation_name(relation);
      if (dropped_before(kind, name)) return;
      const std::string words = util::to_lower(kind_words(kind));
      sink.report(begin,
                  "CREATE " + kind_words(kind) + " " + name + " has no IF NOT EXISTS" + rerun +
                      "the " + words + " exists",
                  words + " " + name);
    } else if (type == "CreateSchemaStmt" || type == "CreateExtensionStmt") {
      if (tree["if_not_exists"].boolean()) return;
      const bool schema = type == "CreateSchemaStmt";
      const std::string name = schema ? tree["schemaname"].str() : tree["extname"].str();
      const std::string kind = schema ? "OBJECT_SCHEMA" : "OBJECT_EXTENSION";
      if (dropped_before(kind, name)) return;
      const std::string word = schema ? "schema" : "extension";
      sink.report(begin,
                  "CREATE " + kind_words(kind) + " " + name + " has no IF NOT EXISTS" + rerun +
                      "the " + word + " exists",
                  word + " " + name);
    } else if (type == "IndexStmt") {
      index(statement, sink);
    } else if (type == "ViewStmt") {
      const std::string name = sql::relation_name(tree["view"]);
      if (tree["replace"].boolean() || dropped_before("OBJECT_VIEW", name)) return;
      sink.report(begin, "CREATE VIEW " + name + " without OR REPLACE" + rerun + "the view exists",
                  "view " + name);
    } else if (type == "CreateFunctionStmt") {
      const std::string name = util::join(sql::strings(tree["funcname"]), ".");
      const std::string word = tree["is_procedure"].boolean() ? "procedure" : "function";
      if (tree["replace"].boolean()) return;
      sink.report(begin,
                  "CREATE " + std::string(word == "function" ? "FUNCTION " : "PROCEDURE ") + name +
                      " without OR REPLACE" + rerun + "the " + word + " exists",
                  word + " " + name);
    } else if (type == "DropStmt") {
      if (tree["missing_ok"].boolean()) return;
      std::string names;
      for (const auto& object : tree["objects"].items()) {
        names += (names.empty() ? "" : ", ") + dropped_name(object);
      }
      const std::string words = kind_words(tree["removeType"].str());
      sink.report(
          begin, "DROP " + words + " " + names + " has no IF EXISTS" + rerun + "it is already gone",
          util::to_lower(words) + " " + names);
    } else if (type == "AlterEnumStmt") {
      if (tree["newVal"].is_null() || !tree["oldVal"].is_null() ||
          tree["skipIfNewValExists"].boolean())
        return;
      const std::string name = util::join(sql::strings(tree["typeName"]), ".");
      sink.report(begin,
                  "ALTER TYPE " + name + " ADD VALUE '" + tree["newVal"].str() +
                      "' has no IF NOT EXISTS" + rerun + "the value exists",
                  "type " + name);
    } else {
      alter_table(statement, sink);
    }
  }

  void index(const StatementView& statement, Sink& sink) {
    const auto& tree = statement.tree;
    const std::size_t begin = statement.statement.begin;
    const std::string name = tree["idxname"].str();
    const std::string table = sql::relation_name(tree["relation"]);
    const std::string verb =
        tree["concurrent"].boolean() ? "CREATE INDEX CONCURRENTLY" : "CREATE INDEX";
    if (name.empty()) {
      sink.report(begin,
                  verb + " on " + table +
                      " without a name builds one more duplicate index each time the migration is "
                      "re-run after a partial failure",
                  "table " + table);
      return;
    }
    if (dropped_before("OBJECT_INDEX", name)) return;
    if (!tree["if_not_exists"].boolean()) {
      sink.report(begin,
                  verb + " " + name +
                      " has no IF NOT EXISTS: re-running the migration after a partial failure "
                      "fails because the index exists",
                  "index " + name);
    } else if (tree["concurrent"].boolean()) {
      sink.report(begin,
                  verb + " IF NOT EXISTS " + name +
                      " keeps the invalid index a failed run leaves behind: drop it first with "
                      "DROP INDEX CONCURRENTLY IF EXISTS " +
                      name,
                  "index " + name);
    }
  }

  void alter_table(const StatementView& statement, Sink& sink) {
    const auto& tree = statement.tree;
    const std::string table = sql::relation_name(tree["relation"]);
    for (const auto& cmd : alter_table_commands(tree)) {
      if (cmd["missing_ok"].boolean()) continue;
      const std::string subtype = cmd["subtype"].str();
      const auto def = cmd["def"];
      const std::string rerun = ": re-running the migration after a partial failure fails because ";
      if (subtype == "AT_AddColumn") {
        const std::string column = def["colname"].str();
        sink.report(offset_of(def, statement),
                    "ALTER TABLE " + table + " ADD COLUMN " + column + " has no IF NOT EXISTS" +
                        rerun + "the column exists",
                    column_object(tree["relation"], column));
      } else if (subtype == "AT_DropColumn") {
        const std::string column = cmd["name"].str();
        sink.report(statement.statement.begin,
                    "ALTER TABLE " + table + " DROP COLUMN " + column + " has no IF EXISTS" +
                        rerun + "the column is already gone",
                    column_object(tree["relation"], column));
      } else if (subtype == "AT_DropConstraint") {
        const std::string constraint = cmd["name"].str();
        sink.report(statement.statement.begin,
                    "ALTER TABLE " + table + " DROP CONSTRAINT " + constraint +
                        " has no IF EXISTS" + rerun + "the constraint is already gone",
                    "constraint " + constraint + " on " + table_object(tree["relation"]));
      }
    }
  }

  bool dropped_before(const std::string& kind, const std::string& name) const {
    return m_dropped.count({kind, unqualified(name)}) != 0;
  }

  std::set<std::pair<std::string, std::string>>
      m_dropped;  // (OBJECT_… kind, unqualified name) of DROP … IF EXISTS
};

}  // namespace

std::unique_ptr<Rule> make_prefer_robust_statements() {
  return std::make_unique<PreferRobustStatements>();
}

}  // namespace pgdrift::lint::rules
