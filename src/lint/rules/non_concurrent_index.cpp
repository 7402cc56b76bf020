#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// non-concurrent-index: CREATE [UNIQUE] INDEX without CONCURRENTLY on a table that existed
// before the migration. Reported at the indexed table's name (the IndexStmt has no location).
class NonConcurrentIndex : public BasicRule {
 public:
  NonConcurrentIndex()
      : BasicRule(
            {"non-concurrent-index", Severity::warning, "constraints and locks",
             "CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table for the whole "
             "build: every INSERT, UPDATE and DELETE waits",
             "`CREATE INDEX CONCURRENTLY …` in a migration that runs outside a transaction (it "
             "cannot run inside one); if it fails, drop the INVALID index it leaves and retry"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (!tree.is("IndexStmt") || tree["concurrent"].boolean()) return;
    const auto& relation = tree["relation"];
    if (state.created_here(relation)) return;
    const std::string name = tree["idxname"].str();
    sink.report(offset_of(relation, statement),
                std::string(tree["unique"].boolean() ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") +
                    (name.empty() ? "" : name + " ") +
                    "without CONCURRENTLY blocks writes to table " + sql::relation_name(relation) +
                    " until the index is built",
                table_object(relation));
  }
};

}  // namespace

std::unique_ptr<Rule> make_non_concurrent_index() { return std::make_unique<NonConcurrentIndex>(); }

}  // namespace pgdrift::lint::rules
