#include <string>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// vacuum-full-or-cluster: VACUUM FULL and CLUSTER, per table named (tables created earlier in
// the file skipped), reported at each table's name; without a table, once at the statement.
class VacuumFullOrCluster : public BasicRule {
 public:
  VacuumFullOrCluster()
      : BasicRule(
            {"vacuum-full-or-cluster", Severity::warning, "constraints and locks",
             "VACUUM FULL and CLUSTER rewrite the whole table under an ACCESS EXCLUSIVE lock: "
             "every read and write waits for the copy, and it needs disk space for a second copy",
             "reclaim space online with pg_repack or pg_squeeze, run by an operator outside "
             "migrations; plain VACUUM takes no lock that blocks reads or writes"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (tree.is("VacuumStmt") && tree["is_vacuumcmd"].boolean() &&
        option_on(tree["options"], "full")) {
      const auto rels = tree["rels"].items();
      if (rels.empty()) {
        sink.report(statement.statement.begin,
                    "VACUUM FULL without a table rewrites every table of the database, each under "
                    "an ACCESS EXCLUSIVE lock",
                    "database");
      }
      for (const auto& rel : rels)
        report_table("VACUUM FULL", rel["relation"], statement, state, sink);
    } else if (tree.is("ClusterStmt")) {
      if (tree["relation"].is_null()) {
        sink.report(statement.statement.begin,
                    "CLUSTER without a table rewrites every table clustered before, each under an "
                    "ACCESS EXCLUSIVE lock",
                    "database");
      } else {
        report_table("CLUSTER", tree["relation"], statement, state, sink);
      }
    }
  }

 private:
  static void report_table(const std::string& command, const sql::Node& relation,
                           const StatementView& statement, const FileState& state, Sink& sink) {
    if (state.created_here(relation)) return;
    sink.report(
        offset_of(relation, statement),
        command + " rewrites table " + sql::relation_name(relation) +
            " under an ACCESS EXCLUSIVE lock, blocking reads and writes until the copy is done",
        table_object(relation));
  }
};

}  // namespace

std::unique_ptr<Rule> make_vacuum_full_or_cluster() {
  return std::make_unique<VacuumFullOrCluster>();
}

}  // namespace pgdrift::lint::rules
