#include "lock_classes.hpp"

// Reports the first statement of a file that takes a lock blocking reads or writes on a table
// that existed before the migration while no lock_timeout is in effect; once per file, because
// one SET at the top fixes every statement. Which statements lock what: lock_classes.cpp.

namespace pgdrift::lint::rules {
namespace {

class MissingLockTimeout : public BasicRule {
 public:
  MissingLockTimeout()
      : BasicRule({"missing-lock-timeout", Severity::warning, "robustness",
                   "a statement waiting for a lock on a busy table makes every later query on that "
                   "table queue behind it, so one long transaction elsewhere turns the migration "
                   "into an outage",
                   "start the migration with `SET lock_timeout = '5s';` (`SET LOCAL` inside a "
                   "transaction) and retry the migration when it times out"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    if (!m_reported && !m_timeout.in_effect()) {
      for (const auto& access : existing_table_accesses(statement, state)) {
        if (!blocks_traffic(access.lock)) continue;
        const std::string mode = lock_mode_name(access.lock);
        const std::string article = mode.front() == 'A' || mode.front() == 'E' ? "an " : "a ";
        sink.report(access.offset,
                    access.action + " takes " + article + mode + " lock on " + access.locked +
                        " with no lock_timeout set before it: while it waits for the lock, every "
                        "later query on the table waits behind it",
                    access.object);
        m_reported = true;
        break;
      }
    }
    m_timeout.observe(statement, state);
  }

 private:
  TimeoutSetting m_timeout{"lock_timeout"};
  bool m_reported = false;
};

}  // namespace

std::unique_ptr<Rule> make_missing_lock_timeout() { return std::make_unique<MissingLockTimeout>(); }

}  // namespace pgdrift::lint::rules
