#include <gtest/gtest.h>

#include <filesystem>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/journal.hpp"
#include "pgdrift/replay/replay.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

using migrations::Format;
using replay::Status;

class ReplayTest : public SandboxTest {
 protected:
  // Discovers `tree` (format given or detected) and replays it on a fresh database.
  replay::ReplayResult replay(const TempTree& tree, Format format = Format::automatic,
                              std::map<std::string, std::string> vars = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds{60}) {
    m_discovery = migrations::discover({tree.path(), format, std::move(vars)});
    m_database = fresh_database();
    auto connection = db::Connection::open(m_database, "pgdrift-test");
    replay::Options options;
    options.statement_timeout = timeout;
    return replay::run(*connection, m_discovery.migrations, options);
  }
  bool relation_exists(const std::string& name) const {
    return scalar(m_database, "SELECT count(*) FROM pg_class WHERE relname = '" + name + "'") == "1";
  }
  std::string file(const TempTree& tree, const std::string& name) const { return (tree.path() / name).string(); }

  migrations::Discovery m_discovery;
  db::ConnectionInfo m_database;
};

std::vector<Status> statuses(const replay::ReplayResult& result) {
  std::vector<Status> out;
  for (const auto& m : result.migrations) out.push_back(m.status);
  return out;
}

TEST_F(ReplayTest, FailingMigrationIsReportedAtFileLineColumnAndLaterOnesAreSkipped) {
  TempTree tree({{"001_init.sql", "CREATE TABLE users (id int PRIMARY KEY, name text);\n"},
                 {"002_bad.sql",
                  "-- an index, then a typo\n"
                  "CREATE INDEX users_name ON users (name);\n"
                  "\n"
                  "SELECT id,\n"
                  "       nam FROM users;\n"},
                 {"003_later.sql", "CREATE TABLE later (id int);\n"}});
  const auto result = replay(tree, Format::plain);
  EXPECT_EQ((std::vector<Status>{Status::applied, Status::failed, Status::skipped}), statuses(result));
  EXPECT_FALSE(result.ok());

  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  const auto& f = findings[0];
  EXPECT_EQ("replay/statement-failed", f.rule);
  EXPECT_EQ(Severity::error, f.severity);
  EXPECT_EQ("column \"nam\" does not exist", f.message);
  ASSERT_TRUE(f.location);
  EXPECT_EQ(file(tree, "002_bad.sql"), f.location->file);
  EXPECT_EQ(5, f.location->line);    // the error position inside the statement…
  EXPECT_EQ(8, f.location->column);  // …points at "nam"
  EXPECT_EQ(5, f.location->end_line);
  EXPECT_NE(f.hint.find("Perhaps you meant to reference the column \"users.name\""), std::string::npos) << f.hint;
  EXPECT_NE(f.detail.find("SQLSTATE 42703"), std::string::npos) << f.detail;

  // The failing migration ran in a transaction: its index is gone; the skipped one never ran.
  EXPECT_TRUE(relation_exists("users"));
  EXPECT_FALSE(relation_exists("users_name"));
  EXPECT_FALSE(relation_exists("later"));
  const auto& failed = result.migrations[1];
  ASSERT_EQ(2u, failed.statements.size());
  EXPECT_EQ(2, failed.statements[0].line);
  EXPECT_EQ(Status::applied, failed.statements[0].status);
  EXPECT_EQ(4, failed.statements[1].line);
}

TEST_F(ReplayTest, DbmateErrorInsideTheUpSectionKeepsFileLineNumbers) {
  TempTree tree({{"20240101000000_users.sql",
                  "-- migrate:up\n"
                  "CREATE TABLE users (id int);\n"
                  "-- migrate:down\n"
                  "DROP TABLE users;\n"},
                 {"20240102000000_orders.sql",
                  "-- orders belong to users\n"
                  "\n"
                  "-- migrate:up\n"
                  "CREATE TABLE orders (id int, user_id int);\n"
                  "INSERT INTO orders (id, usr_id) VALUES (1, 1);\n"
                  "\n"
                  "-- migrate:down\n"
                  "DROP TABLE orders;\n"}});
  const auto result = replay(tree);
  EXPECT_EQ(Format::dbmate, m_discovery.format);
  EXPECT_EQ((std::vector<Status>{Status::applied, Status::failed}), statuses(result));
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_EQ(5, findings[0].location->line);
  EXPECT_EQ(25, findings[0].location->column);  // "usr_id"
  EXPECT_FALSE(relation_exists("orders")) << "the down section must never run, the up one rolled back";
}

TEST_F(ReplayTest, GooseErrorAfterAStatementBlockKeepsFileLineNumbers) {
  TempTree tree({{"00001_init.sql",
                  "-- +goose Up\n"
                  "-- +goose StatementBegin\n"
                  "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                  "BEGIN\n"
                  "  NEW.updated_at := now();\n"
                  "  RETURN NEW;\n"
                  "END;\n"
                  "$$;\n"
                  "-- +goose StatementEnd\n"
                  "CREATE TABLE t (id int, updated_at timestamptz);\n"
                  "INSERT INTO t (id, updated) VALUES (1, now());\n"
                  "\n"
                  "-- +goose Down\n"
                  "DROP TABLE t;\n"}});
  const auto result = replay(tree);
  EXPECT_EQ(Format::goose, m_discovery.format);
  ASSERT_EQ(1u, result.migrations.size());
  EXPECT_EQ(Status::failed, result.migrations[0].status);
  ASSERT_EQ(3u, result.migrations[0].statements.size());
  EXPECT_EQ(3, result.migrations[0].statements[0].line);
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_EQ(11, findings[0].location->line);
  EXPECT_EQ(20, findings[0].location->column);
  EXPECT_FALSE(relation_exists("t"));
}

TEST_F(ReplayTest, ConcurrentIndexReplaysOutsideATransaction) {
  TempTree tree({{"1_table.sql", "CREATE TABLE items (id int, sku text);\n"},
                 {"2_index.sql",
                  "SET lock_timeout = '5s';\n"
                  "CREATE INDEX CONCURRENTLY items_sku ON items (sku);\n"}});
  const auto result = replay(tree, Format::plain);
  ASSERT_TRUE(result.ok()) << replay::findings(result).front().message;
  EXPECT_TRUE(result.migrations[0].in_transaction);
  EXPECT_FALSE(result.migrations[1].in_transaction);
  EXPECT_NE(result.migrations[1].transaction_note.find("CREATE INDEX CONCURRENTLY at line 2"), std::string::npos)
      << result.migrations[1].transaction_note;
  EXPECT_EQ("t", scalar(m_database, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_sku'::regclass"));
}

TEST_F(ReplayTest, FileDirectiveTurnsTheTransactionOff) {
  TempTree tree({{"20240101000000_enum.sql",
                  "-- +goose NO TRANSACTION\n"
                  "-- +goose Up\n"
                  "CREATE TYPE mood AS ENUM ('sad');\n"
                  "ALTER TYPE mood ADD VALUE 'happy';\n"
                  "CREATE TABLE feelings (m mood);\n"
                  "CREATE INDEX CONCURRENTLY feelings_m ON feelings (m);\n"}});
  const auto result = replay(tree, Format::goose);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.migrations[0].in_transaction);
  EXPECT_NE(result.migrations[0].transaction_note.find("NO TRANSACTION"), std::string::npos);
  EXPECT_EQ("2", scalar(m_database, "SELECT count(*) FROM pg_enum"));
}

// dbmate's transaction:false sends the section as one query: with more than one statement that is
// one implicit transaction, where CREATE INDEX CONCURRENTLY fails as it does under dbmate.
TEST_F(ReplayTest, DbmateWithoutTransactionStillSendsOneQuery) {
  TempTree tree({{"20240101000000_index.sql",
                  "-- migrate:up transaction:false\n"
                  "CREATE TABLE feelings (m text);\n"
                  "CREATE INDEX CONCURRENTLY feelings_m ON feelings (m);\n"},
                 {"20240102000000_alone.sql",
                  "-- migrate:up transaction:false\n"
                  "CREATE INDEX CONCURRENTLY feelings_m2 ON feelings (m);\n"}});
  auto result = replay(tree, Format::dbmate);
  ASSERT_EQ(Status::failed, result.migrations[0].status);
  const auto& failed = result.migrations[0].statements[1];
  ASSERT_TRUE(failed.error);
  EXPECT_EQ("25001", failed.error->sqlstate);
  EXPECT_NE(failed.error->message.find("dbmate sends the whole file as one query"), std::string::npos)
      << failed.error->message;
  EXPECT_EQ("0", scalar(m_database, "SELECT count(*) FROM pg_class WHERE relname = 'feelings'"));

  // Alone in its file, the statement runs as in autocommit: fine under dbmate, fine here.
  TempTree alone({{"20240101000000_table.sql", "-- migrate:up\nCREATE TABLE feelings (m text);\n"},
                  {"20240102000000_alone.sql",
                   "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY feelings_m2 ON feelings (m);\n"}});
  result = replay(alone, Format::dbmate);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ("1", scalar(m_database, "SELECT count(*) FROM pg_class WHERE relname = 'feelings_m2'"));
}

TEST_F(ReplayTest, StatementTimeoutStopsAHungMigration) {
  TempTree tree({{"1_slow.sql", "SELECT pg_sleep(30);\n"}});
  const auto result = replay(tree, Format::plain, {}, std::chrono::milliseconds{300});
  ASSERT_EQ(Status::failed, result.migrations[0].status);
  EXPECT_EQ("57014", result.migrations[0].statements[0].error->sqlstate);
  EXPECT_LT(result.duration_ms, 10000);
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_NE(findings[0].hint.find("statement_timeout"), std::string::npos) << findings[0].hint;
}

TEST_F(ReplayTest, ServerWarningsBecomeFindingsAndNoticesAreKept) {
  TempTree tree({{"1_own_tx.sql",
                  "BEGIN;\n"
                  "BEGIN;\n"
                  "DROP TABLE IF EXISTS nothing_here;\n"
                  "CREATE TABLE w (id int);\n"
                  "COMMIT;\n"}});
  const auto result = replay(tree, Format::plain);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.migrations[0].in_transaction) << "the file manages its own transaction";
  const auto& statements = result.migrations[0].statements;
  ASSERT_EQ(5u, statements.size());
  ASSERT_EQ(1u, statements[2].notices.size());
  EXPECT_EQ("NOTICE", statements[2].notices[0].severity);
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_EQ("replay/server-warning", findings[0].rule);
  EXPECT_EQ(Severity::warning, findings[0].severity);
  EXPECT_EQ("there is already a transaction in progress", findings[0].message);
  EXPECT_EQ(2, findings[0].location->line);
  EXPECT_TRUE(relation_exists("w"));
}

TEST_F(ReplayTest, MigrationLeavingItsTransactionOpenFailsAndIsRolledBack) {
  TempTree tree({{"1_open.sql", "BEGIN;\nCREATE TABLE half (id int);\n"}});
  const auto result = replay(tree, Format::plain);
  ASSERT_EQ(Status::failed, result.migrations[0].status);
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_NE(findings[0].message.find("ends inside a transaction block"), std::string::npos);
  EXPECT_EQ(2, findings[0].location->line);
  EXPECT_FALSE(relation_exists("half"));
}

TEST_F(ReplayTest, DeferredConstraintFailingAtCommitIsBlamedOnTheMigration) {
  TempTree tree({{"1_deferred.sql",
                  "CREATE TABLE parent (id int PRIMARY KEY);\n"
                  "CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);\n"
                  "INSERT INTO child VALUES (42);\n"}});
  const auto result = replay(tree, Format::plain);
  ASSERT_EQ(Status::failed, result.migrations[0].status);
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_NE(findings[0].message.find("(at COMMIT)"), std::string::npos) << findings[0].message;
  EXPECT_EQ(3, findings[0].location->line);
  EXPECT_FALSE(relation_exists("parent"));
}

TEST_F(ReplayTest, PlaceholdersAreSubstitutedAndErrorsStillPointIntoTheFile) {
  TempTree tree({{"V1__init.sql", "CREATE SCHEMA {{ index .Options \"Namespace\" }};\n"
                                  "CREATE TABLE ${Namespace}.t (id int, v text);\n"
                                  "SELECT {{ index .Options \"Namespace\" }}.t.nope FROM ${Namespace}.t;\n"}});
  const auto result = replay(tree, Format::flyway, {{"Namespace", "app"}});
  ASSERT_EQ(Status::failed, result.migrations[0].status);
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_EQ("column t.nope does not exist", findings[0].message);
  EXPECT_EQ(3, findings[0].location->line);
  EXPECT_EQ(8, findings[0].location->column) << "the column of the placeholder in the file";
}

TEST_F(ReplayTest, FrameworkCommandRunsAgainstTheSandboxDatabase) {
  const auto database = fresh_database();
  replay::CommandOptions options;
  // A stand-in for a framework's migrate command: psql reading DATABASE_URL, as a tool would.
  options.argv = {"sh", "-c", "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 -qc 'CREATE TABLE from_command (id int)' "
                              "&& test \"$PGDATABASE\" = \"" + database.dbname + "\""};
  options.env = current_environment();
  options.timeout = std::chrono::seconds{60};
  const auto result = replay::run_command(database, options);
  ASSERT_TRUE(result.command);
  EXPECT_EQ(0, result.command->exit_code) << result.command->output;
  EXPECT_TRUE(result.ok());
  EXPECT_EQ("1", scalar(database, "SELECT count(*) FROM pg_class WHERE relname = 'from_command'"));
}

TEST_F(ReplayTest, FailingFrameworkCommandIsAFindingWithItsOutput) {
  const auto database = fresh_database();
  replay::CommandOptions options;
  options.argv = {"sh", "-c", "echo 'alembic: no such revision abc123' >&2; exit 4"};
  options.env = current_environment();
  const auto result = replay::run_command(database, options);
  EXPECT_FALSE(result.ok());
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_EQ("replay/command-failed", findings[0].rule);
  EXPECT_NE(findings[0].message.find("exit code 4"), std::string::npos);
  EXPECT_NE(findings[0].detail.find("no such revision abc123"), std::string::npos);
}

// Every format fixture under tests/fixtures/migrations replays cleanly on a real server,
// except `failing`, which must fail.
TEST_F(ReplayTest, EveryFormatFixtureReplays) {
  const std::filesystem::path root = std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "migrations";
  ASSERT_TRUE(std::filesystem::is_directory(root));
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const auto name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const auto discovery = migrations::discover({entry.path(), Format::automatic, {{"Namespace", "app"}}});
    const auto database = fresh_database();
    auto connection = db::Connection::open(database, "pgdrift-test");
    const auto result = replay::run(*connection, discovery.migrations, {});
    if (name == "failing") {
      EXPECT_FALSE(result.ok());
    } else {
      const auto findings = replay::findings(result);
      EXPECT_TRUE(result.ok()) << (findings.empty() ? "" : findings.front().location->file + ":" +
                                                                 std::to_string(findings.front().location->line) +
                                                                 ": " + findings.front().message);
      EXPECT_NE("0", scalar(database, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                                      "('pg_catalog', 'information_schema')"));
    }
    ++replayed;
  }
  EXPECT_GE(replayed, 9) << "a fixture per format plus failing and concurrently";
}

TEST_F(ReplayTest, AnExtensionTheSandboxLacksSaysWhereToGetIt) {
  // postgis is not installed where the tests run (ci/install-deps does not install it).
  TempTree tree({{"V1__gis.sql", "CREATE TABLE shops (id int);\n"},
                 {"V2__gis.sql", "CREATE EXTENSION IF NOT EXISTS postgis;\nALTER TABLE shops ADD COLUMN at geography;\n"},
                 {"V3__custom.sql", "CREATE EXTENSION no_such_extension_here;\n"}});
  const auto findings = replay::findings(replay(tree, Format::flyway));
  ASSERT_EQ(1u, findings.size());
  const auto& f = findings[0];
  EXPECT_EQ("replay/extension-unavailable", f.rule);
  EXPECT_EQ(Severity::error, f.severity);
  EXPECT_EQ(1, f.location->line);
  const std::string major = std::to_string(backend().server_version().empty() ? 0 : std::stoi(backend().server_version()));
  EXPECT_EQ("extension postgis is not installed on the sandbox's PostgreSQL " + major +
                ": the migrations need it, so they cannot replay here",
            f.message);
  EXPECT_NE(f.hint.find("apt-get install postgresql-" + major + "-postgis-3"), std::string::npos) << f.hint;
  EXPECT_NE(f.hint.find("--image postgis/postgis:" + major + "-3.4"), std::string::npos) << f.hint;

  // An extension pgdrift knows nothing about still gets the general advice.
  TempTree custom({{"V1__custom.sql", "CREATE EXTENSION no_such_extension_here;\n"}});
  const auto other = replay::findings(replay(custom, Format::flyway));
  ASSERT_EQ(1u, other.size());
  EXPECT_EQ("replay/extension-unavailable", other[0].rule);
  EXPECT_NE(other[0].hint.find("install the package that provides no_such_extension_here"), std::string::npos);
  // An extension that exists replays: no finding.
  TempTree present({{"V1__trgm.sql", "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n"}});
  EXPECT_TRUE(replay(present, Format::flyway).ok());
}

TEST_F(ReplayTest, ASyntaxErrorAtAPlaceholderWithoutValueSaysWhichVarToPass) {
  TempTree tree({{"V1__schema.sql", "CREATE SCHEMA app;\n"},
                 {"V2__table.sql", "-- the schema Flyway was told to use\nCREATE TABLE ${flyway:defaultSchema}.t (id int);\n"}});
  const auto result = replay(tree, Format::flyway);
  ASSERT_FALSE(result.ok());
  const auto findings = replay::findings(result);
  ASSERT_EQ(1u, findings.size());
  EXPECT_EQ("placeholder ${flyway:defaultSchema} has no value, so PostgreSQL saw it as SQL: syntax error at or near \"$\"",
            findings[0].message);
  EXPECT_EQ(2, findings[0].location->line);
  EXPECT_EQ(14, findings[0].location->column);
  EXPECT_NE(findings[0].hint.find("--var flyway:defaultSchema=VALUE"), std::string::npos) << findings[0].hint;

  // With the value it replays; an unrelated syntax error keeps PostgreSQL's own message.
  EXPECT_TRUE(replay(tree, Format::flyway, {{"flyway:defaultSchema", "app"}}).ok());
  TempTree typo({{"V1__typo.sql", "CREATE TABEL t (note text DEFAULT '${not_a_placeholder_here}');\n"}});
  const auto typo_findings = replay::findings(replay(typo, Format::flyway));
  ASSERT_EQ(1u, typo_findings.size());
  EXPECT_EQ("syntax error at or near \"TABEL\"", typo_findings[0].message);
}

// The change journal: every object of the replayed model says which statement created it and
// which last changed it, at file:line; what the journal itself adds is not in the model.
TEST_F(ReplayTest, TheJournalGivesEveryObjectTheLineThatCreatedAndLastChangedIt) {
  TempTree tree({{"V1__users.sql",
                  "CREATE TABLE users (\n"
                  "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                  "  email text NOT NULL\n"
                  ");\n"
                  "CREATE INDEX users_email_idx ON users (email);\n"},
                 {"V2__orders.sql",
                  "CREATE TYPE order_status AS ENUM ('new', 'paid');\n"
                  "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users,\n"
                  "  status order_status NOT NULL DEFAULT 'new');\n"
                  "CREATE FUNCTION order_total(o bigint, currency text) RETURNS numeric LANGUAGE sql AS $$ SELECT 0 $$;\n"},
                 {"V3__last_login.sql",
                  "-- track logins\n"
                  "ALTER TABLE users ADD COLUMN last_login timestamptz;\n"
                  "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'paid';\n"
                  "DROP INDEX users_email_idx;\n"
                  "CREATE UNIQUE INDEX users_email_idx ON users (lower(email));\n"}});
  const auto result = replay(tree, Format::flyway);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.journal);
  auto connection = db::Connection::open(m_database, "pgdrift-test");
  auto model = catalog::introspect(*connection);
  replay::attach_provenance(*connection, m_discovery.migrations, model);
  const auto where = [&](catalog::Kind kind, const std::string& name, const std::string& table = "") {
    const auto found = model.provenance.find({kind, kind == catalog::Kind::schema ? "" : "public", name, table});
    if (found == model.provenance.end()) return std::string("none");
    const auto file_of = [](const catalog::SourceLine& s) {
      return std::filesystem::path(s.file).filename().string() + ":" + std::to_string(s.line);
    };
    return file_of(found->second.created) + " " + file_of(found->second.changed);
  };
  using catalog::Kind;
  EXPECT_EQ("V1__users.sql:1 V3__last_login.sql:2", where(Kind::table, "users"));
  EXPECT_EQ("V1__users.sql:3 V1__users.sql:3", where(Kind::column, "email", "users"));
  EXPECT_EQ("V3__last_login.sql:2 V3__last_login.sql:2", where(Kind::column, "last_login", "users"));
  EXPECT_EQ("V2__orders.sql:3 V3__last_login.sql:3", where(Kind::column, "status", "orders"));
  EXPECT_EQ("V1__users.sql:1 V1__users.sql:1", where(Kind::constraint, "users_pkey", "users"));
  EXPECT_EQ("V2__orders.sql:2 V2__orders.sql:2", where(Kind::constraint, "orders_user_id_fkey", "orders"));
  // Dropped and created again: the new one's line.
  EXPECT_EQ("V3__last_login.sql:5 V3__last_login.sql:5", where(Kind::index, "users_email_idx", "users"));
  EXPECT_EQ("V2__orders.sql:1 V2__orders.sql:1", where(Kind::enum_type, "order_status"));
  EXPECT_EQ("V2__orders.sql:4 V2__orders.sql:4", where(Kind::function, "order_total(bigint, text)"));
  // Not from the migrations: no provenance, and the journal's own schema is not in the model.
  EXPECT_EQ("none", where(Kind::schema, "public"));
  for (const auto& [id, properties] : model.objects) {
    EXPECT_NE("pgdrift_journal", id.schema) << id.display();
    EXPECT_NE("pgdrift_journal", id.name) << id.display();
  }
}
}  // namespace
}  // namespace pgdrift::testing

