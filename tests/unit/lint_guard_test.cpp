#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lint_test_support.hpp"
#include "pgdrift/lint/guard.hpp"
#include "pgdrift/lint/lint.hpp"

namespace pgdrift::lint {
namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::SchemaModel;

ObjectId table(const std::string& name) { return {Kind::table, "public", name, ""}; }
ObjectId column(const std::string& owner, const std::string& name) { return {Kind::column, "public", name, owner}; }
ObjectId constraint(const std::string& owner, const std::string& name) {
  return {Kind::constraint, "public", name, owner};
}
ObjectId index(const std::string& owner, const std::string& name) { return {Kind::index, "public", name, owner}; }

// Users with an index, a unique constraint, a trigger, a view over it; orders referencing it;
// a function, a sequence, an enum and a second schema with a table.
SchemaModel base() {
  SchemaModel m;
  m.add({Kind::schema, "", "public", ""}, {});
  m.add({Kind::schema, "", "archive", ""}, {});
  m.add({Kind::table, "archive", "old_users", ""}, {{"kind", "table"}});
  m.add({Kind::column, "archive", "id", "old_users"}, {{"type", "integer"}, {"not_null", "false"}});
  m.add({Kind::function, "archive", "purge()", ""}, {{"language", "sql"}});
  m.add(table("users"), {{"kind", "table"}});
  m.add(column("users", "id"), {{"type", "integer"}, {"not_null", "true"}, {"identity", "by default"}});
  m.add(column("users", "email"), {{"type", "character varying(50)"}, {"not_null", "false"}});
  m.add(column("users", "name"), {{"type", "text"}, {"not_null", "false"}, {"default", "''::text"}});
  m.add(column("users", "status"), {{"type", "public.mood"}, {"not_null", "true"}, {"default", "'ok'::public.mood"}});
  m.add(constraint("users", "users_pkey"), {{"type", "primary key"}, {"definition", "PRIMARY KEY (id)"}});
  m.add(constraint("users", "users_email_key"), {{"type", "unique"}, {"definition", "UNIQUE (email)"}});
  m.add(index("users", "users_name_idx"), {{"definition", "USING btree (name)"}, {"unique", "false"}});
  m.add({Kind::trigger, "public", "users_audit", "users"}, {{"definition", "CREATE TRIGGER users_audit …"}});
  m.add(table("orders"), {{"kind", "table"}});
  m.add(column("orders", "id"),
        {{"type", "bigint"}, {"not_null", "true"}, {"default", "nextval('public.orders_id_seq'::regclass)"}});
  m.add(column("orders", "user_id"), {{"type", "integer"}, {"not_null", "false"}});
  m.add(constraint("orders", "orders_user_fk"),
        {{"type", "foreign key"}, {"definition", "FOREIGN KEY (user_id) REFERENCES public.users(id)"}});
  m.add({Kind::view, "public", "active_users", ""}, {{"definition", "SELECT …"}});
  m.add({Kind::materialized_view, "public", "user_stats", ""}, {{"definition", "SELECT …"}});
  m.add({Kind::index, "public", "user_stats_idx", "user_stats"}, {{"definition", "USING btree (n)"}});
  m.add({Kind::function, "public", "touch(integer)", ""}, {{"language", "plpgsql"}});
  m.add({Kind::sequence, "public", "invoice_no", ""}, {{"type", "bigint"}});
  m.add({Kind::enum_type, "public", "mood", ""}, {{"labels", "'ok', 'sad', 'it''s'"}});
  return m;
}

// "rule object" for each change, in order.
std::vector<std::string> changes(const SchemaModel& before, const SchemaModel& after) {
  std::vector<std::string> out;
  for (const auto& c : destructive_changes(before, after)) out.push_back(c.rule + " " + c.object);
  return out;
}

void erase_owned(SchemaModel& m, const std::string& schema, const std::string& owner) {
  for (auto it = m.objects.begin(); it != m.objects.end();) {
    const bool owned = it->first.schema == schema &&
                       (it->first.table == owner || (it->first.table.empty() && it->first.name == owner));
    it = owned ? m.objects.erase(it) : std::next(it);
  }
}

TEST(LintGuard, SameOrGrownSchemaIsNotDestructive) {
  EXPECT_TRUE(changes(base(), base()).empty());
  auto grown = base();
  grown.add(table("new_table"), {{"kind", "table"}});
  grown.add(column("users", "phone"), {{"type", "text"}, {"not_null", "true"}});
  grown.add(index("users", "users_email_idx"), {{"definition", "USING btree (email)"}});
  grown.objects[column("users", "email")]["comment"] = "contact";
  grown.objects[column("orders", "user_id")]["default"] = "0";  // a default added: old inserts still work
  EXPECT_TRUE(changes(base(), grown).empty());
  // …while the other way round, everything added is gone.
  EXPECT_EQ(changes(grown, base()),
            (std::vector<std::string>{"destructive/drop-table table public.new_table",
                                      "destructive/change-default column public.orders.user_id",
                                      "destructive/drop-column column public.users.phone",
                                      "destructive/drop-index index public.users.users_email_idx"}));
}

TEST(LintGuard, DroppedColumnNamesItsTypeAndTakesItsIndexesAndConstraintsAlong) {
  auto after = base();
  after.objects.erase(column("users", "email"));
  after.objects.erase(constraint("users", "users_email_key"));
  const auto found = destructive_changes(base(), after);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].rule, "destructive/drop-column");
  EXPECT_EQ(found[0].object, "column public.users.email");
  EXPECT_EQ(found[0].message,
            "column public.users.email (character varying(50)) was dropped: its data is gone and "
            "code still using it fails");
  EXPECT_EQ(found[0].names, (std::vector<std::string>{"email", "users"}));
}

TEST(LintGuard, DroppedTableIsOneFindingButWhatDependedOnItIsReported) {
  auto after = base();
  erase_owned(after, "public", "users");
  after.objects.erase(constraint("orders", "orders_user_fk"));  // DROP TABLE users CASCADE
  after.objects.erase({Kind::view, "public", "active_users", ""});
  EXPECT_EQ(changes(base(), after),
            (std::vector<std::string>{"destructive/drop-table table public.users",
                                      "destructive/drop-view view public.active_users",
                                      "destructive/drop-constraint constraint public.orders.orders_user_fk"}));
  const auto found = destructive_changes(base(), after);
  EXPECT_NE(found[0].message.find("was dropped: its rows are gone"), std::string::npos) << found[0].message;
  EXPECT_NE(found[2].message.find("(FOREIGN KEY (user_id) REFERENCES public.users(id))"), std::string::npos)
      << found[2].message;
}

TEST(LintGuard, TableRenamedWithAViewOfItsOldNameIsNotADrop) {
  // ALTER TABLE users RENAME TO people; CREATE VIEW users AS SELECT * FROM people;
  auto after = base();
  erase_owned(after, "public", "users");
  after.add(table("people"), {{"kind", "table"}});
  after.add(column("people", "id"), {{"type", "integer"}, {"not_null", "true"}, {"identity", "by default"}});
  after.add({Kind::view, "public", "users", ""}, {{"definition", "SELECT …"}});
  after.add(column("users", "id"), {{"type", "integer"}, {"not_null", "false"}});
  EXPECT_EQ(changes(base(), after), std::vector<std::string>{});
}

TEST(LintGuard, DroppedIndexConstraintViewAndOtherObjects) {
  auto after = base();
  after.objects.erase(index("users", "users_name_idx"));
  after.objects.erase(constraint("users", "users_email_key"));
  after.objects.erase({Kind::trigger, "public", "users_audit", "users"});
  erase_owned(after, "public", "user_stats");  // the materialized view and its index
  after.objects.erase({Kind::function, "public", "touch(integer)", ""});
  after.add({Kind::function, "public", "touch(bigint)", ""}, {{"language", "plpgsql"}});
  after.objects.erase({Kind::sequence, "public", "invoice_no", ""});
  EXPECT_EQ(changes(base(), after),
            (std::vector<std::string>{"destructive/drop-object sequence public.invoice_no",
                                      "destructive/drop-view materialized view public.user_stats",
                                      "destructive/drop-object function public.touch(integer)",
                                      "destructive/drop-constraint constraint public.users.users_email_key",
                                      "destructive/drop-index index public.users.users_name_idx",
                                      "destructive/drop-object trigger public.users.users_audit"}));
  const auto found = destructive_changes(base(), after);
  EXPECT_EQ(found[2].names, (std::vector<std::string>{"touch"}));
  EXPECT_NE(found[2].message.find("arguments changed"), std::string::npos) << found[2].message;
}

TEST(LintGuard, UniqueIndexBecomingAConstraintIsNotADrop) {
  auto before = base();
  before.add(index("users", "users_name_key_idx"), {{"definition", "USING btree (name)"}, {"unique", "true"}});
  auto after = before;
  after.objects.erase(index("users", "users_name_key_idx"));  // ADD CONSTRAINT … UNIQUE USING INDEX
  after.add(constraint("users", "users_name_key"), {{"type", "unique"}, {"definition", "UNIQUE (name)"}});
  EXPECT_TRUE(changes(before, after).empty());
  // Not when the index was not unique, or the constraint is on other columns or existed already.
  after.objects.erase(index("users", "users_name_idx"));
  after.objects.erase(constraint("users", "users_name_key"));
  after.add(constraint("users", "users_name_key"), {{"type", "unique"}, {"definition", "UNIQUE (name, email)"}});
  EXPECT_EQ(changes(before, after),
            (std::vector<std::string>{"destructive/drop-index index public.users.users_name_idx",
                                      "destructive/drop-index index public.users.users_name_key_idx"}));
}

TEST(LintGuard, DroppedSchemaIsOneFindingNamingItsTables) {
  auto after = base();
  erase_owned(after, "archive", "old_users");
  after.objects.erase({Kind::function, "archive", "purge()", ""});
  after.objects.erase({Kind::schema, "", "archive", ""});
  const auto found = destructive_changes(base(), after);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].rule, "destructive/drop-object");
  EXPECT_EQ(found[0].object, "schema archive");
  EXPECT_EQ(found[0].message,
            "schema archive was dropped with everything in it (table archive.old_users: its rows are gone): "
            "whatever still uses it fails");
}

TEST(LintGuard, NarrowedTypeButNotWidenedOne) {
  auto narrowed = base();
  narrowed.objects[column("users", "email")]["type"] = "character varying(10)";
  narrowed.objects[column("users", "id")]["type"] = "smallint";
  const auto found = destructive_changes(base(), narrowed);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].rule, "destructive/narrow-type");
  EXPECT_EQ(found[0].object, "column public.users.email");
  EXPECT_EQ(found[0].message,
            "column public.users.email changed type from character varying(50) to character varying(10): character "
            "varying(10) holds at most 10 characters; character varying(50) values run to 50; on real data the "
            "change fails, or values are cut or rounded");
  EXPECT_EQ(found[1].object, "column public.users.id");

  auto widened = base();
  widened.objects[column("users", "email")]["type"] = "text";
  widened.objects[column("users", "id")]["type"] = "bigint";
  widened.objects[column("users", "status")]["type"] = "text";  // an enum becomes text
  EXPECT_TRUE(changes(base(), widened).empty());
}

TEST(LintGuard, KnownWideningsAndEverythingElse) {
  struct Case {
    const char* from;
    const char* to;
    bool widening;
  };
  const std::vector<Case> cases = {
      {"character varying(10)", "character varying(50)", true},
      {"character varying(50)", "character varying(50)", true},
      {"character varying(50)", "character varying(10)", false},
      {"character varying(50)", "text", true},
      {"character varying(50)", "character varying", true},
      {"text", "character varying", true},
      {"text", "character varying(255)", false},
      {"character(5)", "character varying(5)", true},
      {"character(5)", "character(3)", false},
      {"character varying(5)", "character(5)", false},
      {"smallint", "integer", true},
      {"integer", "bigint", true},
      {"bigint", "integer", false},
      {"integer", "numeric", true},
      {"integer", "numeric(12,2)", true},
      {"integer", "numeric(10,2)", false},
      {"bigint", "double precision", false},
      {"integer", "double precision", true},
      {"real", "double precision", true},
      {"double precision", "real", false},
      {"numeric(10,2)", "numeric(12,2)", true},
      {"numeric(10,2)", "numeric(12,4)", true},
      {"numeric(10,2)", "numeric(10,4)", false},
      {"numeric(10,2)", "numeric(10,0)", false},
      {"numeric(10,2)", "numeric", true},
      {"numeric", "numeric(20,2)", false},
      {"numeric(10,2)", "integer", false},
      {"timestamp without time zone", "timestamp with time zone", true},
      {"timestamp with time zone", "timestamp without time zone", false},
      {"timestamp(3) without time zone", "timestamp without time zone", true},
      {"timestamp without time zone", "timestamp(3) without time zone", false},
      {"date", "timestamp with time zone", true},
      {"timestamp without time zone", "date", false},
      {"time(0) without time zone", "time without time zone", true},
      {"interval year to month", "interval", true},
      {"interval", "interval(0)", false},
      {"bit(4)", "bit varying(8)", true},
      {"bit varying(8)", "bit varying(4)", false},
      {"cidr", "inet", true},
      {"inet", "cidr", false},
      {"json", "jsonb", true},
      {"jsonb", "json", false},
      {"integer[]", "bigint[]", true},
      {"integer[]", "integer", false},
      {"character varying(50)[]", "character varying(10)[]", false},
      {"text", "integer", false},
      // Every value has a text form that reads back as itself: any type widens to unbounded text,
      // and to a bounded one when its longest form fits.
      {"integer", "text", true},
      {"uuid", "text", true},
      {"boolean", "character varying", true},
      {"public.mood", "text", true},
      {"integer", "character varying(11)", true},
      {"integer", "character varying(10)", false},
      {"bigint", "character varying(19)", false},
      {"uuid", "character varying(36)", true},
      {"uuid", "character varying(35)", false},
      {"numeric(10,2)", "character varying(20)", false},  // no bound known: not claimed
      {"character varying(20)", "character varying(21)", true},
      {"numeric(10,5)", "numeric(11,5)", true},
      {"numeric(10,5)", "numeric(10,4)", false},
      // citext is text that compares case-insensitively: the same values either way.
      {"public.citext", "text", true},
      {"text", "public.citext", true},
      {"character varying(40)", "public.citext", true},
      {"public.citext", "character varying(40)", false},
      {"public.domain_a", "public.domain_b", false},
      {"boolean", "integer", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(is_widening(c.from, c.to), c.widening) << c.from << " → " << c.to;
  }
  EXPECT_TRUE(is_widening("public.mood", "text", true));
  EXPECT_FALSE(is_widening("public.mood", "public.other_enum", true));
  EXPECT_TRUE(is_widening("public.mood[]", "text[]", true));
  EXPECT_FALSE(is_widening("public.mood", "character varying(10)", true));
}

// A narrowing says why, in terms of the two types.
TEST(LintGuard, NarrowingSaysWhy) {
  const std::vector<std::pair<std::pair<const char*, const char*>, std::string>> cases = {
      {{"text", "character varying(255)"}, "character varying(255) holds at most 255 characters; text has no limit"},
      {{"bigint", "character varying(10)"},
       "character varying(10) holds at most 10 characters; bigint values run to 20"},
      {{"bigint", "integer"}, "integer holds whole numbers of at most 10 digits; bigint values can be larger"},
      {{"numeric(12,2)", "numeric(12,0)"},
       "numeric(12,0) keeps 12 digits before the point and 0 after it: larger numeric(12,2) values fail and finer "
       "ones are rounded"},
      {{"timestamp with time zone", "date"}, "date drops the time of day timestamp with time zone values hold"},
      {{"timestamp without time zone", "timestamp(0) without time zone"},
       "timestamp(0) without time zone keeps 0 fractional second digits; timestamp without time zone keeps 6: the "
       "rest is rounded"},
      {{"text", "integer"}, "not every text value converts to integer"},
  };
  for (const auto& [types, reason] : cases) {
    EXPECT_FALSE(is_widening(types.first, types.second)) << types.first << " → " << types.second;
    EXPECT_EQ(reason, narrowing_reason(types.first, types.second));
  }
}

TEST(LintGuard, NotNullAddedAndDefaultChangedOrRemoved) {
  auto after = base();
  after.objects[column("users", "email")]["not_null"] = "true";
  after.objects[column("users", "name")]["default"] = "'anonymous'::text";
  after.objects[column("users", "status")].erase("default");
  const auto found = destructive_changes(base(), after);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].rule, "destructive/add-not-null");
  EXPECT_EQ(found[0].object, "column public.users.email");
  EXPECT_EQ(found[0].message,
            "column public.users.email became NOT NULL: code that inserts or sets NULL there now fails");
  EXPECT_EQ(found[1].rule, "destructive/change-default");
  EXPECT_EQ(found[1].message,
            "the default of column public.users.name changed from ''::text to 'anonymous'::text: code that leaves "
            "the column out now stores the new value");
  EXPECT_EQ(found[2].rule, "destructive/change-default");
  EXPECT_EQ(found[2].object, "column public.users.status");
  EXPECT_EQ(found[2].message,
            "the default of column public.users.status ('ok'::public.mood) was removed: code that leaves the "
            "column out now fails (the column is NOT NULL)");
}

TEST(LintGuard, DefaultOnlyCastToAWidenedTypeIsUnchanged) {
  auto after = base();
  after.objects[column("users", "status")]["type"] = "text";
  after.objects[column("users", "status")]["default"] = "'ok'::text";
  after.objects[column("users", "name")]["type"] = "character varying";
  after.objects[column("users", "name")]["default"] = "(''::text)::character varying";
  EXPECT_TRUE(changes(base(), after).empty());
  after.objects[column("users", "status")]["default"] = "'sad'::text";
  after.objects[column("users", "name")]["default"] = "(''::text || 'x'::text)";
  EXPECT_EQ(changes(base(), after),
            (std::vector<std::string>{"destructive/change-default column public.users.name",
                                      "destructive/change-default column public.users.status"}));
}

TEST(LintGuard, IdentityRemovedOrMadeAlwaysButNotSerialBecomingIdentity) {
  auto after = base();
  after.objects[column("users", "id")].erase("identity");
  after.objects[column("orders", "id")].erase("default");
  after.objects[column("orders", "id")]["identity"] = "by default";  // serial → identity
  EXPECT_EQ(changes(base(), after), (std::vector<std::string>{"destructive/change-default column public.users.id"}));
  after.objects[column("users", "id")]["identity"] = "always";
  const auto found = destructive_changes(base(), after);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].message,
            "column public.users.id became GENERATED ALWAYS AS IDENTITY: code that writes its value explicitly "
            "now fails");
}

TEST(LintGuard, EnumLosingALabelNarrowsIt) {
  auto after = base();
  after.objects[{Kind::enum_type, "public", "mood", ""}]["labels"] = "'ok', 'happy'";
  const auto found = destructive_changes(base(), after);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].rule, "destructive/narrow-type");
  EXPECT_EQ(found[0].object, "enum public.mood");
  EXPECT_EQ(found[0].message,
            "enum public.mood lost labels 'sad', 'it's': values using them can no longer be stored, and code "
            "writing them fails");
}

// "rule line:col" of each finding of `changes` in a migration of `sql`.
std::vector<std::string> located(const std::string& sql, const std::vector<DestructiveChange>& changes) {
  std::vector<std::string> out;
  for (const auto& f : destructive_findings(test::lint_migration(sql), changes)) {
    EXPECT_EQ(f.location->file, "V1__test.sql");
    out.push_back(f.rule + " " + std::to_string(f.location->line) + ":" + std::to_string(f.location->column));
  }
  return out;
}

DestructiveChange change(const std::string& rule, std::vector<std::string> names,
                         std::vector<std::string> keywords = {"drop", "rename"}) {
  return {"destructive/" + rule, "object", "message", std::move(names), std::move(keywords)};
}

TEST(LintGuard, FindingsPointAtTheStatementThatMentionsTheObject) {
  const std::string sql =
      "CREATE TABLE audit (id int, user_ids int[]);\n"
      "  ALTER TABLE \"Users\" DROP COLUMN id;\n"
      "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'legacy'; END $$;\n"
      "SELECT cleanup();\n";
  EXPECT_EQ(located(sql, {change("drop-column", {"id", "users"})}),
            (std::vector<std::string>{"destructive/drop-column 2:3"}));  // not CREATE TABLE audit (id …)
  EXPECT_EQ(located(sql, {change("drop-table", {"legacy"})}), (std::vector<std::string>{"destructive/drop-table 3:1"}));
  // Nothing mentions it (a function did it): the migration's first statement.
  EXPECT_EQ(located(sql, {change("drop-table", {"orders"})}), (std::vector<std::string>{"destructive/drop-table 1:1"}));
  // "user" only inside longer identifiers ("user_ids", "Users"): not a mention.
  EXPECT_EQ(located(sql, {change("drop-table", {"user"})}), (std::vector<std::string>{"destructive/drop-table 1:1"}));
  // The object's own name when no statement mentions both.
  EXPECT_EQ(located(sql, {change("drop-index", {"legacy", "audit"})}),
            (std::vector<std::string>{"destructive/drop-index 3:1"}));
}

TEST(LintGuard, FindingsPreferTheStatementWithTheRightKeyword) {
  const std::string sql =
      "ALTER TABLE stock ALTER COLUMN qty TYPE bigint;\n"
      "UPDATE stock SET qty = 0 WHERE qty IS NULL;\n"
      "ALTER TABLE stock ALTER COLUMN qty SET DEFAULT 1, ALTER COLUMN qty SET NOT NULL;\n";
  EXPECT_EQ(located(sql, {change("change-default", {"qty", "stock"}, {"default", "identity"}),
                          change("add-not-null", {"qty", "stock"}, {"set not null", "primary key"}),
                          change("narrow-type", {"qty", "stock"}, {"type"})}),
            (std::vector<std::string>{"destructive/change-default 3:1", "destructive/add-not-null 3:1",
                                      "destructive/narrow-type 1:1"}));
  // Without a keyword match, the first statement naming the object.
  EXPECT_EQ(located(sql, {change("drop-column", {"qty", "stock"})}),
            (std::vector<std::string>{"destructive/drop-column 1:1"}));
}

TEST(LintGuard, FindingsAreErrorsWithTheRulesHint) {
  const auto found = destructive_findings(
      test::lint_migration("DROP TABLE users;"),
      {{"destructive/drop-table", "table public.users", "table public.users was dropped", {"users"}, {"drop"}}});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::error);
  EXPECT_EQ(found[0].object, "table public.users");
  EXPECT_EQ(found[0].message, "table public.users was dropped");
  EXPECT_NE(found[0].hint.find("pgdrift:allow-destructive"), std::string::npos) << found[0].hint;
  ASSERT_TRUE(found[0].location);
  EXPECT_EQ(found[0].location->end_column, 17);
}

TEST(LintGuard, OnlyAddsKnowsMigrationsThatCannotDropOrNarrow) {
  struct Case {
    const char* sql;
    bool only_adds;
  };
  const std::vector<Case> cases = {
      {"CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz DEFAULT now(), v int DEFAULT f());\n"
       "CREATE INDEX t_v ON t (lower(v::text));\nCREATE UNIQUE INDEX CONCURRENTLY t_at ON t (at);\n"
       "COMMENT ON TABLE t IS 'x';\nGRANT SELECT ON t TO PUBLIC;\nANALYZE t;\nSET lock_timeout = '1s';",
       true},
      {"CREATE OR REPLACE VIEW v AS SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
       "CREATE TYPE mood AS ENUM ('a');\nALTER TYPE mood ADD VALUE 'b';\nCREATE SEQUENCE s;\nCREATE SCHEMA app;",
       true},
      {"ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0, ADD COLUMN d timestamptz DEFAULT pg_catalog.now(),\n"
       "  ADD CONSTRAINT c_pos CHECK (c >= 0) NOT VALID, ADD CONSTRAINT t_u UNIQUE (c),\n"
       "  ADD CONSTRAINT t_fk FOREIGN KEY (c) REFERENCES t (id);",
       true},
      {"", true},
      {"ALTER TABLE t ADD COLUMN c int DEFAULT app.next_code();", false},  // runs user code per row
      {"ALTER TABLE t ADD CONSTRAINT c_ok CHECK (app.ok(c));", false},
      {"ALTER TABLE t ADD COLUMN d timestamptz DEFAULT public.now();", false},
      {"ALTER TABLE t ADD PRIMARY KEY (id);", false},  // sets NOT NULL
      {"ALTER TABLE t ALTER COLUMN c SET DEFAULT 1;", false},
      {"ALTER TABLE t ALTER COLUMN c TYPE bigint;", false},
      {"ALTER TABLE t VALIDATE CONSTRAINT c_pos;", false},
      {"ALTER INDEX t_v RENAME TO t_w;", false},
      {"ALTER TYPE mood RENAME VALUE 'a' TO 'z';", false},
      {"CREATE TABLE t2 (id int);\nDROP TABLE t;", false},
      {"INSERT INTO t (id) VALUES (1);", false},  // may fire triggers
      {"SELECT cleanup();", false},
      {"DO $$ BEGIN END $$;", false},
      {"CREATE TABLE t2 AS SELECT f();", false},
      {"CREATE TABLE (;", false},
  };
  for (const auto& c : cases) EXPECT_EQ(only_adds(test::lint_migration(c.sql)), c.only_adds) << c.sql;

  // Rows written where no user code runs on writes.
  const std::string writes =
      "INSERT INTO t (id, at) VALUES (1, now());\nUPDATE t SET v = v + 1;\nDELETE FROM t WHERE id = 2;";
  EXPECT_FALSE(only_adds(test::lint_migration(writes)));
  EXPECT_TRUE(only_adds(test::lint_migration(writes), true));
  EXPECT_FALSE(only_adds(test::lint_migration("INSERT INTO t (id) VALUES (app.next_id());"), true));
  EXPECT_FALSE(only_adds(test::lint_migration("UPDATE t SET v = 1;\nSELECT 1;"), true));
  EXPECT_TRUE(only_adds(test::lint_migration("ALTER TABLE t VALIDATE CONSTRAINT c_pos;"), true));
  // …unless the migration adds code that its own writes run.
  EXPECT_FALSE(only_adds(test::lint_migration("CREATE TRIGGER audit AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION "
                                              "audit();\nINSERT INTO t (id) VALUES (1);"),
                         true));
  EXPECT_FALSE(only_adds(test::lint_migration("CREATE TABLE u (id int DEFAULT app.next_id());\nINSERT INTO u DEFAULT "
                                              "VALUES;"),
                         true));
  EXPECT_TRUE(
      only_adds(test::lint_migration("CREATE TABLE u (id int DEFAULT now());\nINSERT INTO u DEFAULT VALUES;"), true));
}

// The safe NOT NULL recipe: a validated CHECK (c IS NOT NULL) already kept NULL out, so SET NOT
// NULL restricts nothing new, and dropping the check afterwards loses nothing. Its twin: SET NOT
// NULL on a column nothing restricted.
TEST(LintGuard, TheSafeNotNullRecipeIsNotDestructive) {
  auto checked = base();
  checked.add(constraint("users", "users_email_not_null"),
              {{"type", "check"}, {"definition", "CHECK ((email IS NOT NULL))"}, {"validated", "true"}});
  auto set = checked;
  set.objects[column("users", "email")]["not_null"] = "true";
  EXPECT_EQ(std::vector<std::string>{}, changes(checked, set));
  auto dropped_check = set;
  dropped_check.objects.erase(constraint("users", "users_email_not_null"));
  EXPECT_EQ(std::vector<std::string>{}, changes(set, dropped_check));
  // Unsafe twins: not yet validated (NOT VALID only), no check at all, or the check dropped
  // while the column still takes NULL.
  auto unvalidated = base();
  unvalidated.add(constraint("users", "users_email_not_null"),
                  {{"type", "check"}, {"definition", "CHECK ((email IS NOT NULL)) NOT VALID"}, {"validated", "false"}});
  auto unvalidated_set = unvalidated;
  unvalidated_set.objects[column("users", "email")]["not_null"] = "true";
  EXPECT_EQ(std::vector<std::string>{"destructive/add-not-null column public.users.email"},
            changes(unvalidated, unvalidated_set));
  auto plain = base();
  plain.objects[column("users", "email")]["not_null"] = "true";
  EXPECT_EQ(std::vector<std::string>{"destructive/add-not-null column public.users.email"}, changes(base(), plain));
  auto still_nullable = checked;
  still_nullable.objects.erase(constraint("users", "users_email_not_null"));
  EXPECT_EQ(std::vector<std::string>{"destructive/drop-constraint constraint public.users.users_email_not_null"},
            changes(checked, still_nullable));
}

// Dropping an index loses no data: a warning, and only a notice when an index or key defined the
// same way remains.
TEST(LintGuard, DroppedIndexIsAWarningOrANoticeWhenAnEquivalentRemains) {
  auto dropped = base();
  dropped.objects.erase(index("users", "users_name_idx"));
  auto found = destructive_changes(base(), dropped);
  ASSERT_EQ(1u, found.size());
  EXPECT_EQ("destructive/drop-index", found[0].rule);
  EXPECT_EQ(Severity::warning, found[0].severity);
  EXPECT_NE(std::string::npos, found[0].message.find("no data is lost")) << found[0].message;

  auto with_twin = base();
  with_twin.add(index("users", "users_name_idx2"), {{"definition", "USING btree (name)"}, {"unique", "false"}});
  auto replaced = with_twin;
  replaced.objects.erase(index("users", "users_name_idx"));
  found = destructive_changes(with_twin, replaced);
  ASSERT_EQ(1u, found.size());
  EXPECT_EQ(Severity::notice, found[0].severity);
}

// A rename keeps the data: reported as a rename (code using the old name fails), never as "its
// data is gone"; renaming an index, constraint or trigger breaks no query and is not reported.
TEST(LintGuard, RenamesAreRenamesNotDrops) {
  auto column_renamed = base();
  auto props = column_renamed.objects[column("users", "name")];
  props["position"] = "3";
  column_renamed.objects.erase(column("users", "name"));
  column_renamed.add(column("users", "full_name"), props);
  auto before = base();
  before.objects[column("users", "name")]["position"] = "3";
  auto found = destructive_changes(before, column_renamed);
  ASSERT_EQ(1u, found.size());
  EXPECT_EQ("destructive/rename", found[0].rule);
  EXPECT_EQ("column public.users.name was renamed to full_name: its data is kept, but code still using the old "
            "name fails",
            found[0].message);

  // The twin: the column dropped and a different one added (another type) is a drop.
  auto replaced = before;
  replaced.objects.erase(column("users", "name"));
  replaced.add(column("users", "full_name"), {{"type", "integer"}, {"position", "3"}, {"not_null", "false"}});
  EXPECT_EQ(std::vector<std::string>{"destructive/drop-column column public.users.name"}, changes(before, replaced));

  // A table renamed (same columns): one rename, its columns and constraints go along silently.
  auto table_renamed = base();
  for (auto it = table_renamed.objects.begin(); it != table_renamed.objects.end();) {
    if (it->first.schema == "public" && (it->first.name == "orders" || it->first.table == "orders")) {
      auto id = it->first;
      auto properties = it->second;
      it = table_renamed.objects.erase(it);
      if (id.table == "orders") id.table = "purchases";
      if (id.kind == Kind::table) id.name = "purchases";
      table_renamed.objects[id] = properties;
    } else {
      ++it;
    }
  }
  EXPECT_EQ(std::vector<std::string>{"destructive/rename table public.orders"}, changes(base(), table_renamed));

  // An enum label renamed in place is a rename; a label gone is a narrowing.
  auto relabelled = base();
  relabelled.objects[{Kind::enum_type, "public", "mood", ""}]["labels"] = "'ok', 'unhappy', 'it''s'";
  EXPECT_EQ(std::vector<std::string>{"destructive/rename enum public.mood"}, changes(base(), relabelled));

  // Index and constraint renames lose nothing.
  auto index_renamed = base();
  auto index_props = index_renamed.objects[index("users", "users_name_idx")];
  index_renamed.objects.erase(index("users", "users_name_idx"));
  index_renamed.add(index("users", "users_name_key_idx"), index_props);
  EXPECT_EQ(std::vector<std::string>{}, changes(base(), index_renamed));
}

TEST(LintGuard, EveryRuleIsRegistered) {
  for (const char* id : {"drop-table", "drop-column", "drop-index", "drop-constraint", "drop-view", "drop-object",
                         "narrow-type", "add-not-null", "change-default", "rename"}) {
    const auto* info = find_rule(std::string("destructive/") + id);
    ASSERT_NE(info, nullptr) << id;
    // Dropping an index loses no data: a warning about query plans.
    EXPECT_EQ(info->severity, std::string(id) == "drop-index" ? Severity::warning : Severity::error) << id;
    EXPECT_EQ(info->category, "destructive changes");
    EXPECT_FALSE(info->why.empty());
    EXPECT_NE(info->hint.find("allow-destructive"), std::string::npos) << id;
    EXPECT_EQ(finding_rule(info->id), info->id);
  }
}

}  // namespace
}  // namespace pgdrift::lint
