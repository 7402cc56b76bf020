#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// DROP DATABASE (never legitimate in an application's migrations). Reported at the statement.
class DropDatabase : public BasicRule {
 public:
  DropDatabase()
      : BasicRule({"drop-database", Severity::error, "drops and renames",
                   "DROP DATABASE deletes a whole database with all its data, and every connection "
                   "to it fails",
                   "drop databases by hand, after a backup, not in an application's migrations"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    const auto& tree = statement.tree;
    if (!tree.is("DropdbStmt")) return;
    const std::string database = tree["dbname"].str();
    sink.report(statement.statement.begin,
                "DROP DATABASE " + database + " deletes the database and all its data",
                "database " + database);
  }
};

}  // namespace

std::unique_ptr<Rule> make_drop_database() { return std::make_unique<DropDatabase>(); }

}  // namespace pgdrift::lint::rules
