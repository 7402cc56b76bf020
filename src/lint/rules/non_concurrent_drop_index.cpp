#include <string>

#include "pgdrift/util/text.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

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
    m_created.observe(tree);
    if (!tree.is("DropStmt") || tree["removeType"].str() != "OBJECT_INDEX" ||
        tree["concurrent"].boolean())
      return;
    for (const auto& object : tree["objects"].items()) {
      const std::string name = util::join(sql::strings(object), ".");
      if (m_created.contains(name)) continue;
      sink.report(statement.statement.begin,
                  "DROP INDEX " + name +
                      " without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table",
                  "index " + name);
    }
  }

 private:
  CreatedIndexes m_created;  // indexes created earlier in this file
};

}  // namespace

std::unique_ptr<Rule> make_non_concurrent_drop_index() {
  return std::make_unique<NonConcurrentDropIndex>();
}

}  // namespace pgdrift::lint::rules
