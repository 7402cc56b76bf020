// The catalog readers for sequences, tables, columns, constraints, indexes, views and
// materialized views, against a real Postgres.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"

namespace pgdrift::testing {
namespace {

using catalog::Kind;
using catalog::SchemaModel;

const std::set<Kind> k_relation_kinds = {Kind::sequence,         Kind::table, Kind::column,
                                         Kind::constraint,       Kind::index, Kind::view,
                                         Kind::materialized_view};

// "sequence app.s: k=v; k=v" per object of `kinds`, properties in name order, runs of whitespace
// (multi-line view definitions) shown as one space.
std::string dump(const SchemaModel& model, const std::set<Kind>& kinds = k_relation_kinds) {
  std::string out;
  for (const auto& [id, properties] : model.objects) {
    if (kinds.count(id.kind) == 0) continue;
    std::string line = id.display() + ":";
    const char* separator = " ";
    for (const auto& [name, value] : properties) {
      line += separator + name + "=" + value;
      separator = "; ";
    }
    bool in_space = false;
    for (const char c : line) {
      const bool space = c == ' ' || c == '\n';
      if (!space || !in_space) out += space ? ' ' : c;
      in_space = space;
    }
    out += "\n";
  }
  return out;
}

// The identities of the objects of the relation kinds, one a line.
std::string identities(const SchemaModel& model) {
  std::string out;
  for (const auto& [id, properties] : model.objects) {
    if (k_relation_kinds.count(id.kind) != 0) out += id.display() + "\n";
  }
  return out;
}

// How `after` differs from `before`, in identity order: "+ <object>", "- <object>",
// "<object> <property>".
std::vector<std::string> differences(const SchemaModel& before, const SchemaModel& after) {
  std::vector<std::string> out;
  for (const auto& [id, properties] : before.objects) {
    const auto other = after.objects.find(id);
    if (other == after.objects.end()) {
      out.push_back("- " + id.display());
      continue;
    }
    std::set<std::string> names;
    for (const auto& [name, value] : properties) names.insert(name);
    for (const auto& [name, value] : other->second) names.insert(name);
    for (const auto& name : names) {
      const auto a = properties.find(name);
      const auto b = other->second.find(name);
      const bool same = a != properties.end() && b != other->second.end() && a->second == b->second;
      if (!same) out.push_back(id.display() + " " + name);
    }
  }
  for (const auto& [id, properties] : after.objects) {
    if (before.objects.count(id) == 0) out.push_back("+ " + id.display());
  }
  return out;
}

class CatalogRelationsTest : public SandboxTest {
 protected:
  // A fresh database with `sql` applied (failing the test when it errors), introspected.
  static SchemaModel model_of(const std::string& sql,
                              const catalog::IntrospectOptions& options = {}) {
    const auto database = fresh_database();
    auto connection = db::Connection::open(database, "pgdrift-test");
    const auto result = connection->execute(sql);
    if (!result.ok) {
      ADD_FAILURE() << "setup SQL failed: " << result.error->message << "\n" << sql;
      return {};
    }
    return catalog::introspect(*connection, options);
  }
};

// --- round trips -----------------------------------------------------------------------------

TEST_F(CatalogRelationsTest,
       SequencesAreReadBackAndIdentityAndSerialSequencesAreShownOnTheirColumn) {
  const auto model = model_of(R"sql(
    CREATE SCHEMA app;
    CREATE SEQUENCE app.plain;
    CREATE SEQUENCE app.tuned AS integer INCREMENT BY -2 MINVALUE -1000 MAXVALUE -1 START WITH -10 CACHE 5 CYCLE;
    CREATE TABLE app.t (id serial, j bigint GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 10), k int);
    CREATE SEQUENCE app.owned OWNED BY app.t.k;
    CREATE SEQUENCE app.used;
    ALTER TABLE app.t ALTER COLUMN k SET DEFAULT nextval('app.used');
    ALTER SEQUENCE app.t_id_seq CACHE 20;
    COMMENT ON SEQUENCE app.plain IS 'counts';
    GRANT USAGE ON SEQUENCE app.plain TO PUBLIC;
  )sql");
  EXPECT_EQ(
      "sequence app.owned: cache=1; cycle=false; increment=1; max=9223372036854775807; min=1;"
      " owned_by=app.t.k; start=1; type=bigint\n"
      "sequence app.plain: cache=1; comment=counts; cycle=false; increment=1;"
      " max=9223372036854775807; min=1; privileges=PUBLIC=USAGE; start=1; type=bigint\n"
      "sequence app.tuned: cache=5; cycle=true; increment=-2; max=-1; min=-1000; start=-10;"
      " type=integer\n"
      "sequence app.used: cache=1; cycle=false; increment=1; max=9223372036854775807; min=1;"
      " start=1; type=bigint\n"
      "column app.t.id: default=nextval('app.t_id_seq'::regclass); not_null=true; position=1;"
      " serial_sequence=CACHE 20; type=integer\n"
      "column app.t.j: identity=always; identity_sequence=START WITH 10 INCREMENT BY 10;"
      " not_null=true; position=2; type=bigint\n"
      "column app.t.k: default=nextval('app.used'::regclass); not_null=false; position=3;"
      " type=integer\n",
      dump(model, {Kind::sequence, Kind::column}));
}

TEST_F(CatalogRelationsTest, TablesColumnsAndConstraintsAreReadBack) {
  const auto model = model_of(R"sql(
    CREATE SCHEMA app;
    CREATE TABLE app.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL,
      name varchar(100) COLLATE "C" DEFAULT 'anon', score numeric(5,2) CHECK (score >= 0),
      doubled numeric GENERATED ALWAYS AS (score * 2) STORED, bio text,
      UNIQUE (email) DEFERRABLE INITIALLY DEFERRED);
    ALTER TABLE app.users ALTER COLUMN bio SET STORAGE EXTERNAL, ALTER COLUMN bio SET COMPRESSION pglz;
    ALTER TABLE app.users ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    ALTER TABLE app.users SET (fillfactor = 80, autovacuum_enabled = false);
    CREATE UNLOGGED TABLE app.scratch (x int);
    ALTER TABLE app.scratch REPLICA IDENTITY FULL;
    CREATE TABLE app.orders (id int PRIMARY KEY, user_id bigint REFERENCES app.users ON DELETE CASCADE,
      during tsrange, EXCLUDE USING gist (during WITH &&));
    ALTER TABLE app.orders ADD CONSTRAINT orders_id_check CHECK (id > 0) NOT VALID;
    CREATE TABLE app.events (id int NOT NULL, at date NOT NULL, CHECK (id > 0)) PARTITION BY RANGE (at);
    CREATE TABLE app.events_2020 PARTITION OF app.events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
    CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;
    CREATE TABLE app.base (created_at timestamptz DEFAULT now(), CHECK (created_at IS NOT NULL));
    CREATE TABLE app.audit (who text) INHERITS (app.base);
    COMMENT ON TABLE app.users IS 'people';
    COMMENT ON COLUMN app.users.email IS 'login';
    COMMENT ON CONSTRAINT users_email_key ON app.users IS 'one each';
    GRANT SELECT ON app.users TO PUBLIC;
    GRANT UPDATE (name) ON app.users TO PUBLIC;
  )sql");
  EXPECT_EQ(
      "table app.audit: inherits=app.base; kind=table; rls_enabled=false; rls_forced=false;"
      " unlogged=false\n"
      "table app.base: kind=table; rls_enabled=false; rls_forced=false; unlogged=false\n"
      "table app.events: kind=partitioned table; partition_key=RANGE (at); rls_enabled=false;"
      " rls_forced=false; unlogged=false\n"
      "table app.events_2020: kind=partition;"
      " partition_bound=FOR VALUES FROM ('2020-01-01') TO ('2021-01-01'); partition_of=app.events;"
      " rls_enabled=false; rls_forced=false; unlogged=false\n"
      "table app.events_rest: kind=partition; partition_bound=DEFAULT; partition_of=app.events;"
      " rls_enabled=false; rls_forced=false; unlogged=false\n"
      "table app.orders: kind=table; rls_enabled=false; rls_forced=false; unlogged=false\n"
      "table app.scratch: kind=table; replica_identity=full; rls_enabled=false; rls_forced=false;"
      " unlogged=true\n"
      "table app.users: comment=people; kind=table;"
      " options=autovacuum_enabled=false, fillfactor=80; privileges=PUBLIC=SELECT;"
      " rls_enabled=true; rls_forced=true; unlogged=false\n"
      "column app.audit.who: not_null=false; position=2; type=text\n"
      "column app.base.created_at: default=now(); not_null=false; position=1;"
      " type=timestamp with time zone\n"
      "constraint app.base.base_created_at_check: deferrable=false; deferred=false;"
      " definition=CHECK ((created_at IS NOT NULL)); type=check; validated=true\n"
      "column app.events.at: not_null=true; position=2; type=date\n"
      "column app.events.id: not_null=true; position=1; type=integer\n"
      "constraint app.events.events_id_check: deferrable=false; deferred=false;"
      " definition=CHECK ((id > 0)); type=check; validated=true\n"
      "column app.orders.during: not_null=false; position=3; type=tsrange\n"
      "column app.orders.id: not_null=true; position=1; type=integer\n"
      "column app.orders.user_id: not_null=false; position=2; type=bigint\n"
      "constraint app.orders.orders_during_excl: deferrable=false; deferred=false;"
      " definition=EXCLUDE USING gist (during WITH &&); type=exclusion; validated=true\n"
      "constraint app.orders.orders_id_check: deferrable=false; deferred=false;"
      " definition=CHECK ((id > 0)) NOT VALID; type=check; validated=false\n"
      "constraint app.orders.orders_pkey: deferrable=false; deferred=false;"
      " definition=PRIMARY KEY (id); type=primary key; validated=true\n"
      "constraint app.orders.orders_user_id_fkey: deferrable=false; deferred=false;"
      " definition=FOREIGN KEY (user_id) REFERENCES app.users(id) ON DELETE CASCADE;"
      " type=foreign key; validated=true\n"
      "column app.scratch.x: not_null=false; position=1; type=integer\n"
      "column app.users.bio: compression=pglz; not_null=false; position=6; storage=external;"
      " type=text\n"
      "column app.users.doubled: generated=(score * (2)::numeric); not_null=false; position=5;"
      " type=numeric\n"
      "column app.users.email: comment=login; not_null=true; position=2; type=text\n"
      "column app.users.id: identity=always; not_null=true; position=1; type=bigint\n"
      "column app.users.name: collation=\"C\"; default='anon'::character varying; not_null=false;"
      " position=3; privileges=PUBLIC=UPDATE; type=character varying(100)\n"
      "column app.users.score: not_null=false; position=4; type=numeric(5,2)\n"
      "constraint app.users.users_email_key: comment=one each; deferrable=true; deferred=true;"
      " definition=UNIQUE (email) DEFERRABLE INITIALLY DEFERRED; type=unique; validated=true\n"
      "constraint app.users.users_pkey: deferrable=false; deferred=false;"
      " definition=PRIMARY KEY (id); type=primary key; validated=true\n"
      "constraint app.users.users_score_check: deferrable=false; deferred=false;"
      " definition=CHECK ((score >= (0)::numeric)); type=check; validated=true\n",
      dump(model));
}

TEST_F(CatalogRelationsTest, IndexesAreReadBackWithoutTheirNameInTheDefinition) {
  const auto model = model_of(R"sql(
    CREATE TABLE t (id int PRIMARY KEY, email text, deleted_at timestamptz, tags text[], UNIQUE (email));
    CREATE INDEX t_lower_email ON t (lower(email)) INCLUDE (id) WHERE deleted_at IS NULL;
    CREATE UNIQUE INDEX "T Odd" ON t (email DESC NULLS LAST);
    CREATE INDEX t_tags ON t USING gin (tags);
    CREATE INDEX t_fill ON t (id) WITH (fillfactor = 70);
    ALTER TABLE t CLUSTER ON t_fill;
    COMMENT ON INDEX t_tags IS 'search';
    CREATE TABLE p (id int, d date) PARTITION BY RANGE (d);
    CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
    CREATE INDEX p_d ON p (d);
    CREATE INDEX p1_own ON p1 (id);
    CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
    CREATE UNIQUE INDEX mv_id ON mv (id);
    CREATE SCHEMA "My Schema";
    CREATE TABLE "My Schema"."My Table" (a int);
    CREATE INDEX "my idx" ON "My Schema"."My Table" (a);
  )sql");
  EXPECT_EQ(
      "index My Schema.My Table.my idx: definition=USING btree (a); unique=false; valid=true\n"
      "index public.mv.mv_id: definition=USING btree (id); unique=true; valid=true\n"
      "index public.p.p_d: definition=USING btree (d); unique=false; valid=true\n"
      "index public.p1.p1_own: definition=USING btree (id); unique=false; valid=true\n"
      "index public.t.T Odd: definition=USING btree (email DESC NULLS LAST); unique=true;"
      " valid=true\n"
      "index public.t.t_fill: clustered=true; definition=USING btree (id) WITH (fillfactor='70');"
      " unique=false; valid=true\n"
      "index public.t.t_lower_email: definition=USING btree (lower(email)) INCLUDE (id) WHERE (deleted_at IS NULL);"
      " unique=false; valid=true\n"
      "index public.t.t_tags: comment=search; definition=USING gin (tags); unique=false;"
      " valid=true\n",
      dump(model, {Kind::index}));
}

TEST_F(CatalogRelationsTest, ViewsAndMaterializedViewsAreReadBack) {
  const auto model = model_of(R"sql(
    CREATE TABLE t (id int, email text);
    CREATE VIEW v AS SELECT id, email FROM t WHERE id > 0 WITH LOCAL CHECK OPTION;
    CREATE VIEW v2 WITH (security_barrier) AS SELECT id FROM t;
    CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
    CREATE MATERIALIZED VIEW mv2 WITH (fillfactor = 50) AS SELECT count(*) AS n FROM t WITH NO DATA;
    COMMENT ON VIEW v IS 'positive';
    GRANT SELECT ON v TO PUBLIC;
    COMMENT ON MATERIALIZED VIEW mv2 IS 'count';
  )sql");
  EXPECT_EQ(
      "view public.v: comment=positive;"
      " definition=SELECT t.id, t.email FROM public.t WHERE (t.id > 0); options=check_option=local;"
      " privileges=PUBLIC=SELECT\n"
      "view public.v2: definition=SELECT t.id FROM public.t; options=security_barrier=true\n"
      "materialized view public.mv: definition=SELECT t.id FROM public.t\n"
      "materialized view public.mv2: comment=count; definition=SELECT count(*) AS n FROM public.t;"
      " options=fillfactor=50\n",
      dump(model, {Kind::view, Kind::materialized_view}));
}

// --- every property is seen ---------------------------------------------------------------------

const char* const k_base_schema = R"sql(
  CREATE SCHEMA app;
  CREATE SEQUENCE app.counter;
  CREATE TABLE app.parent (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text NOT NULL DEFAULT 'x',
    email varchar(100), amount numeric(10,2) CONSTRAINT parent_amount_check CHECK (amount >= 0),
    rank int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE app.child (id serial PRIMARY KEY, parent_id bigint REFERENCES app.parent (id), note text,
    UNIQUE (parent_id, note));
  CREATE INDEX child_note ON app.child (note);
  CREATE TABLE app.notes (id int PRIMARY KEY, body text);
  CREATE TABLE app.events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
  CREATE TABLE app.events_2020 PARTITION OF app.events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
  CREATE TABLE app.base_log (at timestamptz);
  CREATE TABLE app.audit (at timestamptz, who text);
  CREATE VIEW app.parent_names AS SELECT id, name FROM app.parent;
  CREATE MATERIALIZED VIEW app.totals AS SELECT parent_id, count(*) AS n FROM app.child GROUP BY parent_id;
)sql";

struct Change {
  const char* sql;
  std::vector<std::string> expected;  // differences(base, changed)
};

TEST_F(CatalogRelationsTest, ChangingAnyOnePropertyChangesThatPropertyOfThatObject) {
  const std::vector<Change> changes = {
      {"ALTER TABLE app.parent ALTER COLUMN email TYPE text", {"column app.parent.email type"}},
      {"ALTER TABLE app.child ALTER COLUMN note SET NOT NULL", {"column app.child.note not_null"}},
      {"ALTER TABLE app.child ALTER COLUMN note SET DEFAULT 'n'",
       {"column app.child.note default"}},
      {"ALTER TABLE app.parent ALTER COLUMN name DROP DEFAULT", {"column app.parent.name default"}},
      {"ALTER TABLE app.parent ALTER COLUMN rank ADD GENERATED ALWAYS AS IDENTITY",
       {"column app.parent.rank identity"}},
      {"ALTER TABLE app.parent ALTER COLUMN id SET GENERATED ALWAYS",
       {"column app.parent.id identity"}},
      {"ALTER TABLE app.parent ALTER COLUMN id SET INCREMENT BY 5",
       {"column app.parent.id identity_sequence"}},
      {"ALTER SEQUENCE app.child_id_seq MAXVALUE 1000", {"column app.child.id serial_sequence"}},
      {"ALTER TABLE app.parent ALTER COLUMN email TYPE varchar(100) COLLATE \"C\"",
       {"column app.parent.email collation"}},
      {"ALTER TABLE app.child ALTER COLUMN note SET STORAGE EXTERNAL",
       {"column app.child.note storage"}},
      {"ALTER TABLE app.child ALTER COLUMN note SET COMPRESSION pglz",
       {"column app.child.note compression"}},
      {"ALTER TABLE app.child ALTER COLUMN note SET STATISTICS 500",
       {"column app.child.note statistics"}},
      {"ALTER TABLE app.child ALTER COLUMN note SET (n_distinct = 10)",
       {"column app.child.note options"}},
      {"ALTER TABLE app.notes ADD COLUMN extra int", {"+ column app.notes.extra"}},
      {"ALTER TABLE app.notes DROP COLUMN body", {"- column app.notes.body"}},
      {"ALTER TABLE app.notes RENAME COLUMN body TO text",
       {"- column app.notes.body", "+ column app.notes.text"}},
      {"ALTER TABLE app.parent DROP COLUMN email",
       {"column app.parent.amount position", "column app.parent.created_at position",
        "- column app.parent.email", "column app.parent.rank position"}},
      {"ALTER TABLE app.child DROP CONSTRAINT child_parent_id_fkey,"
       " ADD CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES app.parent (id)"
       " NOT VALID",
       {"constraint app.child.child_parent_id_fkey definition",
        "constraint app.child.child_parent_id_fkey validated"}},
      {"ALTER TABLE app.child ALTER CONSTRAINT child_parent_id_fkey DEFERRABLE",
       {"constraint app.child.child_parent_id_fkey deferrable",
        "constraint app.child.child_parent_id_fkey definition"}},
      {"ALTER TABLE app.child ALTER CONSTRAINT child_parent_id_fkey DEFERRABLE INITIALLY DEFERRED",
       {"constraint app.child.child_parent_id_fkey deferrable",
        "constraint app.child.child_parent_id_fkey deferred",
        "constraint app.child.child_parent_id_fkey definition"}},
      {"ALTER TABLE app.child DROP CONSTRAINT child_parent_id_fkey,"
       " ADD CONSTRAINT child_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES app.parent (id)"
       " ON DELETE CASCADE",
       {"constraint app.child.child_parent_id_fkey definition"}},
      {"ALTER TABLE app.parent DROP CONSTRAINT parent_amount_check,"
       " ADD CONSTRAINT parent_amount_check CHECK (amount > 0)",
       {"constraint app.parent.parent_amount_check definition"}},
      {"ALTER TABLE app.child DROP CONSTRAINT child_parent_id_note_key,"
       " ADD CONSTRAINT child_parent_id_note_key UNIQUE (note, parent_id)",
       {"constraint app.child.child_parent_id_note_key definition"}},
      {"ALTER TABLE app.notes ADD CHECK (id > 0)", {"+ constraint app.notes.notes_id_check"}},
      {"DROP INDEX app.child_note;"
       " CREATE INDEX child_note ON app.child (note) WHERE note IS NOT NULL",
       {"index app.child.child_note definition"}},
      {"DROP INDEX app.child_note; CREATE INDEX child_note ON app.child USING hash (note)",
       {"index app.child.child_note definition"}},
      {"DROP INDEX app.child_note; CREATE UNIQUE INDEX child_note ON app.child (note)",
       {"index app.child.child_note unique"}},
      {"ALTER TABLE app.child CLUSTER ON child_note", {"index app.child.child_note clustered"}},
      {"ALTER INDEX app.child_note RENAME TO child_note2",
       {"- index app.child.child_note", "+ index app.child.child_note2"}},
      {"CREATE INDEX ON app.totals (n)", {"+ index app.totals.totals_n_idx"}},
      {"CREATE OR REPLACE VIEW app.parent_names AS SELECT id, name FROM app.parent WHERE id > 0",
       {"view app.parent_names definition"}},
      {"ALTER VIEW app.parent_names SET (security_barrier = true)",
       {"view app.parent_names options"}},
      {"DROP MATERIALIZED VIEW app.totals; CREATE MATERIALIZED VIEW app.totals AS"
       " SELECT parent_id, count(*) AS n FROM app.child WHERE note IS NOT NULL GROUP BY parent_id",
       {"materialized view app.totals definition"}},
      {"ALTER SEQUENCE app.counter INCREMENT BY 2", {"sequence app.counter increment"}},
      {"ALTER SEQUENCE app.counter CYCLE", {"sequence app.counter cycle"}},
      {"ALTER SEQUENCE app.counter AS integer",
       {"sequence app.counter max", "sequence app.counter type"}},
      {"ALTER SEQUENCE app.counter OWNED BY app.notes.id", {"sequence app.counter owned_by"}},
      {"ALTER TABLE app.notes SET UNLOGGED", {"table app.notes unlogged"}},
      {"ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY", {"table app.notes rls_enabled"}},
      {"ALTER TABLE app.notes FORCE ROW LEVEL SECURITY", {"table app.notes rls_forced"}},
      {"ALTER TABLE app.notes SET (fillfactor = 70)", {"table app.notes options"}},
      {"ALTER TABLE app.notes REPLICA IDENTITY FULL", {"table app.notes replica_identity"}},
      {"ALTER TABLE app.audit INHERIT app.base_log", {"table app.audit inherits"}},
      {"ALTER TABLE app.events DETACH PARTITION app.events_2020;"
       " ALTER TABLE app.events ATTACH PARTITION app.events_2020"
       " FOR VALUES FROM ('2020-01-01') TO ('2022-01-01')",
       {"table app.events_2020 partition_bound"}},
      // A partition's own default is not what the parent gives it: the column shows.
      {"ALTER TABLE app.events_2020 ALTER COLUMN id SET DEFAULT 0",
       {"+ column app.events_2020.id"}},
      {"ALTER TABLE app.events_2020 ADD CONSTRAINT positive CHECK (id > 0)",
       {"+ constraint app.events_2020.positive"}},
      {"COMMENT ON TABLE app.notes IS 'n'", {"table app.notes comment"}},
      {"COMMENT ON COLUMN app.notes.body IS 'b'", {"column app.notes.body comment"}},
      {"COMMENT ON CONSTRAINT notes_pkey ON app.notes IS 'k'",
       {"constraint app.notes.notes_pkey comment"}},
      {"COMMENT ON INDEX app.child_note IS 'i'", {"index app.child.child_note comment"}},
      {"COMMENT ON SEQUENCE app.counter IS 's'", {"sequence app.counter comment"}},
      {"COMMENT ON VIEW app.parent_names IS 'v'", {"view app.parent_names comment"}},
      {"COMMENT ON MATERIALIZED VIEW app.totals IS 'm'", {"materialized view app.totals comment"}},
      {"GRANT SELECT ON app.notes TO PUBLIC", {"table app.notes privileges"}},
      {"GRANT INSERT (body) ON app.notes TO PUBLIC", {"column app.notes.body privileges"}},
      {"GRANT USAGE ON SEQUENCE app.counter TO PUBLIC", {"sequence app.counter privileges"}},
      {"GRANT SELECT ON app.parent_names TO PUBLIC", {"view app.parent_names privileges"}},
      {"GRANT SELECT ON app.totals TO PUBLIC", {"materialized view app.totals privileges"}},
  };
  const auto base = model_of(k_base_schema);
  ASSERT_FALSE(base.objects.empty());
  for (const auto& change : changes) {
    const auto changed = model_of(std::string(k_base_schema) + ";\n" + change.sql);
    EXPECT_EQ(change.expected, differences(base, changed)) << change.sql;
  }
}

// --- the same schema written differently ------------------------------------------------------

TEST_F(CatalogRelationsTest, TheSameSchemaWrittenDifferentlyGivesTheSameModel) {
  const auto first = model_of(R"sql(
    CREATE TABLE a (id serial PRIMARY KEY, name text COLLATE "C" DEFAULT 'x', tags text[]);
    CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id) ON DELETE CASCADE, n int CHECK (n > 0));
    CREATE INDEX b_n ON b (n) WHERE n > 1;
    CREATE VIEW v AS SELECT a.id, b.n FROM a JOIN b ON b.a_id = a.id;
    CREATE TABLE p (id int, d date) PARTITION BY RANGE (d);
    CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
    CREATE INDEX ON p (d);
    CREATE SEQUENCE s START 10;
    ALTER TABLE a SET (fillfactor = 90, autovacuum_enabled = off);
  )sql");
  const auto second = model_of(R"sql(
    CREATE SEQUENCE public.s INCREMENT BY 1 START WITH 10;
    CREATE TABLE public.p (id INTEGER, d DATE) PARTITION BY RANGE (d);
    CREATE TABLE public.p1 (id integer, d date);
    CREATE INDEX p1_d_idx ON public.p1 USING btree (d);
    CREATE INDEX p_d_idx ON ONLY public.p USING btree (d);
    ALTER TABLE public.p ATTACH PARTITION public.p1 FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
    ALTER INDEX public.p_d_idx ATTACH PARTITION public.p1_d_idx;
    CREATE SEQUENCE public.a_id_seq AS integer;
    CREATE TABLE public.a (id integer NOT NULL DEFAULT nextval('public.a_id_seq'::regclass),
      name text COLLATE pg_catalog."C" DEFAULT 'x'::text, tags text ARRAY,
      CONSTRAINT a_pkey PRIMARY KEY (id)) WITH (autovacuum_enabled = false, fillfactor = 90);
    ALTER SEQUENCE public.a_id_seq OWNED BY public.a.id;
    CREATE TABLE public.b (id INT4 NOT NULL, a_id INTEGER, n INTEGER);
    ALTER TABLE public.b ADD CONSTRAINT b_n_check CHECK ((n > 0)), ADD CONSTRAINT b_pkey PRIMARY KEY (id);
    ALTER TABLE public.b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES public.a(id) ON DELETE CASCADE;
    CREATE   INDEX   b_n
      ON public.b USING btree (n) WHERE (n > 1);
    CREATE VIEW public.v AS SELECT a.id, b.n FROM (public.a JOIN public.b ON ((b.a_id = a.id)));
  )sql");
  ASSERT_FALSE(first.objects.empty());
  EXPECT_EQ(dump(first), dump(second));
  EXPECT_TRUE(first.objects == second.objects) << "the models differ outside the relation kinds";
}

// --- implied objects are hidden ---------------------------------------------------------------

TEST_F(CatalogRelationsTest, ImpliedObjectsAreLeftOut) {
  const auto model = model_of(R"sql(
    CREATE TABLE t (id serial PRIMARY KEY, j bigint GENERATED ALWAYS AS IDENTITY, gone int, email text UNIQUE,
      during tsrange, EXCLUDE USING gist (during WITH &&));
    ALTER TABLE t DROP COLUMN gone;
    CREATE TABLE p (id int, d date, PRIMARY KEY (id, d), CHECK (id > 0)) PARTITION BY RANGE (d);
    CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
    CREATE INDEX ON p (d);
    CREATE TABLE r (id int, d date, FOREIGN KEY (id, d) REFERENCES p);
    CREATE TABLE ip (id bigint GENERATED ALWAYS AS IDENTITY, n serial, d date) PARTITION BY RANGE (d);
    CREATE TABLE ip1 PARTITION OF ip FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
    CREATE TABLE parent (a int NOT NULL DEFAULT 1 CHECK (a > 0));
    CREATE TABLE kid (b int) INHERITS (parent);
    CREATE TABLE schema_migrations (version bigserial PRIMARY KEY, applied_at timestamptz);
    CREATE INDEX ON schema_migrations (applied_at);
  )sql");
  EXPECT_EQ(
      "table public.ip\n"
      "table public.ip1\n"
      "table public.kid\n"
      "table public.p\n"
      "table public.p1\n"
      "table public.parent\n"
      "table public.r\n"
      "table public.t\n"
      "column public.ip.d\n"
      "column public.ip.id\n"
      "column public.ip.n\n"
      "column public.kid.b\n"
      "column public.p.d\n"
      "column public.p.id\n"
      "constraint public.p.p_id_check\n"
      "constraint public.p.p_pkey\n"
      "index public.p.p_d_idx\n"
      "column public.parent.a\n"
      "constraint public.parent.parent_a_check\n"
      "column public.r.d\n"
      "column public.r.id\n"
      "constraint public.r.r_id_d_fkey\n"
      "column public.t.during\n"
      "column public.t.email\n"
      "column public.t.id\n"
      "column public.t.j\n"
      "constraint public.t.t_during_excl\n"
      "constraint public.t.t_email_key\n"
      "constraint public.t.t_pkey\n",
      identities(model));
  // Positions count live columns only: the dropped one leaves no gap.
  EXPECT_EQ("4", model.objects.at({Kind::column, "public", "during", "t"}).at("position"));
  EXPECT_EQ("2", model.objects.at({Kind::column, "public", "b", "kid"}).at("position"));
}

TEST_F(CatalogRelationsTest, RelationsOfAnExtensionAreLeftOut) {
  const auto database = fresh_database();
  auto connection = db::Connection::open(database, "pgdrift-test");
  const auto result = connection->execute("CREATE EXTENSION pg_buffercache");
  if (!result.ok)
    GTEST_SKIP() << "contrib extension pg_buffercache unavailable: " << result.error->message;
  ASSERT_TRUE(connection->execute("CREATE VIEW mine AS SELECT 1 AS one").ok);
  const auto model = catalog::introspect(*connection);
  EXPECT_EQ("view public.mine: definition=SELECT 1 AS one\n", dump(model));
}

}  // namespace
}  // namespace pgdrift::testing
