#include "hygiene_columns.hpp"

// char(n) / character(n) / bpchar, not the one-byte internal type "char" (quoted), which the
// parser keeps as a different name.

namespace pgdrift::lint::rules {
namespace {

class BanChar : public BasicRule {
 public:
  BanChar()
      : BasicRule(
            {"ban-char", Severity::notice, "hygiene",
             "char(n) pads values with spaces to n characters, ignores trailing spaces in "
             "comparisons but not in LIKE or in casts to text, and is no faster than text",
             "use text (with a CHECK on its length when needed) or varchar instead of char(n)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    for (const auto& column : declared_columns(statement)) {
      if (column.base != "bpchar") continue;
      sink.report(column.offset,
                  column.object + " is " + display_type(column.type) +
                      ": values are padded with spaces to the full length",
                  column.object);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_ban_char() { return std::make_unique<BanChar>(); }

}  // namespace pgdrift::lint::rules
