// Placeholder substitution and mapping SQL offsets back to file positions.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "migrations_test_support.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations {
namespace {

using testing::discover_dir;
using testing::TempTree;

const std::map<std::string, std::string> k_vars = {{"schema", "app"}, {"owner", "app_owner"}};

struct SubstituteCase {
  const char* input;
  const char* expected;
};

TEST(Substitute, ReplacesEverySyntaxOnlyForKnownNames) {
  const SubstituteCase cases[] = {
      {"CREATE SCHEMA {{ index .Options \"schema\" }};", "CREATE SCHEMA app;"},
      {"CREATE SCHEMA {{index .Options \"schema\"}};", "CREATE SCHEMA app;"},
      {"CREATE SCHEMA {{ .schema }};", "CREATE SCHEMA app;"},
      {"CREATE SCHEMA {{.schema}};", "CREATE SCHEMA app;"},
      {"CREATE SCHEMA {{schema}};", "CREATE SCHEMA app;"},
      {"CREATE SCHEMA {{ schema }};", "CREATE SCHEMA app;"},
      {"CREATE SCHEMA $%schema%$;", "CREATE SCHEMA app;"},
      {"CREATE SCHEMA ${schema};", "CREATE SCHEMA app;"},
      {"ALTER SCHEMA ${schema} OWNER TO {{ .owner }};", "ALTER SCHEMA app OWNER TO app_owner;"},
      // Unknown names and malformed placeholders stay exactly as written.
      {"SELECT '${other}', '{{ .other }}', '$%other%$';",
       "SELECT '${other}', '{{ .other }}', '$%other%$';"},
      {"SELECT '${schema', '{{ schema }', '{{ index .Options schema }}';",
       "SELECT '${schema', '{{ schema }', '{{ index .Options schema }}';"},
      {"SELECT $$ body $$, $1, '{}';", "SELECT $$ body $$, $1, '{}';"},
      {"${schema}${schema}", "appapp"},
  };
  for (const auto& c : cases) {
    std::vector<Substitution> subs;
    EXPECT_EQ(c.expected, substitute(c.input, k_vars, 0, subs)) << c.input;
  }
}

TEST(Substitute, RecordsWhereEachReplacementCameFrom) {
  std::vector<Substitution> subs;
  //                       0123456789012345678901234567
  const std::string out =
      substitute("ALTER SCHEMA ${schema} OWNER TO {{ .owner }};", k_vars, 100, subs);
  EXPECT_EQ("ALTER SCHEMA app OWNER TO app_owner;", out);
  ASSERT_EQ(2u, subs.size());
  EXPECT_EQ(13u, subs[0].sql_offset);
  EXPECT_EQ(3u, subs[0].replacement_length);
  EXPECT_EQ(113u, subs[0].file_offset);
  EXPECT_EQ(9u, subs[0].length);  // "${schema}"
  EXPECT_EQ(26u, subs[1].sql_offset);
  EXPECT_EQ(9u, subs[1].replacement_length);
  EXPECT_EQ(132u, subs[1].file_offset);
  EXPECT_EQ(12u, subs[1].length);  // "{{ .owner }}"
}

TEST(Substitute, FindsThePlaceholdersLeftWithoutValue) {
  const std::string sql = "CREATE TABLE {{ .Namespace }}.t (a text DEFAULT '${flyway:user}', b int);\nSELECT $1, $$x$$;";
  const auto left = unresolved_placeholders(sql, 0, sql.size());
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].name, "Namespace");
  EXPECT_EQ(sql.substr(left[0].offset, left[0].length), "{{ .Namespace }}");
  EXPECT_EQ(left[1].name, "flyway:user");
  EXPECT_EQ(sql.substr(left[1].offset, left[1].length), "${flyway:user}");
  EXPECT_TRUE(unresolved_placeholders(sql, sql.find("SELECT"), sql.size()).empty());
}

TEST(SourceOffset, MapsAroundAndInsideReplacements) {
  Migration migration;
  migration.up_offset = 10;
  migration.up_sql = substitute("ALTER SCHEMA ${schema} OWNER TO {{ .owner }};", k_vars, 10,
                                migration.substitutions);
  EXPECT_EQ(10u, migration.source_offset(0));   // "ALTER"
  EXPECT_EQ(23u, migration.source_offset(13));  // start of "app" → start of "${schema}"
  EXPECT_EQ(23u, migration.source_offset(15));  // inside "app" → placeholder start
  EXPECT_EQ(33u, migration.source_offset(17));  // "OWNER" after the shorter value
  EXPECT_EQ(42u, migration.source_offset(26));  // "app_owner" → "{{ .owner }}"
  EXPECT_EQ(54u, migration.source_offset(35));  // ";" after both
  Migration plain;
  plain.up_offset = 7;
  EXPECT_EQ(12u, plain.source_offset(5));
}

// A replacement longer or shorter than its placeholder must not shift the reported column of a
// later token on the same line.
TEST(SourceOffset, LineColumnStaysRightAfterSubstitutionOnTheSameLine) {
  TempTree tree;
  tree.write("20240101000000_users.sql",
             "-- migrate:up\n"
             "CREATE TABLE users (id int);\n"
             "CREATE TABLE ${schema}.t (a int REFERENCES {{ .schema }}.nope (id));\n");
  for (const std::string value : {"x", "a_much_longer_schema_name"}) {
    SCOPED_TRACE(value);
    const Discovery found = discover_dir(tree.path(), Format::automatic, {{"schema", value}});
    ASSERT_EQ(Format::dbmate, found.format);
    const Migration& migration = found.migrations.at(0);
    EXPECT_NE(std::string::npos,
              migration.up_sql.find("CREATE TABLE " + value + ".t (a int REFERENCES " + value +
                                    ".nope (id));"));
    // "nope" is at 3:58 in the file, whatever the length of the substituted value.
    const std::size_t nope = migration.up_sql.find("nope");
    EXPECT_EQ((util::LineCol{3, 58}),
              util::line_col(migration.source, migration.source_offset(nope)));
    // An error inside a substituted value points at its placeholder (3:14, "${schema}").
    const std::size_t in_value = migration.up_sql.find(value + ".t") + value.size() - 1;
    EXPECT_EQ((util::LineCol{3, 14}),
              util::line_col(migration.source, migration.source_offset(in_value)));
    // The checksum is of the file as written, whatever the variables.
    EXPECT_EQ(discover_dir(tree.path()).migrations.at(0).checksum, migration.checksum);
  }
}

TEST(Substitute, NoVariablesMeansTheFileIsUsedAsWritten) {
  TempTree tree;
  tree.write("1_a.sql", "CREATE SCHEMA ${schema};\n");
  const Migration migration = discover_dir(tree.path()).migrations.at(0);
  EXPECT_EQ("CREATE SCHEMA ${schema};\n", migration.up_sql);
  EXPECT_TRUE(migration.substitutions.empty());
}

TEST(Substitute, AppliesToDownSqlToo) {
  TempTree tree;
  tree.write("1_a.up.sql", "CREATE SCHEMA ${schema};\n");
  tree.write("1_a.down.sql", "DROP SCHEMA ${schema};\n");
  const Migration migration = discover_dir(tree.path(), Format::automatic, k_vars).migrations.at(0);
  EXPECT_EQ("CREATE SCHEMA app;\n", migration.up_sql);
  EXPECT_EQ("DROP SCHEMA app;\n", migration.down_sql.value_or(""));
}

}  // namespace
}  // namespace pgdrift::migrations
