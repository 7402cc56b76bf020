// Unusable migration trees: every error names the file (and line) and says what to do.

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "migrations_test_support.hpp"

namespace pgdrift::migrations {
namespace {

using testing::discover_dir;
using testing::error_of;
using testing::TempTree;

struct ErrorCase {
  const char* what;
  Format format;
  std::vector<std::pair<const char*, const char*>> files;
  const char* message;  // the whole message; {dir} is the tree
  const char* hint;     // a part of the hint
};

const char* const k_up = "-- +goose Up\nSELECT 1;\n";

const ErrorCase k_cases[] = {
    {"empty directory",
     Format::automatic,
     {},
     "{dir}: no migrations found (format plain, detected)",
     "plain expects *.sql files directly in the directory"},
    {"configured format finds nothing",
     Format::flyway,
     {{"1_a.sql", "SELECT 1;"}},
     "{dir}: no migrations found (format flyway, as configured)",
     "V<version>__<description>.sql"},
    {"flyway 1 and 1.0 are the same version",
     Format::automatic,
     {{"V1__a.sql", "SELECT 1;"}, {"sub/V1.0__b.sql", "SELECT 1;"}},
     "{dir}/sub/V1.0__b.sql: version 1.0 is already used by {dir}/V1__a.sql",
     "rename one"},
    {"flyway version that is not a number",
     Format::flyway,
     {{"V1.a__x.sql", "SELECT 1;"}},
     "{dir}/V1.a__x.sql: '1.a' is not a Flyway version",
     "V1.2__add_email.sql"},
    {"flyway repeatables with one description",
     Format::flyway,
     {{"V1__a.sql", ""}, {"R__v.sql", ""}, {"x/R__v.sql", ""}},
     "{dir}/x/R__v.sql: version v is already used by {dir}/R__v.sql",
     "rename one"},
    {"golang-migrate 1 and 001",
     Format::automatic,
     {{"1_a.up.sql", "SELECT 1;"}, {"001_b.up.sql", "SELECT 1;"}},
     "{dir}/001_b.up.sql: version 001 is already used by {dir}/1_a.up.sql",
     "rename one"},
    {"goose 1 and 01",
     Format::goose,
     {{"1_a.sql", k_up}, {"01_b.sql", k_up}},
     "{dir}/01_b.sql: version 01 is already used by {dir}/1_a.sql",
     "rename one"},
    {"dbmate same version",
     Format::dbmate,
     {{"1_a.sql", "-- migrate:up\n"}, {"1_b.sql", "-- migrate:up\n"}},
     "{dir}/1_b.sql: version 1 is already used by {dir}/1_a.sql",
     "rename one"},
    {"diesel dashes removed collide",
     Format::diesel,
     {{"2024-01-01-000000_a/up.sql", ""}, {"20240101000000_b/up.sql", ""}},
     "{dir}/20240101000000_b/up.sql: version 20240101000000 is already used by "
     "{dir}/2024-01-01-000000_a/up.sql",
     "rename one"},
    {"prisma same timestamp",
     Format::prisma,
     {{"20240101_a/migration.sql", ""}, {"20240101_b/migration.sql", ""}},
     "{dir}/20240101_b/migration.sql: version 20240101 is already used by "
     "{dir}/20240101_a/migration.sql",
     "rename one"},
    {"dbmate without up",
     Format::dbmate,
     {{"1_a.sql", "-- migrate:up\nSELECT 1;\n"}, {"2_b.sql", "CREATE TABLE b ();\n"}},
     "{dir}/2_b.sql: no '-- migrate:up' section",
     "'-- migrate:up' line"},
    {"dbmate two up sections",
     Format::dbmate,
     {{"1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n"}},
     "{dir}/1_a.sql:3: second '-- migrate:up' section",
     "one '-- migrate:up' section"},
    {"goose without up",
     Format::goose,
     {{"1_a.sql", "-- +goose Down\nSELECT 1;\n"}},
     "{dir}/1_a.sql: no '-- +goose Up' annotation",
     "'-- +goose Up' line"},
    {"goose unclosed block",
     Format::goose,
     {{"1_a.sql", "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose Down\n"}},
     "{dir}/1_a.sql:2: StatementBegin has no StatementEnd",
     "closed by a StatementEnd"},
    {"goose Go migration",
     Format::goose,
     {{"1_a.sql", k_up}, {"2_b.go", "package m\n"}},
     "{dir}/2_b.go: Go migrations can't be replayed from SQL files",
     "migrations.command, e.g. `goose up`"},
    {"drizzle malformed journal",
     Format::automatic,
     {{"meta/_journal.json",
       "{\n  \"entries\": [\n    {\"idx\": 0 \"tag\": \"0000_a\"}\n  ]\n}\n"}},
     "{dir}/meta/_journal.json:3:19: malformed JSON: syntax error while parsing object - "
     "unexpected string literal; expected '}'",
     "regenerate it with drizzle-kit"},
    {"drizzle journal without entries",
     Format::drizzle,
     {{"meta/_journal.json", "{}"}},
     "{dir}/meta/_journal.json: no \"entries\" array in the journal",
     "drizzle-kit"},
    {"drizzle entry without file",
     Format::automatic,
     {{"meta/_journal.json",
       "{\"entries\": [\n {\"idx\": 0, \"tag\": \"0000_a\"},\n {\"idx\": 1, \"tag\": "
       "\"0001_b\"}\n]}"},
      {"0000_a.sql", "SELECT 1;"}},
     "{dir}/meta/_journal.json:3: journal entry \"0001_b\" names {dir}/0001_b.sql, which does not "
     "exist",
     "restore the SQL file"},
    {"drizzle journal missing",
     Format::drizzle,
     {{"0000_a.sql", "SELECT 1;"}},
     "{dir}/meta/_journal.json: Drizzle journal not found",
     "migrations.dir"},
    {"not UTF-8",
     Format::automatic,
     {{"1.sql", "SELECT 1;\nSELECT '\xC3\x28';\n"}},
     "{dir}/1.sql:2:9: file is not valid UTF-8",
     "UTF-8 encoding"},
    {"down file not UTF-8",
     Format::automatic,
     {{"1_a.up.sql", "SELECT 1;\n"}, {"1_a.down.sql", "\xFF"}},
     "{dir}/1_a.down.sql:1:1: file is not valid UTF-8",
     "UTF-8 encoding"},
};

std::string replace_dir(std::string text, const std::string& dir) {
  for (std::size_t at = text.find("{dir}"); at != std::string::npos; at = text.find("{dir}", at)) {
    text.replace(at, 5, dir);
    at += dir.size();
  }
  return text;
}

TEST(DiscoverErrors, NameTheFileAndSayWhatToDo) {
  for (const ErrorCase& c : k_cases) {
    SCOPED_TRACE(c.what);
    TempTree tree;
    for (const auto& [name, content] : c.files) tree.write(name, content);
    const std::string dir = tree.path().lexically_normal().generic_string();
    const std::string error = error_of([&] { discover_dir(tree.path(), c.format); });
    const std::size_t bar = error.find(" | ");
    EXPECT_EQ(replace_dir(c.message, dir), error.substr(0, bar));
    EXPECT_NE(std::string::npos, error.find(c.hint, bar)) << error;
  }
}

TEST(DiscoverErrors, DirectoryMissingOrNotADirectory) {
  TempTree tree;
  const std::string dir = tree.path().generic_string();
  EXPECT_EQ(dir +
                "/nope: migrations directory does not exist | set --migrations (or migrations.dir) to "
                "the folder holding the migration files",
            error_of([&] { discover_dir(tree.path() / "nope"); }));
  const auto file = tree.write("schema.sql", "SELECT 1;");
  EXPECT_EQ(0u, error_of([&] {
                  discover_dir(file);
                }).find(dir + "/schema.sql: migrations path is not a directory"));
  EXPECT_EQ(0u, error_of([&] {
                  detect_format(tree.path() / "nope");
                }).find(dir + "/nope: migrations directory does not exist"));
}

TEST(DiscoverErrors, UnreadableFileIsNamed) {
  TempTree tree;
  const auto file = tree.write("1_a.sql", "SELECT 1;");
  ::chmod(file.c_str(), 0);
  const std::string expected = tree.path().generic_string() +
                               "/1_a.sql: cannot read file | check that it exists and "
                               "is readable by the user running pgdrift";
  if (::geteuid() != 0) {
    EXPECT_EQ(expected, error_of([&] { discover_dir(tree.path()); }));
    return;
  }
  // Root reads anything: check from a child process that runs as nobody instead.
  ::chmod(tree.path().c_str(), 0755);
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nullptr, nobody);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0) ::_exit(3);
    ::_exit(error_of([&] { discover_dir(tree.path()); }) == expected ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(0, WEXITSTATUS(status)) << "as nobody, the error must name the unreadable file";
}

TEST(DiscoverErrors, GoMigrationsCanBeLeftOutForReadingTheSqlOnes) {
  TempTree tree;
  tree.write("00001_users.sql", "-- +goose Up\nCREATE TABLE users (id int);\n");
  tree.write("00002_seed.go", "package migrations\n");
  tree.write("00003_index.sql", "-- +goose Up\nCREATE INDEX ON users (id);\n");
  // replay/verify: an error naming the file and --command.
  EXPECT_NE(error_of([&] { discover_dir(tree.path(), Format::goose); }).find("00002_seed.go: Go migrations"),
            std::string::npos);
  // lint: the SQL ones, and which were left out.
  DiscoverOptions options;
  options.dir = tree.path();
  options.format = Format::goose;
  options.skip_code_migrations = true;
  const auto found = discover(options);
  ASSERT_EQ(found.migrations.size(), 2u);
  EXPECT_EQ(found.migrations[1].version, "00003");
  EXPECT_EQ(found.skipped_code, std::vector<std::string>{tree.path().generic_string() + "/00002_seed.go"});
}

TEST(DiscoverErrors, ANulByteIsAnErrorAtItsPosition) {
  TempTree tree;
  tree.write("1_a.sql", std::string("CREATE TABLE t (id int);\nSELECT 1;\0 DROP TABLE t;\n", 46));
  EXPECT_EQ(tree.path().generic_string() +
                "/1_a.sql:2:10: file holds a NUL byte, where PostgreSQL would stop reading the statement | remove it: "
                "a migration is text (a binary file in the migrations directory, or a broken save?)",
            error_of([&] { discover_dir(tree.path()); }));
}

TEST(DiscoverErrors, EntriesThatAreNeitherFilesNorDirectoriesAreNamed) {
  struct Case {
    const char* what;
    std::function<void(const std::filesystem::path&)> make;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"dangling symlink",
       [](const std::filesystem::path& p) { std::filesystem::create_symlink("gone.sql", p); },
       "is a symbolic link to nothing (No such file or directory) in the migrations directory"},
      {"symlink loop", [](const std::filesystem::path& p) { std::filesystem::create_symlink(p.filename(), p); },
       "is a symbolic link loop in the migrations directory"},
      {"fifo", [](const std::filesystem::path& p) { ASSERT_EQ(0, ::mkfifo(p.c_str(), 0600)); },
       "is a FIFO (named pipe) in the migrations directory"},
  };
  for (const auto& c : cases) {
    for (const auto format : {Format::plain, Format::prisma}) {
      TempTree tree;
      tree.write("1_a.sql", "SELECT 1;");
      tree.write("20240101000000_a/migration.sql", "SELECT 1;");
      const auto odd = tree.path() / "2_b.sql";
      c.make(odd);
      const auto error = error_of([&] { discover_dir(tree.path(), format); });
      EXPECT_EQ(odd.generic_string() + ": " + c.message +
                    " | remove it, or make it a regular migration file: pgdrift does not skip what it cannot read",
                error)
          << c.what;
    }
  }
  // An editor's lock link (hidden) is no migration and no error.
  TempTree tree;
  tree.write("1_a.sql", "SELECT 1;");
  std::filesystem::create_symlink("user@host.1234", tree.path() / ".#1_a.sql");
  EXPECT_EQ(1u, discover_dir(tree.path()).migrations.size());
}

}  // namespace
}  // namespace pgdrift::migrations
