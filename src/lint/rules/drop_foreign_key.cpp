#include <set>
#include <utility>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// ALTER TABLE … DROP CONSTRAINT of a foreign key, on a table that existed before the migration.
// Which kind of constraint a name denotes is in the catalog, not in the SQL, so this is a
// heuristic: the constraint is a foreign key when the same file added a foreign key of that name
// to the table earlier (ADD CONSTRAINT … FOREIGN KEY or ADD COLUMN … REFERENCES), or when the
// name ends in "_fkey", as Postgres names them by default (<table>_<column>_fkey). A foreign key
// with a custom name added by an earlier migration is not seen. The AlterTableCmd has no
// location, so findings point at the table's name.
class DropForeignKey : public BasicRule {
 public:
  DropForeignKey()
      : BasicRule(
            {"drop-foreign-key", Severity::warning, "drops and renames",
             "without the foreign key nothing stops rows pointing at missing parents, ON DELETE "
             "actions stop, and adding it back later needs a full validation scan",
             "make sure no code relies on the constraint (or its ON DELETE CASCADE) first; to "
             "bring it back later, add it `NOT VALID` and VALIDATE it in a separate step"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    const std::string table = sql::relation_name(relation);
    for (const auto& command : existing_table_commands(tree, state, "AT_DropConstraint")) {
      const std::string name = command["name"].str();
      if (!added_here(table, name) && !default_foreign_key_name(name)) continue;
      sink.report(offset_of(relation, statement),
                  "DROP CONSTRAINT " + name + " on table " + table +
                      " removes a foreign key: rows may point at missing parents from now on",
                  "constraint " + table + "." + name);
    }
    remember(table, tree);
  }

 private:
  static bool default_foreign_key_name(const std::string& name) {
    const std::string suffix = "_fkey";
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  }

  bool added_here(const std::string& table, const std::string& name) const {
    for (const auto& [added_table, added_name] : m_added) {
      if (added_name == name && same_name(added_table, table)) return true;
    }
    return false;
  }

  // Remembers the foreign keys with an explicit name the statement adds: ADD CONSTRAINT …
  // FOREIGN KEY, ADD COLUMN … CONSTRAINT name REFERENCES.
  void remember(const std::string& table, const sql::Node& tree) {
    for (const auto& added : added_constraints(tree)) {
      const auto& constraint = added.constraint;
      if (constraint["contype"].str() != "CONSTR_FOREIGN") continue;
      const std::string name = constraint["conname"].str();
      if (!name.empty()) m_added.insert({table, name});
    }
  }

  std::set<std::pair<std::string, std::string>> m_added;  // (table, constraint) as written
};

}  // namespace

std::unique_ptr<Rule> make_drop_foreign_key() { return std::make_unique<DropForeignKey>(); }

}  // namespace pgdrift::lint::rules
