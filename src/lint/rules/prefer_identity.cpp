#include "hygiene_columns.hpp"

// serial / bigserial / smallserial columns, from PostgreSQL 10 (identity columns exist since).
// add-serial-column-to-existing-table ("type and data") reports the rewrite of adding one to a
// big table; this rule is about the type itself, wherever it is declared.

namespace pgdrift::lint::rules {
namespace {

class PreferIdentity : public BasicRule {
 public:
  PreferIdentity()
      : BasicRule({"prefer-identity", Severity::notice, "hygiene",
                   "serial creates a separate sequence with its own owner and permissions: grants, "
                   "dumps and copies of the table must remember it, and inserts may bypass it and "
                   "collide later",
                   "`id bigint GENERATED ALWAYS AS IDENTITY` (or BY DEFAULT) instead of serial / "
                   "bigserial"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    if (state.pg_version_num < 100000) return;
    for (const auto& column : declared_columns(statement)) {
      if (!serial_type(column.base)) continue;
      sink.report(column.offset,
                  column.object + " is " + column.base +
                      ": an identity column does the same without a separately owned sequence",
                  column.object);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_prefer_identity() { return std::make_unique<PreferIdentity>(); }

}  // namespace pgdrift::lint::rules
