#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "pgdrift/diff/compare.hpp"
#include "pgdrift/diff/expressions.hpp"
#include "pgdrift/diff/heal.hpp"

namespace pgdrift::diff {
namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::SchemaModel;

// Text → canonical form.
using Forms = std::map<std::string, std::string>;

// The recording fake: answers from a table of canonical forms (a text it does not know cannot be
// canonicalized, as when a probe fails) and keeps every batch it was asked, as
// "kind schema.table.name property: text" lines.
class RecordingCanonicalizer : public ExpressionCanonicalizer {
 public:
  explicit RecordingCanonicalizer(std::map<std::string, std::string> canonical)
      : m_canonical(std::move(canonical)) {}

  std::vector<std::optional<std::string>> canonicalize(
      const std::vector<Expression>& expressions) override {
    std::vector<std::string> batch;
    std::vector<std::optional<std::string>> out;
    for (const auto& e : expressions) {
      batch.push_back(catalog::to_string(e.id.kind) + " " + e.id.schema + "." +
                      (e.id.table.empty() ? "" : e.id.table + ".") + e.id.name + " " + e.property +
                      ": " + e.text);
      const auto it = m_canonical.find(e.text);
      out.push_back(it == m_canonical.end() ? std::nullopt
                                            : std::optional<std::string>(it->second));
    }
    calls.push_back(batch);
    return out;
  }

  std::vector<std::vector<std::string>> calls;

 private:
  std::map<std::string, std::string> m_canonical;
};

// How a migration spells a varchar IN list, how pg_dump and restore spell it, and the server's
// re-deparse of either (the restored form is a fixed point).
const std::string k_migrated =
    "CHECK (((role)::text = ANY ((ARRAY['owner'::character varying, 'admin'::character "
    "varying])::text[])))";
const std::string k_restored =
    "CHECK (((role)::text = ANY (ARRAY[('owner'::character varying)::text, ('admin'::character "
    "varying)::text])))";
const std::string k_widened =
    "CHECK (((role)::text = ANY (ARRAY[('owner'::character varying)::text, ('admin'::character "
    "varying)::text, "
    "('guest'::character varying)::text])))";

ObjectId check() { return {Kind::constraint, "public", "memberships_role_check", "memberships"}; }
ObjectId role() { return {Kind::column, "public", "role", "memberships"}; }

SchemaModel memberships(const std::string& check_definition) {
  SchemaModel m;
  m.add({Kind::table, "public", "memberships", ""}, {{"kind", "table"}});
  m.add(role(), {{"type", "character varying(256)"}, {"not_null", "true"}, {"position", "1"}});
  m.add(check(), {{"type", "check"}, {"definition", check_definition}, {"validated", "true"}});
  return m;
}

std::vector<std::string> changed_properties(const SchemaModel& expected,
                                            const SchemaModel& actual) {
  std::vector<std::string> out;
  for (const auto& d : compare(expected, actual)) out.push_back(d.id.display() + " " + d.property);
  return out;
}

TEST(AlignExpressions, TheSameCheckSpelledTwoWaysComparesEqualAndNeedsNoHealing) {
  const auto expected = memberships(k_migrated);
  auto actual = memberships(k_restored);
  ASSERT_EQ(1u, compare(expected, actual).size()) << "the texts differ before alignment";
  RecordingCanonicalizer canonicalizer(Forms{{k_migrated, k_restored}, {k_restored, k_restored}});

  EXPECT_EQ(1u, align_expressions(expected, actual, canonicalizer));

  EXPECT_EQ(
      (std::vector<std::vector<std::string>>{
          {"constraint public.memberships.memberships_role_check definition: " + k_migrated,
           "constraint public.memberships.memberships_role_check definition: " + k_restored}}),
      canonicalizer.calls);
  EXPECT_TRUE(compare(expected, actual).empty());
  EXPECT_TRUE(heal(actual, expected).empty());
  EXPECT_EQ(k_migrated, actual.objects.at(check()).at("definition"))
      << "actual takes expected's spelling";
}

TEST(AlignExpressions, AnExtraValueInTheListStaysDrift) {
  const auto expected = memberships(k_migrated);
  auto actual = memberships(k_widened);
  RecordingCanonicalizer canonicalizer(Forms{{k_migrated, k_restored}, {k_widened, k_widened}});

  EXPECT_EQ(0u, align_expressions(expected, actual, canonicalizer));

  EXPECT_EQ(1u, canonicalizer.calls.size());
  const auto differences = compare(expected, actual);
  ASSERT_EQ(1u, differences.size());
  EXPECT_EQ("definition", differences[0].property);
  EXPECT_EQ(k_migrated, differences[0].expected)
      << "findings show the texts as read, not canonical forms";
  EXPECT_EQ(k_widened, differences[0].actual);
}

TEST(AlignExpressions, ATextTheServerCannotCanonicalizeStaysDrift) {
  const auto expected = memberships(k_migrated);
  auto actual = memberships(k_restored);
  // Only one side known: the probe of the other failed (its table is missing there, say).
  RecordingCanonicalizer canonicalizer(Forms{{k_restored, k_restored}});

  EXPECT_EQ(0u, align_expressions(expected, actual, canonicalizer));
  EXPECT_EQ(1u, compare(expected, actual).size());
}

TEST(AlignExpressions, AnAutoNamedCheckUnderAnotherNameIsPairedWhenItParsesTheSame) {
  // Built another way, PostgreSQL numbered the generated name: compare() pairs auto-named
  // constraints by definition, which must read the same first.
  const auto expected = memberships(k_migrated);
  const ObjectId renamed{Kind::constraint, "public", "memberships_role_check1", "memberships"};
  for (const auto& [other, paired] :
       {std::make_pair(k_restored, true), std::make_pair(k_widened, false)}) {
    auto actual = memberships(other);
    actual.add(renamed, actual.objects.at(check()));
    actual.objects.erase(check());
    RecordingCanonicalizer canonicalizer(
        Forms{{k_migrated, k_restored}, {k_restored, k_restored}, {k_widened, k_widened}});

    EXPECT_EQ(paired ? 1u : 0u, align_expressions(expected, actual, canonicalizer));

    EXPECT_EQ((std::vector<std::vector<std::string>>{
                  {"constraint public.memberships.memberships_role_check definition: " + k_migrated,
                   "constraint public.memberships.memberships_role_check1 definition: " + other}}),
              canonicalizer.calls);
    if (paired) {
      EXPECT_TRUE(compare(expected, actual).empty());
    } else {
      EXPECT_EQ(
          (std::vector<std::string>{"constraint public.memberships.memberships_role_check ",
                                    "constraint public.memberships.memberships_role_check1 "}),
          changed_properties(expected, actual));
    }
  }
}

TEST(AlignExpressions, NothingIsAskedWhenNoExpressionDiffers) {
  const auto expected = memberships(k_migrated);
  auto actual = memberships(k_migrated);
  // Differences that are not expressions, and an expression set on one side only.
  actual.objects.at(role())["type"] = "text";
  actual.objects.at(role())["default"] = "'owner'::character varying";
  actual.objects.at(check())["validated"] = "false";
  RecordingCanonicalizer canonicalizer(Forms{});

  EXPECT_EQ(0u, align_expressions(expected, actual, canonicalizer));

  EXPECT_TRUE(canonicalizer.calls.empty());
  EXPECT_EQ((std::vector<std::string>{
                "column public.memberships.role default", "column public.memberships.role type",
                "constraint public.memberships.memberships_role_check validated"}),
            changed_properties(expected, actual));
}

TEST(AlignExpressions, EveryExpressionKindGoesInOneBatchAndOnlyEquivalentOnesAlign) {
  struct Case {
    ObjectId id;
    std::string property;
    std::string expected;
    std::string actual;
    bool equivalent;
  };
  const std::vector<Case> cases = {
      {{Kind::column, "billing", "is_final", "invoices"}, "generated", "g1", "g2", true},
      {{Kind::column, "billing", "note", "invoices"}, "default", "d1", "d2", false},
      {{Kind::constraint, "billing", "invoices_state_check", "invoices"},
       "definition",
       "c1",
       "c2",
       true},
      {{Kind::domain, "public", "member_role", ""}, "checks", "k1", "k2", true},
      {{Kind::domain, "public", "member_role", ""}, "default", "f1", "f2", true},
      {{Kind::index, "billing", "invoices_open_idx", "invoices"}, "definition", "i1", "i2", true},
      {{Kind::materialized_view, "billing", "monthly", ""}, "definition", "m1", "m2", true},
      {{Kind::policy, "billing", "visible", "invoices"}, "using", "u1", "u2", true},
      {{Kind::policy, "billing", "visible", "invoices"}, "with_check", "w1", "w2", false},
      {{Kind::trigger, "billing", "frozen", "invoices"}, "definition", "t1", "t2", true},
      {{Kind::view, "public", "active_members", ""}, "definition", "v1", "v2", true},
  };
  SchemaModel expected;
  SchemaModel actual;
  std::map<std::string, std::string> canonical;
  for (const auto& c : cases) {
    expected.objects[c.id][c.property] = c.expected;
    actual.objects[c.id][c.property] = c.actual;
    canonical[c.expected] = "same " + c.property;
    canonical[c.actual] = c.equivalent ? "same " + c.property : "other";
  }
  RecordingCanonicalizer canonicalizer(canonical);

  EXPECT_EQ(9u, align_expressions(expected, actual, canonicalizer));

  ASSERT_EQ(1u, canonicalizer.calls.size()) << "one batch for the whole comparison";
  EXPECT_EQ(2 * cases.size(), canonicalizer.calls[0].size());
  EXPECT_EQ((std::vector<std::string>{"column billing.invoices.note default",
                                      "policy billing.invoices.visible with_check"}),
            changed_properties(expected, actual));
}

TEST(AlignExpressions, OnlyTheDeparsedPropertiesAreExpressions) {
  struct Case {
    Kind kind;
    std::string property;
    bool expression;
  };
  const std::vector<Case> cases = {
      {Kind::constraint, "definition", true},  {Kind::index, "definition", true},
      {Kind::view, "definition", true},        {Kind::materialized_view, "definition", true},
      {Kind::trigger, "definition", true},     {Kind::column, "default", true},
      {Kind::column, "generated", true},       {Kind::domain, "default", true},
      {Kind::domain, "checks", true},          {Kind::policy, "using", true},
      {Kind::policy, "with_check", true},      {Kind::column, "type", false},
      {Kind::function, "definition", true},    {Kind::procedure, "definition", true},
      {Kind::function, "returns", false},      {Kind::policy, "roles", false},
      {Kind::table, "partition_bound", false}, {Kind::constraint, "comment", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.expression, is_expression(c.kind, c.property))
        << catalog::to_string(c.kind) << " " << c.property;
  }
}

}  // namespace
}  // namespace pgdrift::diff
