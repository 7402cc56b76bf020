#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// DETACH PARTITION … CONCURRENTLY exists from PostgreSQL 14.
constexpr int k_detach_concurrently_since = 140000;

// non-concurrent-detach-partition: ALTER TABLE … DETACH PARTITION without CONCURRENTLY (and
// without FINALIZE), on a parent table that existed before the migration. Reported at the
// partition's name.
class NonConcurrentDetachPartition : public BasicRule {
 public:
  NonConcurrentDetachPartition()
      : BasicRule({"non-concurrent-detach-partition", Severity::warning, "constraints and locks",
                   "DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the "
                   "partitioned table: reads and writes of every partition wait",
                   "PostgreSQL 14+: `ALTER TABLE parent DETACH PARTITION part CONCURRENTLY` "
                   "outside a transaction; before 14 there is no concurrent form: set a short "
                   "lock_timeout and retry at a quiet time"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& parent = statement.tree["relation"];
    for (const auto& cmd : existing_table_commands(statement.tree, state, "AT_DetachPartition")) {
      if (cmd["def"]["concurrent"].boolean()) continue;
      const auto partition = cmd["def"]["name"];
      std::string message = "DETACH PARTITION " + sql::relation_name(partition) +
                            " takes an ACCESS EXCLUSIVE lock on table " +
                            sql::relation_name(parent);
      message += state.pg_version_num >= k_detach_concurrently_since
                     ? ", blocking every partition; DETACH PARTITION … CONCURRENTLY does not"
                     : ", blocking every partition (there is no DETACH … CONCURRENTLY before "
                       "PostgreSQL 14)";
      sink.report(offset_of(partition, statement), message, table_object(parent));
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_non_concurrent_detach_partition() {
  return std::make_unique<NonConcurrentDetachPartition>();
}

}  // namespace pgdrift::lint::rules
