#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// REINDEX … CONCURRENTLY exists from PostgreSQL 12.
constexpr int k_reindex_concurrently_since = 120000;

// non-concurrent-reindex: REINDEX INDEX/TABLE/SCHEMA/DATABASE without CONCURRENTLY (REINDEX
// SYSTEM has no concurrent form and is left alone), except of a table or index created earlier
// in the file. Reported at the index or table name, else at the statement.
class NonConcurrentReindex : public BasicRule {
 public:
  NonConcurrentReindex()
      : BasicRule({"non-concurrent-reindex", Severity::warning, "constraints and locks",
                   "REINDEX without CONCURRENTLY blocks writes to the table, and reads that use "
                   "the index, until every index is rebuilt",
                   "PostgreSQL 12+: `REINDEX … CONCURRENTLY` outside a transaction; before 12: "
                   "`CREATE INDEX CONCURRENTLY` a copy, `DROP INDEX CONCURRENTLY` the old one and "
                   "rename the copy"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    m_created_indexes.observe(tree);
    if (!tree.is("ReindexStmt") || option_on(tree["params"], "concurrently")) return;
    const std::string kind = tree["kind"].str();
    const auto& relation = tree["relation"];
    std::string what;  // "TABLE users"
    std::string object;
    if (kind == "REINDEX_OBJECT_INDEX") {
      if (m_created_indexes.contains(sql::relation_name(relation))) return;
      what = "INDEX " + sql::relation_name(relation);
      object = "index " + sql::relation_name(relation);
    } else if (kind == "REINDEX_OBJECT_TABLE") {
      if (state.created_here(relation)) return;
      what = "TABLE " + sql::relation_name(relation);
      object = "table " + sql::relation_name(relation);
    } else if (kind == "REINDEX_OBJECT_SCHEMA") {
      what = "SCHEMA " + tree["name"].str();
      object = "schema " + tree["name"].str();
    } else if (kind == "REINDEX_OBJECT_DATABASE") {
      what = "DATABASE " + tree["name"].str();
      object = "database " + tree["name"].str();
    } else {
      return;
    }
    std::string message = "REINDEX " + what +
                          " without CONCURRENTLY blocks writes, and reads using the rebuilt "
                          "indexes, until it is done";
    if (state.pg_version_num < k_reindex_concurrently_since) {
      message +=
          " (PostgreSQL before 12 has no REINDEX CONCURRENTLY: build a replacement with CREATE "
          "INDEX CONCURRENTLY and swap it in)";
    }
    sink.report(relation.is_null() ? statement.statement.begin : offset_of(relation, statement),
                message, object);
  }

 private:
  CreatedIndexes m_created_indexes;  // created earlier in this file
};

}  // namespace

std::unique_ptr<Rule> make_non_concurrent_reindex() {
  return std::make_unique<NonConcurrentReindex>();
}

}  // namespace pgdrift::lint::rules
