// catalog::unmodeled_objects on a real server: every kind the model lacks is listed once, and
// what is built in or made by an extension is not.
#include "pgdrift/catalog/unmodeled.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"

namespace pgdrift::testing {
namespace {

using catalog::UnmodeledObject;

class UnmodeledTest : public SandboxTest {
 protected:
  static std::vector<UnmodeledObject> listed(const std::string& sql) {
    const auto database = fresh_database();
    auto connection = db::Connection::open(database, "pgdrift-test");
    if (!sql.empty()) {
      const auto result = connection->execute(sql);
      EXPECT_TRUE(result.ok) << (result.ok ? "" : result.error->message);
    }
    return catalog::unmodeled_objects(*connection);
  }
};

TEST_F(UnmodeledTest, ListsEachKindTheModelLacks) {
  const auto found = listed(
      "CREATE TABLE public.t (a integer, b integer);"
      "CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);"
      "CREATE STATISTICS public.t_ab ON a, b FROM public.t;"
      "CREATE PUBLICATION everything FOR ALL TABLES;"
      "CREATE FUNCTION public.noop_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;"
      "CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION public.noop_ddl();"
      "CREATE FUNCTION public.same(integer, integer) RETURNS boolean LANGUAGE sql AS $$ SELECT $1 = $2 $$;"
      "CREATE OPERATOR public.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.same);"
      "CREATE TYPE public.pt AS (x integer);"
      "CREATE FUNCTION public.pt_text(public.pt) RETURNS text LANGUAGE sql AS $$ SELECT ($1).x::text $$;"
      "CREATE CAST (public.pt AS text) WITH FUNCTION public.pt_text(public.pt);"
      "CREATE TEXT SEARCH CONFIGURATION public.mine (COPY = pg_catalog.english);");
  const std::vector<UnmodeledObject> expected = {
      {"cast", "public.pt AS text"},
      {"collation", "public.ci"},
      {"event trigger", "audit_ddl"},
      {"operator", "public.===(integer,integer)"},
      {"publication", "everything"},
      {"statistics object", "public.t_ab"},
      {"text search configuration", "public.mine"},
  };
  EXPECT_EQ(found, expected);
}

TEST_F(UnmodeledTest, BuiltInAndExtensionObjectsAreNotListed) {
  // hstore brings operators and casts of its own: they are the extension's, compared through it.
  EXPECT_TRUE(listed("CREATE EXTENSION hstore; CREATE TABLE public.t (a integer);").empty());
  EXPECT_TRUE(listed("").empty());
}

}  // namespace
}  // namespace pgdrift::testing
