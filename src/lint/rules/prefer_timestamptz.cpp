#include "hygiene_columns.hpp"

namespace pgdrift::lint::rules {
namespace {

class PreferTimestamptz : public BasicRule {
 public:
  PreferTimestamptz()
      : BasicRule({"prefer-timestamptz", Severity::notice, "hygiene",
                   "timestamp without time zone stores a wall-clock reading with no zone, so "
                   "values written by sessions in different time zones cannot be compared, and the "
                   "hour repeated when daylight saving ends is ambiguous",
                   "use timestamptz (timestamp with time zone): it stores an instant and shows it "
                   "in the session's time zone"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    for (const auto& column : declared_columns(statement)) {
      if (column.base != "timestamp") continue;
      sink.report(column.offset,
                  column.object + " is " + display_type(column.type) +
                      " (without time zone): it does not record which time zone its values are in",
                  column.object);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_prefer_timestamptz() { return std::make_unique<PreferTimestamptz>(); }

}  // namespace pgdrift::lint::rules
