#include "lock_classes.hpp"

// Reports the first statement of a file that scans or rewrites a relation that existed before
// the migration while no statement_timeout is in effect; once per file. A notice, not a warning:
// the danger of each such statement (non-concurrent-index, change-column-type, add-not-null, …)
// is reported by its own rule; this is the safety net that bounds how long its locks are held.
// CREATE INDEX CONCURRENTLY is deliberately not reported: it blocks no traffic, and cancelling
// it by a timeout leaves an invalid index behind.

namespace pgdrift::lint::rules {
namespace {

class MissingStatementTimeout : public BasicRule {
 public:
  MissingStatementTimeout()
      : BasicRule({"missing-statement-timeout", Severity::notice, "robustness",
                   "a statement that scans or rewrites a big table can run for minutes while "
                   "holding its locks, and nothing stops it when the table is bigger than expected",
                   "`SET statement_timeout = '…';` before it, sized for the table, or use the "
                   "variant that does not block (CREATE INDEX CONCURRENTLY, ADD CONSTRAINT … NOT "
                   "VALID then VALIDATE)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    if (!m_reported && !m_timeout.in_effect()) {
      for (const auto& access : existing_table_accesses(statement, state)) {
        if (!access.long_running) continue;
        const std::string held = access.lock == LockMode::none
                                     ? "row locks on every row"
                                     : "its " + lock_mode_name(access.lock) + " lock";
        sink.report(access.offset,
                    access.action + " scans or rewrites all of " + access.locked +
                        " with no statement_timeout set before it: on a big table it runs for "
                        "minutes, holding " +
                        held + " all along",
                    access.object);
        m_reported = true;
        break;
      }
    }
    m_timeout.observe(statement, state);
  }

 private:
  TimeoutSetting m_timeout{"statement_timeout"};
  bool m_reported = false;
};

}  // namespace

std::unique_ptr<Rule> make_missing_statement_timeout() {
  return std::make_unique<MissingStatementTimeout>();
}

}  // namespace pgdrift::lint::rules
