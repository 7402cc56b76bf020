#include <set>
#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// Whether two names as written can name the same object (a name without a schema matches the
// same name in any schema), as FileState::created_here does for tables.
bool same_name(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const auto a_dot = a.rfind('.');
  const auto b_dot = b.rfind('.');
  if (a_dot != std::string::npos && b_dot != std::string::npos) return false;
  return a.substr(a_dot == std::string::npos ? 0 : a_dot + 1) ==
         b.substr(b_dot == std::string::npos ? 0 : b_dot + 1);
}

// non-concurrent-drop-index: DROP INDEX without CONCURRENTLY, except of an index created
// earlier in the same file (whether any other index belongs to a table of this migration cannot
// be known statically). Reported at the statement: the dropped names carry no location.
class NonConcurrentDropIndex : public BasicRule {
 public:
  NonConcurrentDropIndex()
      : BasicRule({"non-concurrent-drop-index", Severity::warning, "constraints and locks",
                   "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's "
                   "table: it waits behind running queries and every read and write of the table "
                   "queues behind it",
                   "`DROP INDEX CONCURRENTLY …` (one index per statement) in a migration that runs "
                   "outside a transaction"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    const auto& tree = statement.tree;
    if (tree.is("IndexStmt") && !tree["idxname"].str().empty()) {
      // An index lives in its table's schema.
      const std::string schema = tree["relation"]["schemaname"].str();
      m_created.insert((schema.empty() ? "" : schema + ".") + tree["idxname"].str());
      return;
    }
    if (!tree.is("DropStmt") || tree["removeType"].str() != "OBJECT_INDEX" ||
        tree["concurrent"].boolean())
      return;
    for (const auto& object : tree["objects"].items()) {
      std::string name;
      for (const auto& part : sql::strings(object)) name += (name.empty() ? "" : ".") + part;
      if (created_here(name)) continue;
      sink.report(statement.statement.begin,
                  "DROP INDEX " + name +
                      " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table",
                  "index " + name);
    }
  }

 private:
  bool created_here(const std::string& name) const {
    for (const auto& created : m_created) {
      if (same_name(created, name)) return true;
    }
    return false;
  }

  std::set<std::string> m_created;  // indexes created earlier in this file, "schema.name" or "name"
};

}  // namespace

std::unique_ptr<Rule> make_non_concurrent_drop_index() {
  return std::make_unique<NonConcurrentDropIndex>();
}

}  // namespace pgdrift::lint::rules
