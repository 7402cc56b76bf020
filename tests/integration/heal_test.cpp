// The healing migration (diff::heal / render_script) applied to real databases: the script that
// turns A's schema into B's, run on A, must leave A with exactly B's model.
#include "pgdrift/diff/heal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::testing {
namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::SchemaModel;
using diff::HealOptions;
using diff::HealStep;

std::string fixture(const std::string& name) {
  return util::read_file(std::string(PGDRIFT_FIXTURES_DIR) + "/" + name);
}

std::string show(const catalog::Properties& properties, const std::string& name) {
  const auto it = properties.find(name);
  return it == properties.end() ? "(none)" : "'" + it->second + "'";
}

// One line per difference: "<object>: only in expected/actual" or "<object> <property>: <actual>
// → expected <expected>".
std::vector<std::string> differences(const SchemaModel& actual, const SchemaModel& expected) {
  std::vector<std::string> out;
  for (const auto& [id, properties] : expected.objects) {
    const auto it = actual.objects.find(id);
    if (it == actual.objects.end()) {
      out.push_back(id.display() + ": missing");
      continue;
    }
    std::set<std::string> names;
    for (const auto& [name, value] : properties) names.insert(name);
    for (const auto& [name, value] : it->second) names.insert(name);
    for (const auto& name : names) {
      if (show(it->second, name) != show(properties, name)) {
        out.push_back(id.display() + " " + name + ": " + show(it->second, name) + ", expected " +
                      show(properties, name));
      }
    }
  }
  for (const auto& [id, properties] : actual.objects) {
    if (expected.objects.count(id) == 0) out.push_back(id.display() + ": unexpected");
  }
  return out;
}

// The index of the first step whose SQL contains `text`, or steps.size().
std::size_t step_with(const std::vector<HealStep>& steps, const std::string& text) {
  const auto it = std::find_if(steps.begin(), steps.end(), [&](const HealStep& step) {
    return step.sql.find(text) != std::string::npos;
  });
  return static_cast<std::size_t>(it - steps.begin());
}

class HealTest : public SandboxTest {
 protected:
  // A fresh database with `sql` loaded.
  static db::ConnectionInfo load(const std::string& sql) {
    const auto database = fresh_database();
    if (!sql.empty()) {
      const auto result = db::Connection::open(database, "pgdrift-test")->execute(sql);
      EXPECT_TRUE(result.ok) << (result.ok ? "" : result.error->message);
    }
    return database;
  }
  static SchemaModel model_of(const db::ConnectionInfo& database) {
    auto connection = db::Connection::open(database, "pgdrift-test");
    return catalog::introspect(*connection);
  }
  // Runs `script` statement by statement in autocommit, as `psql -f` does; the first error with
  // its statement, or "".
  static std::string apply(const db::ConnectionInfo& database, const std::string& script) {
    auto connection = db::Connection::open(database, "pgdrift-test");
    for (const auto& statement : sql::split(script)) {
      const std::string text(statement.text(script));
      const auto result = connection->execute(text);
      if (!result.ok) return result.error->message + "\n    in: " + text;
    }
    return "";
  }
  // Heals A into B on A's database and returns A's model afterwards.
  static SchemaModel heal_and_reload(const db::ConnectionInfo& a, const SchemaModel& from,
                                     const SchemaModel& to, const HealOptions& options,
                                     std::string* script_out = nullptr) {
    const auto steps = diff::heal(from, to, options);
    const auto script = diff::render_script(steps, options);
    if (script_out != nullptr) *script_out = script;
    const auto error = apply(a, script);
    EXPECT_EQ(error, "") << "script:\n" << script;
    return model_of(a);
  }
};

TEST_F(HealTest, FixturePairChangesEveryObjectKind) {
  const auto a = model_of(load(fixture("heal/a.sql")));
  const auto b = model_of(load(fixture("heal/b.sql")));
  for (int k = 0; k <= static_cast<int>(Kind::policy); ++k) {
    const Kind kind = static_cast<Kind>(k);
    bool added = false, removed = false, changed = false;
    for (const auto& [id, properties] : b.objects) {
      if (id.kind != kind) continue;
      const auto it = a.objects.find(id);
      added = added || it == a.objects.end();
      changed = changed || (it != a.objects.end() && it->second != properties);
    }
    for (const auto& [id, properties] : a.objects)
      removed = removed || (id.kind == kind && b.objects.count(id) == 0);
    EXPECT_TRUE(added && removed && changed) << catalog::to_string(kind) << ": added " << added
                                             << ", removed " << removed << ", changed " << changed;
  }
}

TEST_F(HealTest, RoundTripGivesExactlyTheTargetModel) {
  const auto a = load(fixture("heal/a.sql"));
  const auto from = model_of(a);
  const auto to = model_of(load(fixture("heal/b.sql")));
  HealOptions options;
  options.allow_destructive = true;
  const auto steps = diff::heal(from, to, options);
  for (const auto& step : steps) EXPECT_TRUE(util::ends_with(step.sql, ";")) << step.sql;
  std::string script;
  const auto healed = heal_and_reload(a, from, to, options, &script);
  const auto remaining = differences(healed, to);
  EXPECT_TRUE(remaining.empty()) << util::join(remaining, "\n") << "\nscript:\n" << script;
  EXPECT_TRUE(healed.objects == to.objects);
  EXPECT_TRUE(diff::heal(healed, to, options).empty());
}

TEST_F(HealTest, AdditiveScriptAddsWhatIsMissingAndDropsNothing) {
  const auto a = load(fixture("heal/a.sql"));
  const auto from = model_of(a);
  const auto to = model_of(load(fixture("heal/b.sql")));
  std::string script;
  const auto healed = heal_and_reload(a, from, to, HealOptions{}, &script);
  // What is not there was left out, and the script says so: a destructive step, or one that
  // depends on a destructive step (the additive script must apply), for it or its table.
  const auto said = [&](const ObjectId& id) {
    return script.find("-- left out: " + id.display() + ": it depends on ") != std::string::npos ||
           script.find("not applied (use --allow-destructive): " + id.display() + "\n") !=
               std::string::npos;
  };
  for (const auto& [id, properties] : to.objects) {
    if (healed.objects.count(id) == 1) continue;
    EXPECT_TRUE(said(id) || said(ObjectId{Kind::table, id.schema, id.table, ""}))
        << id.display() << " missing, and the script does not say why:\n" << script;
  }
  // What depends on nothing destructive is added, such as the new schema.
  EXPECT_EQ(healed.objects.count(ObjectId{Kind::schema, "", "reporting", ""}), 1u) << script;
  for (const auto& [id, properties] : from.objects)
    EXPECT_EQ(healed.objects.count(id), 1u) << id.display() << " dropped";
  // What only a destructive step can do is left undone: the column type, and the removed table.
  const ObjectId name{Kind::column, "app", "name", "customers"};
  EXPECT_EQ(healed.objects.at(name).at("type"), "character varying(50)");
  EXPECT_NE(script.find("-- DROP TABLE app.archive;"), std::string::npos) << script;
}

TEST_F(HealTest, CreatesAndDropsAWholeSchema) {
  const auto empty_database = load("");
  const auto empty = model_of(empty_database);
  const auto full = model_of(load(fixture("schemas/full.sql")));
  HealOptions options;
  options.allow_destructive = true;
  std::string script;
  const auto created = heal_and_reload(empty_database, empty, full, options, &script);
  EXPECT_TRUE(differences(created, full).empty())
      << util::join(differences(created, full), "\n") << "\n"
      << script;
  const auto dropped = heal_and_reload(empty_database, full, empty, options, &script);
  EXPECT_TRUE(differences(dropped, empty).empty())
      << util::join(differences(dropped, empty), "\n") << "\n"
      << script;
}

// What ALTER cannot do: a new partition key, a table that becomes a view, a function that becomes
// a procedure, a domain's base type, a reordered enum behind an array column; and partitions
// attached and detached, inheritance dropped, identity and generation added and removed.
TEST_F(HealTest, RoundTripOfStructuralChanges) {
  const auto a = load(
      "CREATE TABLE public.measures (id integer NOT NULL, at date NOT NULL) PARTITION BY RANGE "
      "(at);"
      "CREATE TABLE public.measures_2024 PARTITION OF public.measures"
      " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
      "CREATE VIEW public.measure_ids AS SELECT id FROM public.measures;"
      "CREATE TABLE public.logs (id integer NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);"
      "CREATE TABLE public.logs_old PARTITION OF public.logs FOR VALUES FROM ('2000-01-01') TO "
      "('2001-01-01');"
      "CREATE TABLE public.loose (id integer NOT NULL, at date NOT NULL);"
      "CREATE TABLE public.thing (id integer);"
      "CREATE FUNCTION public.work() RETURNS void LANGUAGE plpgsql AS $$ BEGIN END $$;"
      "CREATE DOMAIN public.short AS varchar(10);"
      "CREATE TABLE public.counters (id integer NOT NULL, n integer GENERATED ALWAYS AS IDENTITY,"
      " m integer, g integer);"
      "CREATE TABLE public.parent (a integer);"
      "CREATE TABLE public.child (b integer) INHERITS (public.parent);"
      "CREATE TYPE public.color AS ENUM ('red', 'green');"
      "CREATE TABLE public.paint (colors public.color[] DEFAULT '{red}');");
  const auto from = model_of(a);
  const auto to = model_of(load(
      "CREATE TABLE public.measures (id integer NOT NULL, at date NOT NULL) PARTITION BY LIST (at);"
      "CREATE TABLE public.measures_2024 PARTITION OF public.measures FOR VALUES IN ('2024-01-01');"
      "CREATE VIEW public.measure_ids AS SELECT id FROM public.measures;"
      "CREATE TABLE public.logs (id integer NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);"
      "CREATE TABLE public.logs_old (id integer NOT NULL, at date NOT NULL);"
      "CREATE TABLE public.loose PARTITION OF public.logs FOR VALUES FROM ('2024-01-01') TO "
      "('2025-01-01');"
      "CREATE VIEW public.thing AS SELECT 1 AS id;"
      "CREATE PROCEDURE public.work() LANGUAGE plpgsql AS $$ BEGIN END $$;"
      "CREATE DOMAIN public.short AS varchar(20);"
      "CREATE TABLE public.counters (id integer GENERATED BY DEFAULT AS IDENTITY, n integer NOT "
      "NULL,"
      " m integer, g integer GENERATED ALWAYS AS (m * 2) STORED);"
      "CREATE TABLE public.parent (a integer);"
      "CREATE TABLE public.child (a integer, b integer);"
      "CREATE TYPE public.color AS ENUM ('green', 'red');"
      "CREATE TABLE public.paint (colors public.color[] DEFAULT '{red}');"));
  HealOptions options;
  options.allow_destructive = true;
  const auto steps = diff::heal(from, to, options);
  for (const char* expected :
       {"DETACH PARTITION public.logs_old", "ATTACH PARTITION public.loose",
        "NO INHERIT public.parent", "DROP IDENTITY", "ADD GENERATED BY DEFAULT AS IDENTITY",
        "DROP TABLE public.measures;", "DROP FUNCTION public.work()"}) {
    EXPECT_LT(step_with(steps, expected), steps.size()) << expected;
  }
  EXPECT_LT(step_with(steps, "DROP TABLE public.thing;"),
            step_with(steps, "CREATE VIEW public.thing"));
  std::string script;
  const auto healed = heal_and_reload(a, from, to, options, &script);
  EXPECT_TRUE(differences(healed, to).empty()) << util::join(differences(healed, to), "\n") << "\n"
                                               << script;
}

TEST_F(HealTest, OrdersDependenciesFirst) {
  const auto a = load("CREATE TABLE public.items (id integer PRIMARY KEY);");
  const auto from = model_of(a);
  const auto to = model_of(load(
      "CREATE TABLE public.items (id integer PRIMARY KEY);"
      "CREATE TABLE public.zones (id integer PRIMARY KEY);"
      "ALTER TABLE public.items ADD COLUMN label text,"
      " ADD COLUMN zone_id integer CONSTRAINT items_zone_fk REFERENCES public.zones (id);"
      "CREATE VIEW public.b_labels AS SELECT id, label FROM public.items;"
      "CREATE VIEW public.a_upper_labels AS SELECT upper(label) AS label FROM public.b_labels;"));
  const auto steps = diff::heal(from, to);
  const auto zones = step_with(steps, "CREATE TABLE public.zones");
  const auto foreign_key = step_with(steps, "ADD CONSTRAINT items_zone_fk");
  const auto column = step_with(steps, "ADD COLUMN label");
  const auto view = step_with(steps, "CREATE VIEW public.b_labels");
  const auto view_on_view = step_with(steps, "CREATE VIEW public.a_upper_labels");
  ASSERT_LT(view_on_view, steps.size());
  EXPECT_LT(zones, foreign_key);
  EXPECT_LT(column, view);
  EXPECT_LT(view, view_on_view);
  const auto healed = heal_and_reload(a, from, to, HealOptions{});
  EXPECT_TRUE(differences(healed, to).empty()) << util::join(differences(healed, to), "\n");
}

TEST(HealScript, CommentsOutDestructiveStepsUnlessAllowed) {
  const std::vector<HealStep> steps = {
      {ObjectId{Kind::table, "public", "t", ""}, "CREATE TABLE public.t (id integer);", false},
      {ObjectId{Kind::function, "public", "f()", ""},
       "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$ "
       "SELECT 1 $function$;",
       true},
  };
  EXPECT_EQ(diff::render_script(steps, HealOptions{}),
            "-- pgdrift: the SQL that turns the first schema into the second (2 statements, 1 "
            "destructive).\n"
            "-- Destructive statements (drops, narrowing type changes, SET NOT NULL, …) and what "
            "depends on them are\n"
            "-- commented out; review them and use --allow-destructive to include them.\n"
            "SET lock_timeout = '5s';\n"
            "\n"
            "CREATE TABLE public.t (id integer);\n"
            "-- WARNING: destructive, not applied (use --allow-destructive): function public.f()\n"
            "-- CREATE OR REPLACE FUNCTION public.f()\n"
            "--  RETURNS integer\n"
            "--  LANGUAGE sql\n"
            "-- AS $function$ SELECT 1 $function$;\n");
  HealOptions allow;
  allow.allow_destructive = true;
  EXPECT_EQ(diff::render_script(steps, allow),
            "-- pgdrift: the SQL that turns the first schema into the second (2 statements, 1 "
            "destructive).\n"
            "-- Destructive statements (drops, narrowing type changes, SET NOT NULL, …) are "
            "included: review them.\n"
            "SET lock_timeout = '5s';\n"
            "SET check_function_bodies = false;\n"
            "\n"
            "CREATE TABLE public.t (id integer);\n"
            "-- destructive: function public.f()\n"
            "-- pgdrift:allow-destructive healing function public.f() with pgdrift diff "
            "--allow-destructive\n"
            "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$ "
            "SELECT 1 $function$;\n");
  EXPECT_EQ(diff::render_script({}, HealOptions{}),
            "-- pgdrift: the SQL that turns the first schema into the second (0 statements, 0 "
            "destructive).\n"
            "-- The schemas are the same: nothing to do.\n");
}

TEST(HealScript, NamesAreQuotedAndQualified) {
  SchemaModel to;
  to.add(ObjectId{Kind::schema, "", "My Schema", ""}, {});
  to.add(ObjectId{Kind::table, "My Schema", "order", ""},
         {{"kind", "table"}, {"unlogged", "false"}});
  to.add(ObjectId{Kind::column, "My Schema", "select", "order"},
         {{"type", "integer"}, {"not_null", "true"}});
  const auto steps = diff::heal(SchemaModel{}, to);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].sql, "CREATE SCHEMA \"My Schema\";");
  EXPECT_EQ(steps[1].sql,
            "CREATE TABLE \"My Schema\".\"order\" (\n    \"select\" integer NOT NULL\n);");
  EXPECT_FALSE(steps[1].destructive);
  const auto back = diff::heal(to, SchemaModel{});
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].sql, "DROP TABLE \"My Schema\".\"order\";");
  EXPECT_EQ(back[1].sql, "DROP SCHEMA \"My Schema\";");
  EXPECT_TRUE(back[0].destructive && back[1].destructive);
}

}  // namespace
}  // namespace pgdrift::testing
