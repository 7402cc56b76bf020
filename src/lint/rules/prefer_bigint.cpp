#include <set>

#include "hygiene_columns.hpp"

// integer / smallint (and serial / smallserial) key columns: the PRIMARY KEY, or a column named
// "id". Kept that narrow so it is predictable (foreign keys to such ids are not guessed). A
// serial primary key is also reported by prefer-identity: a different fix for a different
// problem (the sequence's ownership), and both apply: `bigint GENERATED … AS IDENTITY`.

namespace pgdrift::lint::rules {
namespace {

class PreferBigint : public BasicRule {
 public:
  PreferBigint()
      : BasicRule(
            {"prefer-bigint", Severity::notice, "hygiene",
             "an integer key runs out at 2,147,483,647 (smallint at 32,767): inserts then fail, "
             "and widening the column of a big table rewrites it under an ACCESS EXCLUSIVE lock",
             "declare ids bigint: `id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    static const std::set<std::string> k_small = {"int2", "smallserial", "serial2"};
    static const std::set<std::string> k_int = {"int4", "serial", "serial4"};
    for (const auto& column : declared_columns(statement)) {
      const bool small = k_small.count(column.base) != 0;
      if ((!small && k_int.count(column.base) == 0) || !column.type["arrayBounds"].is_null()) {
        continue;
      }
      if (!column.primary_key && column.column != "id") continue;
      sink.report(column.offset,
                  column.object + " is " + display_type(column.type) + ": its ids run out at " +
                      (small ? "32,767" : "2,147,483,647"),
                  column.object);
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_prefer_bigint() { return std::make_unique<PreferBigint>(); }

}  // namespace pgdrift::lint::rules
