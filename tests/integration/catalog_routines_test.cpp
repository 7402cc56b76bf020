// Schemas, extensions, enums, domains, composite types, functions, procedures, triggers and
// policies read back from a real database (catalog::introspect).
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"

namespace pgdrift::testing {
namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::SchemaModel;

const std::set<Kind> k_kinds = {Kind::schema,    Kind::extension,      Kind::enum_type,
                                Kind::domain,    Kind::composite_type, Kind::function,
                                Kind::procedure, Kind::trigger,        Kind::policy};

// "<object> <property>" for each property that differs between the models, "<object> (added)" /
// "<object> (removed)" for objects only in `changed` / only in `base`.
std::vector<std::string> differences(const SchemaModel& base, const SchemaModel& changed) {
  std::vector<std::string> out;
  for (const auto& [id, properties] : base.objects) {
    const auto it = changed.objects.find(id);
    if (it == changed.objects.end()) {
      out.push_back(id.display() + " (removed)");
      continue;
    }
    std::set<std::string> names;
    for (const auto& [name, value] : properties) names.insert(name);
    for (const auto& [name, value] : it->second) names.insert(name);
    for (const auto& name : names) {
      const auto a = properties.find(name);
      const auto b = it->second.find(name);
      if (a == properties.end() || b == it->second.end() || a->second != b->second) {
        out.push_back(id.display() + " " + name);
      }
    }
  }
  for (const auto& [id, properties] : changed.objects) {
    if (base.objects.count(id) == 0) out.push_back(id.display() + " (added)");
  }
  return out;
}

// The identities of the objects of this file's kinds, in model order.
std::vector<std::string> ids(const SchemaModel& model) {
  std::vector<std::string> out;
  for (const auto& [id, properties] : model.objects) {
    if (k_kinds.count(id.kind) != 0) out.push_back(id.display());
  }
  return out;
}

class CatalogRoutinesTest : public SandboxTest {
 protected:
  // Runs `sql` (any number of statements) on `database`; returns the error message or "".
  static std::string apply(const db::ConnectionInfo& database, const std::string& sql) {
    auto connection = db::Connection::open(database, "pgdrift-test");
    const auto result = connection->execute(sql);
    return result.ok ? "" : result.error->message + " in: " + sql;
  }
  static SchemaModel model_of(const db::ConnectionInfo& database,
                              const catalog::IntrospectOptions& options = {}) {
    auto connection = db::Connection::open(database, "pgdrift-test");
    return catalog::introspect(*connection, options);
  }
  static const catalog::Properties& properties(const SchemaModel& model, const ObjectId& id) {
    static const catalog::Properties k_none;
    const auto it = model.objects.find(id);
    return it == model.objects.end() ? k_none : it->second;
  }
  static std::string property(const SchemaModel& model, const ObjectId& id,
                              const std::string& name) {
    const auto& p = properties(model, id);
    const auto it = p.find(name);
    return it == p.end() ? "<absent>" : it->second;
  }
  static bool citext_available(const db::ConnectionInfo& database) {
    return scalar(database, "SELECT count(*) FROM pg_available_extensions WHERE name = 'citext'") ==
           "1";
  }
};

TEST_F(CatalogRoutinesTest, ReadsEveryKindBackAndLeavesOutExtensionMembersAndImpliedObjects) {
  const auto database = fresh_database();
  if (!citext_available(database)) GTEST_SKIP() << "the citext contrib extension is not installed";
  ASSERT_EQ("", apply(database, R"sql(
    CREATE EXTENSION citext;
    CREATE SCHEMA app;
    COMMENT ON SCHEMA app IS 'the application';
    GRANT USAGE ON SCHEMA app TO pg_monitor;
    CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
    ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok';
    CREATE DOMAIN app.pos AS integer DEFAULT 1 NOT NULL
      CONSTRAINT pos_small CHECK (VALUE < 1000) CONSTRAINT pos_positive CHECK (VALUE > 0);
    CREATE DOMAIN app.code AS varchar(8) COLLATE "C";
    CREATE TYPE app.pair AS (a integer, b text COLLATE "C", c app.mood, d numeric(10,2));
    CREATE TYPE app.span AS RANGE (subtype = integer);
    CREATE FUNCTION app.add(a int, VARIADIC rest int[]) RETURNS int LANGUAGE sql IMMUTABLE STRICT
      AS 'SELECT a + coalesce(rest[1], 0)';
    COMMENT ON FUNCTION app.add(integer, integer[]) IS 'sums';
    REVOKE EXECUTE ON FUNCTION app.add(integer, integer[]) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION app.add(integer, integer[]) TO pg_monitor;
    CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$BEGIN RETURN NEW; END$$;
    CREATE PROCEDURE app.reset(INOUT n integer, OUT done boolean) LANGUAGE plpgsql AS $$BEGIN done := true; END$$;
    CREATE AGGREGATE app.total(integer) (sfunc = int4pl, stype = integer);
    CREATE TABLE app.owner (id integer PRIMARY KEY);
    CREATE TABLE app.doc (id integer, owner_id integer REFERENCES app.owner, owner text, tag public.citext);
    CREATE TRIGGER doc_touch BEFORE INSERT OR UPDATE OF owner ON app.doc
      FOR EACH ROW WHEN (NEW.id > 0) EXECUTE FUNCTION app.touch();
    ALTER TABLE app.doc DISABLE TRIGGER doc_touch;
    ALTER TABLE app.doc ENABLE ROW LEVEL SECURITY;
    CREATE POLICY doc_owner ON app.doc AS RESTRICTIVE FOR UPDATE TO pg_signal_backend, pg_monitor
      USING (owner = CURRENT_USER) WITH CHECK (id > 0);
    CREATE POLICY doc_read ON app.doc FOR SELECT USING (true);
    COMMENT ON POLICY doc_read ON app.doc IS 'everyone reads';
    CREATE TABLE app.event (id integer, at date) PARTITION BY RANGE (at);
    CREATE TABLE app.event_2024 PARTITION OF app.event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE TRIGGER event_touch AFTER INSERT ON app.event FOR EACH ROW EXECUTE FUNCTION app.touch();
  )sql"));
  const auto model = model_of(database);

  // citext's functions, operators' functions and types, the range type's constructors, the
  // aggregate, the FK's internal triggers and the partition's trigger clone are all absent.
  EXPECT_EQ((std::vector<std::string>{
                "schema app",
                "schema public",
                "extension citext",
                "extension plpgsql",
                "enum app.mood",
                "domain app.code",
                "domain app.pos",
                "composite type app.pair",
                "function app.add(integer, integer[])",
                "function app.touch()",
                "procedure app.reset(integer)",
                "trigger app.doc.doc_touch",
                "policy app.doc.doc_owner",
                "policy app.doc.doc_read",
                "trigger app.event.event_touch",
            }),
            ids(model));

  const std::string citext_version =
      scalar(database, "SELECT extversion FROM pg_extension WHERE extname = 'citext'");
  EXPECT_EQ((catalog::Properties{{"schema", "public"}, {"version", citext_version}}),
            properties(model, {Kind::extension, "", "citext", ""}));
  EXPECT_EQ(
      (catalog::Properties{{"comment", "the application"}, {"privileges", "pg_monitor=USAGE"}}),
      properties(model, {Kind::schema, "", "app", ""}));
  // Built-in default ACLs (NULL) add no privileges property.
  EXPECT_EQ((catalog::Properties{{"labels", "'sad', 'meh', 'ok', 'happy'"}}),
            properties(model, {Kind::enum_type, "app", "mood", ""}));
  EXPECT_EQ((catalog::Properties{{"type", "integer"},
                                 {"default", "1"},
                                 {"not_null", "true"},
                                 {"checks",
                                  "CONSTRAINT pos_positive CHECK ((VALUE > 0))\n"
                                  "CONSTRAINT pos_small CHECK ((VALUE < 1000))"}}),
            properties(model, {Kind::domain, "app", "pos", ""}));
  EXPECT_EQ((catalog::Properties{{"type", "character varying(8)"},
                                 {"not_null", "false"},
                                 {"collation", "\"C\""}}),
            properties(model, {Kind::domain, "app", "code", ""}));
  EXPECT_EQ((catalog::Properties{
                {"attributes", "a integer, b text COLLATE \"C\", c app.mood, d numeric(10,2)"}}),
            properties(model, {Kind::composite_type, "app", "pair", ""}));

  EXPECT_EQ((catalog::Properties{
                {"returns", "integer"},
                {"language", "sql"},
                {"volatility", "immutable"},
                {"security_definer", "false"},
                {"strict", "true"},
                {"definition",
                 "CREATE OR REPLACE FUNCTION app.add(a integer, VARIADIC rest integer[])\n"
                 " RETURNS integer\n"
                 " LANGUAGE sql\n"
                 " IMMUTABLE STRICT\n"
                 "AS $function$SELECT a + coalesce(rest[1], 0)$function$"},
                {"comment", "sums"},
                {"privileges", "pg_monitor=EXECUTE"}}),
            properties(model, {Kind::function, "app", "add(integer, integer[])", ""}));
  const ObjectId touch{Kind::function, "app", "touch()", ""};
  EXPECT_EQ("trigger", property(model, touch, "returns"));
  EXPECT_EQ("plpgsql", property(model, touch, "language"));
  EXPECT_EQ("volatile", property(model, touch, "volatility"));
  EXPECT_EQ("true", property(model, touch, "security_definer"));
  EXPECT_EQ("<absent>", property(model, touch, "privileges")) << "default ACL: no property";
  const ObjectId reset{Kind::procedure, "app", "reset(integer)", ""};
  EXPECT_EQ("<absent>", property(model, reset, "returns"));
  EXPECT_EQ(
      0u,
      property(model, reset, "definition")
          .rfind("CREATE OR REPLACE PROCEDURE app.reset(INOUT n integer, OUT done boolean)\n", 0))
      << property(model, reset, "definition");

  EXPECT_EQ(
      (catalog::Properties{
          {"definition",
           "CREATE TRIGGER doc_touch BEFORE INSERT OR UPDATE OF owner ON app.doc FOR EACH ROW "
           "WHEN ((new.id > 0)) EXECUTE FUNCTION app.touch()"},
          {"enabled", "disabled"}}),
      properties(model, {Kind::trigger, "app", "doc_touch", "doc"}));
  EXPECT_EQ("origin", property(model, {Kind::trigger, "app", "event_touch", "event"}, "enabled"));
  EXPECT_EQ((catalog::Properties{{"command", "UPDATE"},
                                 {"permissive", "false"},
                                 {"roles", "pg_monitor, pg_signal_backend"},
                                 {"using", "(owner = CURRENT_USER)"},
                                 {"with_check", "(id > 0)"}}),
            properties(model, {Kind::policy, "app", "doc_owner", "doc"}));
  EXPECT_EQ((catalog::Properties{{"command", "SELECT"},
                                 {"permissive", "true"},
                                 {"roles", "PUBLIC"},
                                 {"using", "true"},
                                 {"comment", "everyone reads"}}),
            properties(model, {Kind::policy, "app", "doc_read", "doc"}));
}

// One change applied on top of k_base.
struct Change {
  const char* name;
  const char* sql;
  const char* expected;  // the difference it must make: "<object> <property>" or "<object> (added)"
  const char* setup = "";  // extra base SQL, in both databases
  bool needs_citext = false;
  const char* requires_sql = "";  // when set, a query that must return "t" for the row to run
};

const char* const k_base = R"sql(
  CREATE SCHEMA app;
  CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN app.pos AS integer DEFAULT 1 CONSTRAINT pos_positive CHECK (VALUE > 0);
  CREATE DOMAIN app.code AS text;
  CREATE TYPE app.pair AS (a integer, b text);
  CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
  CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
  CREATE PROCEDURE app.reset(n integer) LANGUAGE plpgsql AS $$BEGIN PERFORM n; END$$;
  CREATE TABLE app.doc (id integer, owner text);
  CREATE TRIGGER doc_touch BEFORE INSERT ON app.doc FOR EACH ROW EXECUTE FUNCTION app.touch();
  ALTER TABLE app.doc ENABLE ROW LEVEL SECURITY;
  CREATE POLICY doc_owner ON app.doc FOR SELECT USING (owner = CURRENT_USER);
  CREATE POLICY doc_write ON app.doc FOR INSERT WITH CHECK (id > 0);
)sql";

const Change k_changes[] = {
    {"enum value added", "ALTER TYPE app.mood ADD VALUE 'glad'", "enum app.mood labels"},
    {"enum value inserted before", "ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok'",
     "enum app.mood labels"},
    {"enum label order", "DROP TYPE app.mood; CREATE TYPE app.mood AS ENUM ('happy', 'ok', 'sad')",
     "enum app.mood labels"},
    {"enum value renamed", "ALTER TYPE app.mood RENAME VALUE 'ok' TO 'fine'",
     "enum app.mood labels"},
    {"domain default", "ALTER DOMAIN app.pos SET DEFAULT 2", "domain app.pos default"},
    {"domain default dropped", "ALTER DOMAIN app.pos DROP DEFAULT", "domain app.pos default"},
    {"domain not null", "ALTER DOMAIN app.pos SET NOT NULL", "domain app.pos not_null"},
    {"domain check added", "ALTER DOMAIN app.pos ADD CONSTRAINT pos_small CHECK (VALUE < 100)",
     "domain app.pos checks"},
    {"domain check not valid",
     "ALTER DOMAIN app.pos ADD CONSTRAINT pos_small CHECK (VALUE < 100) NOT VALID",
     "domain app.pos checks"},
    {"domain check renamed", "ALTER DOMAIN app.pos RENAME CONSTRAINT pos_positive TO pos_gt_zero",
     "domain app.pos checks"},
    {"domain base type",
     "DROP DOMAIN app.pos; CREATE DOMAIN app.pos AS bigint DEFAULT 1 CONSTRAINT pos_positive "
     "CHECK (VALUE > 0)",
     "domain app.pos type"},
    {"domain collation", "DROP DOMAIN app.code; CREATE DOMAIN app.code AS text COLLATE \"C\"",
     "domain app.code collation"},
    {"domain comment", "COMMENT ON DOMAIN app.pos IS 'positive'", "domain app.pos comment"},
    {"composite attribute type", "ALTER TYPE app.pair ALTER ATTRIBUTE b TYPE varchar(10)",
     "composite type app.pair attributes"},
    {"composite attribute added", "ALTER TYPE app.pair ADD ATTRIBUTE c integer",
     "composite type app.pair attributes"},
    {"composite attribute renamed", "ALTER TYPE app.pair RENAME ATTRIBUTE b TO name",
     "composite type app.pair attributes"},
    {"function body",
     "CREATE OR REPLACE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql "
     "IMMUTABLE "
     "AS 'SELECT b + a'",
     "function app.add(integer, integer) definition"},
    {"function volatility", "ALTER FUNCTION app.add(integer, integer) STABLE",
     "function app.add(integer, integer) volatility"},
    {"function security definer", "ALTER FUNCTION app.add(integer, integer) SECURITY DEFINER",
     "function app.add(integer, integer) security_definer"},
    {"function strict", "ALTER FUNCTION app.add(integer, integer) STRICT",
     "function app.add(integer, integer) strict"},
    {"function setting", "ALTER FUNCTION app.add(integer, integer) SET search_path = ''",
     "function app.add(integer, integer) definition"},
    {"function language",
     "CREATE OR REPLACE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE plpgsql "
     "IMMUTABLE "
     "AS 'BEGIN RETURN a + b; END'",
     "function app.add(integer, integer) language"},
    {"function return type",
     "DROP FUNCTION app.add(integer, integer); CREATE FUNCTION app.add(a integer, b integer) "
     "RETURNS bigint "
     "LANGUAGE sql IMMUTABLE AS 'SELECT a + b'",
     "function app.add(integer, integer) returns"},
    {"function overload",
     "CREATE FUNCTION app.add(a bigint, b bigint) RETURNS bigint LANGUAGE sql AS 'SELECT a + b'",
     "function app.add(bigint, bigint) (added)"},
    {"function comment", "COMMENT ON FUNCTION app.add(integer, integer) IS 'sums'",
     "function app.add(integer, integer) comment"},
    {"function grant", "GRANT EXECUTE ON FUNCTION app.add(integer, integer) TO pg_monitor",
     "function app.add(integer, integer) privileges"},
    {"function revoke from public",
     "REVOKE EXECUTE ON FUNCTION app.add(integer, integer) FROM PUBLIC",
     "function app.add(integer, integer) privileges"},
    {"procedure body",
     "CREATE OR REPLACE PROCEDURE app.reset(n integer) LANGUAGE plpgsql AS $$BEGIN PERFORM n + 1; "
     "END$$",
     "procedure app.reset(integer) definition"},
    {"procedure security definer", "ALTER PROCEDURE app.reset(integer) SECURITY DEFINER",
     "procedure app.reset(integer) security_definer"},
    {"trigger timing",
     "DROP TRIGGER doc_touch ON app.doc; "
     "CREATE TRIGGER doc_touch AFTER INSERT ON app.doc FOR EACH ROW EXECUTE FUNCTION app.touch()",
     "trigger app.doc.doc_touch definition"},
    {"trigger event",
     "DROP TRIGGER doc_touch ON app.doc; "
     "CREATE TRIGGER doc_touch BEFORE INSERT OR UPDATE ON app.doc FOR EACH ROW EXECUTE FUNCTION "
     "app.touch()",
     "trigger app.doc.doc_touch definition"},
    {"trigger when",
     "DROP TRIGGER doc_touch ON app.doc; CREATE TRIGGER doc_touch BEFORE INSERT ON app.doc FOR "
     "EACH ROW "
     "WHEN (NEW.id > 0) EXECUTE FUNCTION app.touch()",
     "trigger app.doc.doc_touch definition"},
    {"trigger disabled", "ALTER TABLE app.doc DISABLE TRIGGER doc_touch",
     "trigger app.doc.doc_touch enabled"},
    {"trigger enabled always", "ALTER TABLE app.doc ENABLE ALWAYS TRIGGER doc_touch",
     "trigger app.doc.doc_touch enabled"},
    {"trigger comment", "COMMENT ON TRIGGER doc_touch ON app.doc IS 'stamps'",
     "trigger app.doc.doc_touch comment"},
    {"policy using", "ALTER POLICY doc_owner ON app.doc USING (owner = SESSION_USER)",
     "policy app.doc.doc_owner using"},
    {"policy with check", "ALTER POLICY doc_write ON app.doc WITH CHECK (id > 1)",
     "policy app.doc.doc_write with_check"},
    {"policy roles", "ALTER POLICY doc_owner ON app.doc TO pg_monitor",
     "policy app.doc.doc_owner roles"},
    {"policy restrictive",
     "DROP POLICY doc_owner ON app.doc; "
     "CREATE POLICY doc_owner ON app.doc AS RESTRICTIVE FOR SELECT USING (owner = CURRENT_USER)",
     "policy app.doc.doc_owner permissive"},
    {"policy command",
     "DROP POLICY doc_owner ON app.doc; CREATE POLICY doc_owner ON app.doc FOR DELETE USING (owner "
     "= CURRENT_USER)",
     "policy app.doc.doc_owner command"},
    {"policy comment", "COMMENT ON POLICY doc_owner ON app.doc IS 'mine'",
     "policy app.doc.doc_owner comment"},
    {"schema created", "CREATE SCHEMA extra", "schema extra (added)"},
    {"schema comment", "COMMENT ON SCHEMA app IS 'the app'", "schema app comment"},
    {"schema grant", "GRANT USAGE ON SCHEMA app TO pg_monitor", "schema app privileges"},
    {"extension created (its members stay hidden)", "CREATE EXTENSION citext",
     "extension citext (added)", "", true},
    {"extension schema", "ALTER EXTENSION citext SET SCHEMA app", "extension citext schema",
     "CREATE EXTENSION citext", true},
    {"extension version", "ALTER EXTENSION citext UPDATE TO '1.6'", "extension citext version",
     "CREATE EXTENSION citext VERSION '1.5'", true,
     "SELECT count(*) = 2 FROM pg_available_extension_versions WHERE name = 'citext' AND version "
     "IN ('1.5', '1.6')"},
};

TEST_F(CatalogRoutinesTest, ChangingAnyOnePropertyChangesThatPropertyOfThatObjectOnly) {
  const auto probe = fresh_database();
  const bool has_citext = citext_available(probe);
  const auto base_database = fresh_database();
  ASSERT_EQ("", apply(base_database, k_base));
  const auto base = model_of(base_database);
  ASSERT_FALSE(ids(base).empty());

  for (const auto& change : k_changes) {
    SCOPED_TRACE(change.name);
    if ((change.needs_citext && !has_citext) ||
        (*change.requires_sql != '\0' && scalar(probe, change.requires_sql) != "t")) {
      std::cout << "[ SKIPPED  ] row \"" << change.name << "\": not supported by this server\n";
      continue;
    }
    SchemaModel before = base;
    if (*change.setup != '\0') {
      const auto setup_database = fresh_database();
      ASSERT_EQ("", apply(setup_database, k_base));
      ASSERT_EQ("", apply(setup_database, change.setup));
      before = model_of(setup_database);
    }
    const auto database = fresh_database();
    ASSERT_EQ("", apply(database, k_base));
    if (*change.setup != '\0') {
      ASSERT_EQ("", apply(database, change.setup));
    }
    ASSERT_EQ("", apply(database, change.sql));
    const auto after = model_of(database);

    const auto found = differences(before, after);
    EXPECT_NE(std::find(found.begin(), found.end(), change.expected), found.end())
        << "expected \"" << change.expected << "\" among: " << ::testing::PrintToString(found);
    // Nothing else changes: every difference is about the same object.
    const std::string expected(change.expected);
    const auto object = expected.substr(0, expected.rfind(' '));
    for (const auto& difference : found)
      EXPECT_EQ(object, difference.substr(0, difference.rfind(' '))) << difference;
  }
}

TEST_F(CatalogRoutinesTest, TheSameObjectsWrittenDifferentlyGiveTheSameModel) {
  const auto first = fresh_database();
  const auto second = fresh_database();
  const bool atomic_bodies =
      scalar(first, "SELECT current_setting('server_version_num')::int >= 140000") == "t";
  std::string written_one_way = R"sql(
    CREATE SCHEMA app;
    CREATE TYPE app.mood AS ENUM ('sad', 'meh', 'ok', 'happy');
    CREATE DOMAIN app.pos AS integer NOT NULL DEFAULT 1 CONSTRAINT pos_positive CHECK (VALUE > 0)
      CONSTRAINT pos_small CHECK (VALUE < 1000);
    CREATE TYPE app.pair AS (a integer, b character varying(10));
    CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS 'SELECT a + b';
    GRANT EXECUTE ON FUNCTION app.add(integer, integer) TO pg_monitor, pg_signal_backend;
    CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
    CREATE TABLE app.doc (id integer, owner text);
    CREATE TRIGGER doc_touch BEFORE INSERT ON app.doc FOR EACH ROW WHEN (NEW.id > 0) EXECUTE FUNCTION app.touch();
    ALTER TABLE app.doc ENABLE ROW LEVEL SECURITY;
    CREATE POLICY doc_owner ON app.doc FOR UPDATE TO pg_monitor, pg_signal_backend
      USING (owner = CURRENT_USER) WITH CHECK (id > 0);
  )sql";
  // Unqualified names under a session search_path, type aliases, other clause order and spacing,
  // objects created in another order, an enum built up with ADD VALUE.
  std::string written_another_way = R"sql(
    CREATE SCHEMA app;
    SET search_path = app;
    CREATE TABLE doc (id int4, owner text);
    CREATE FUNCTION touch() RETURNS trigger AS $$BEGIN RETURN NEW; END$$ LANGUAGE plpgsql;
    create policy doc_owner on doc for update to pg_signal_backend,pg_monitor using (owner=current_user) with check (id>0);
    ALTER TABLE doc ENABLE ROW LEVEL SECURITY;
    CREATE TRIGGER doc_touch BEFORE INSERT ON doc FOR EACH ROW WHEN (new.id>0) EXECUTE PROCEDURE touch();
    CREATE FUNCTION add(a int4, b int) RETURNS int4 RETURNS NULL ON NULL INPUT IMMUTABLE LANGUAGE sql AS 'SELECT a + b';
    GRANT EXECUTE ON FUNCTION add(int, int) TO pg_signal_backend;
    GRANT EXECUTE ON FUNCTION add(int, int) TO pg_monitor;
    CREATE TYPE pair AS (a int, b varchar(10));
    CREATE DOMAIN pos int CONSTRAINT pos_small CHECK(VALUE<1000) CONSTRAINT pos_positive CHECK((VALUE>0)) DEFAULT (1) NOT NULL;
    CREATE TYPE mood AS ENUM ('sad', 'happy');
    ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';
    ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';
  )sql";
  if (atomic_bodies) {
    // SQL-standard bodies are stored parsed, so their deparsed text is normalized.
    written_one_way +=
        "CREATE FUNCTION app.twice(x integer) RETURNS integer LANGUAGE sql "
        "BEGIN ATOMIC SELECT x * 2; END;\n";
    written_another_way +=
        "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC\n  select x*2 "
        ";\nEND;\n";
  }
  ASSERT_EQ("", apply(first, written_one_way));
  ASSERT_EQ("", apply(second, written_another_way));

  const auto a = model_of(first);
  const auto b = model_of(second);
  EXPECT_EQ(std::vector<std::string>{}, differences(a, b));
  const auto listed = ids(a);
  EXPECT_EQ(listed, ids(b));
  EXPECT_NE(std::find(listed.begin(), listed.end(), "function app.add(integer, integer)"),
            listed.end());
  EXPECT_NE(std::find(listed.begin(), listed.end(), "policy app.doc.doc_owner"), listed.end());
  if (atomic_bodies) {
    EXPECT_EQ(1u, a.objects.count({Kind::function, "app", "twice(integer)", ""}));
  }
}

TEST_F(CatalogRoutinesTest, ObjectsInAnExcludedSchemaAreAbsent) {
  const auto database = fresh_database();
  ASSERT_EQ("", apply(database, R"sql(
    CREATE SCHEMA app;
    CREATE FUNCTION app.kept() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    CREATE SCHEMA hidden;
    CREATE FUNCTION hidden.secret() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
    CREATE TYPE hidden.mood AS ENUM ('a');
    CREATE TABLE hidden.t (id integer);
    CREATE TRIGGER t_touch BEFORE INSERT ON hidden.t FOR EACH ROW EXECUTE FUNCTION hidden.secret();
  )sql"));

  const auto everything = model_of(database);
  EXPECT_EQ(1u, everything.objects.count({Kind::function, "hidden", "secret()", ""}));

  catalog::IntrospectOptions options;
  options.exclude_schemas = {"hidden"};
  const auto model = model_of(database, options);
  EXPECT_EQ(1u, model.objects.count({Kind::function, "app", "kept()", ""}));
  for (const auto& [id, properties] : model.objects) {
    EXPECT_NE("hidden", id.schema) << id.display();
    EXPECT_FALSE(id.kind == Kind::schema && id.name == "hidden") << id.display();
  }
}

}  // namespace
}  // namespace pgdrift::testing
