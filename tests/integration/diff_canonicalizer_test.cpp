// diff::ServerCanonicalizer against a real PostgreSQL: the spellings pg_dump and restore give
// (copied from PostgreSQL 15's own output for this schema) parse the same as the migration's,
// real changes do not, failing probes stay different, and nothing a probe does remains.
#include <gtest/gtest.h>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/diff/compare.hpp"
#include "pgdrift/diff/server_canonicalizer.hpp"

namespace pgdrift::testing {
namespace {

using catalog::Kind;
using catalog::ObjectId;

// Every expression kind, each with a varchar IN list, as a migration writes it.
constexpr const char* k_schema = R"sql(
CREATE DOMAIN member_role AS varchar(32) DEFAULT 'owner' CHECK (VALUE IN ('owner', 'admin'));
CREATE TABLE memberships (
  id integer NOT NULL,
  role varchar(256) NOT NULL DEFAULT (CASE WHEN current_user::varchar IN ('owner', 'admin') THEN 'admin' ELSE 'owner' END)
    CHECK (role IN ('owner', 'admin')),
  level member_role,
  is_admin boolean GENERATED ALWAYS AS (role IN ('owner', 'admin')) STORED
);
INSERT INTO memberships (id, role) VALUES (1, 'owner');
CREATE INDEX memberships_admins_idx ON memberships (id) WHERE role IN ('owner', 'admin');
CREATE VIEW admins AS SELECT id FROM memberships WHERE role IN ('owner', 'admin');
CREATE MATERIALIZED VIEW admin_count AS SELECT count(*) AS n FROM memberships WHERE role IN ('owner', 'admin');
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
CREATE POLICY admins_only ON memberships USING (role IN ('owner', 'admin')) WITH CHECK (role IN ('owner', 'admin'));
CREATE FUNCTION admin_total() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC SELECT count(*) FROM memberships WHERE role IN ('owner', 'admin'); END;
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER admins_touch BEFORE UPDATE ON memberships FOR EACH ROW WHEN (NEW.role IN ('owner', 'admin'))
  EXECUTE FUNCTION noop();
)sql";

// The list as PostgreSQL 15 deparses it after pg_dump and restore.
const std::string k_list =
    "ANY (ARRAY[('owner'::character varying)::text, ('admin'::character varying)::text])";

struct Restored {
  ObjectId id;
  std::string property;
  std::string text;
};

std::vector<Restored> restored_spellings() {
  return {
      {{Kind::domain, "public", "member_role", ""},
       "checks",
       "CONSTRAINT member_role_check CHECK (((VALUE)::text = " + k_list + "))"},
      {{Kind::column, "public", "role", "memberships"},
       "default",
       "\nCASE\n    WHEN (((CURRENT_USER)::character varying)::text = " + k_list +
           ") THEN 'admin'::text\n    ELSE 'owner'::text\nEND"},
      {{Kind::column, "public", "is_admin", "memberships"},
       "generated",
       "((role)::text = " + k_list + ")"},
      {{Kind::constraint, "public", "memberships_role_check", "memberships"},
       "definition",
       "CHECK (((role)::text = " + k_list + "))"},
      {{Kind::index, "public", "memberships_admins_idx", "memberships"},
       "definition",
       "USING btree (id) WHERE ((role)::text = " + k_list + ")"},
      {{Kind::view, "public", "admins", ""},
       "definition",
       "SELECT memberships.id\n   FROM public.memberships\n  WHERE ((memberships.role)::text = " +
           k_list + ")"},
      {{Kind::materialized_view, "public", "admin_count", ""},
       "definition",
       "SELECT count(*) AS n\n   FROM public.memberships\n  WHERE ((memberships.role)::text = " +
           k_list + ")"},
      {{Kind::policy, "public", "admins_only", "memberships"},
       "using",
       "((role)::text = " + k_list + ")"},
      {{Kind::policy, "public", "admins_only", "memberships"},
       "with_check",
       "((role)::text = " + k_list + ")"},
      {{Kind::function, "public", "admin_total()", ""},
       "definition",
       "CREATE OR REPLACE FUNCTION public.admin_total()\n RETURNS bigint\n LANGUAGE sql\n "
       "STABLE\nBEGIN "
       "ATOMIC\n SELECT count(*) AS count\n    FROM public.memberships\n   WHERE "
       "((memberships.role)::text = " +
           k_list + ");\nEND"},
      {{Kind::trigger, "public", "admins_touch", "memberships"},
       "definition",
       "CREATE TRIGGER admins_touch BEFORE UPDATE ON public.memberships FOR EACH ROW WHEN "
       "(((new.role)::text = " +
           k_list + ")) EXECUTE FUNCTION public.noop()"},
  };
}

// "object property: expected | actual" per difference, for failure messages.
std::string describe(const std::vector<diff::Difference>& differences) {
  std::string out;
  for (const auto& d : differences) {
    out += d.id.display() + " " + d.property + ": " + d.expected.value_or("-") + " | " +
           d.actual.value_or("-") + "\n";
  }
  return out;
}

class ServerCanonicalizerTest : public SandboxTest {
 protected:
  void SetUp() override {
    SandboxTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    m_database = fresh_database();
    auto connection = db::Connection::open(m_database, "pgdrift-test");
    const auto result = connection->execute(k_schema);
    ASSERT_TRUE(result.ok) << result.error->message;
    m_expected = catalog::introspect(*connection);
  }

  catalog::SchemaModel model_now() {
    auto connection = db::Connection::open(m_database, "pgdrift-test");
    return catalog::introspect(*connection);
  }

  db::ConnectionInfo m_database;
  catalog::SchemaModel m_expected;
};

TEST_F(ServerCanonicalizerTest, TheRestoredSpellingOfEveryExpressionKindParsesTheSame) {
  auto actual = m_expected;
  for (const auto& r : restored_spellings()) {
    ASSERT_NE(r.text, m_expected.objects.at(r.id).at(r.property))
        << "the migration spells it differently";
    actual.objects.at(r.id)[r.property] = r.text;
  }
  ASSERT_EQ(restored_spellings().size(), diff::compare(m_expected, actual).size());
  diff::ServerCanonicalizer canonicalizer(m_database);

  EXPECT_EQ(restored_spellings().size(),
            diff::align_expressions(m_expected, actual, canonicalizer));

  EXPECT_EQ("", describe(diff::compare(m_expected, actual)));
  EXPECT_EQ(2 * restored_spellings().size(), canonicalizer.probes());
  EXPECT_EQ(m_expected.objects, model_now().objects) << "every probe was rolled back";
}

TEST_F(ServerCanonicalizerTest, ARealChangeOfEachExpressionStaysDifferent) {
  auto actual = m_expected;
  for (const auto& r : restored_spellings()) {
    std::string changed = r.text;
    const auto at = changed.find("'admin'");
    ASSERT_NE(std::string::npos, at) << r.text;
    changed.replace(at, 7, "'guest'");
    actual.objects.at(r.id)[r.property] = changed;
  }
  diff::ServerCanonicalizer canonicalizer(m_database);

  EXPECT_EQ(0u, diff::align_expressions(m_expected, actual, canonicalizer));

  EXPECT_EQ(restored_spellings().size(), diff::compare(m_expected, actual).size());
  EXPECT_EQ(m_expected.objects, model_now().objects);
}

TEST_F(ServerCanonicalizerTest, AProbeThatCannotRunGivesNoCanonicalFormAndLeavesTheOthersIntact) {
  diff::ServerCanonicalizer canonicalizer(m_database);
  const ObjectId check{Kind::constraint, "public", "memberships_role_check", "memberships"};
  const ObjectId elsewhere{Kind::constraint, "public", "orders_state_check", "orders"};
  const auto answers = canonicalizer.canonicalize({
      {elsewhere, "definition", "CHECK ((state = 'open'::text))"},  // no such table here
      {check, "definition", "CHECK ((nonsense ="},                  // does not parse
      {check, "definition",
       "CHECK (true) NOT VALID; DROP TABLE public.memberships"},  // one statement only
      {{Kind::trigger, "public", "admins_touch", "memberships"},
       "definition",
       "DROP TABLE public.memberships"},
      {{Kind::function, "public", "noop()", ""},
       "definition",
       "CREATE OR REPLACE FUNCTION public.noop()\n RETURNS trigger\n LANGUAGE plpgsql\nAS "
       "$function$BEGIN "
       "RETURN NEW; END$function$"},
      {check, "definition", "CHECK (((role)::text = " + k_list + "))"},
  });
  ASSERT_EQ(6u, answers.size());
  EXPECT_EQ(std::nullopt, answers[0]);
  EXPECT_EQ(std::nullopt, answers[1]);
  EXPECT_EQ(std::nullopt, answers[2]);
  EXPECT_EQ(std::nullopt, answers[3]);
  EXPECT_EQ(std::nullopt, answers[4]) << "a body kept as written is the whole truth";
  EXPECT_EQ("CHECK (((role)::text = " + k_list + "))", answers[5])
      << "the transaction survives failed probes";
  EXPECT_EQ("1", scalar(m_database, "SELECT count(*) FROM public.memberships"));
  EXPECT_EQ(m_expected.objects, model_now().objects);
}

TEST_F(ServerCanonicalizerTest, NothingDifferingMeansNoConnection) {
  // A database that does not exist: connecting would throw.
  diff::ServerCanonicalizer canonicalizer(m_database.with_dbname("pgdrift_no_such_database"));
  auto actual = m_expected;
  EXPECT_EQ(0u, diff::align_expressions(m_expected, actual, canonicalizer));
  EXPECT_EQ(0u, canonicalizer.probes());
}

}  // namespace
}  // namespace pgdrift::testing
