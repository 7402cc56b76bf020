#include "hygiene_columns.hpp"

// varchar(n) only: plain varchar is text under another name. Raising n has not rewritten the
// table since PostgreSQL 9.2, so the why is about lowering it and about where the rule lives.

namespace pgdrift::lint::rules {
namespace {

class PreferText : public BasicRule {
 public:
  PreferText()
      : BasicRule(
            {"prefer-text", Severity::notice, "hygiene",
             "varchar(n) puts a business rule into the column's type: raising n is cheap, but "
             "lowering it rewrites the table under an ACCESS EXCLUSIVE lock, while a CHECK can be "
             "replaced without blocking (NOT VALID, then VALIDATE)",
             "use text, with `CHECK (char_length(col) <= n)` when the limit is a real rule"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    for (const auto& column : declared_columns(statement)) {
      if (column.base != "varchar" || sql::type_modifiers(column.type).empty()) continue;
      sink.report(column.offset,
                  column.object + " is " + display_type(column.type) +
                      ": its length limit can only be lowered by rewriting the table",
                  column.object);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_prefer_text() { return std::make_unique<PreferText>(); }

}  // namespace pgdrift::lint::rules
