#include <gtest/gtest.h>

#include "pgdrift/sql/tree.hpp"

namespace pgdrift::sql {
namespace {

Node tree_of(const std::string& sql) {
  const auto statements = split(sql);
  EXPECT_EQ(statements.size(), 1u) << sql;
  return statements.empty() ? Node{} : parse_tree(statements.front());
}

TEST(SqlTree, ReadsFieldsThroughWrappersWithDefaults) {
  const auto tree = tree_of("ALTER TABLE app.users ADD COLUMN email varchar(320) NOT NULL");
  EXPECT_EQ(tree.type(), "AlterTableStmt");
  EXPECT_EQ(relation_name(tree["relation"]), "app.users");
  EXPECT_EQ(tree["relation"].location(), 12u);
  const auto cmds = tree["cmds"].items();
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_TRUE(cmds[0].is("AlterTableCmd"));
  EXPECT_EQ(cmds[0]["subtype"].str(), "AT_AddColumn");
  EXPECT_FALSE(cmds[0]["missing_ok"].boolean());  // omitted by libpg_query: false
  const auto column = cmds[0]["def"];
  EXPECT_EQ(column["colname"].str(), "email");
  EXPECT_EQ(column.location(), 33u);
  EXPECT_EQ(type_name(column["typeName"]), "varchar(320)");
  EXPECT_EQ(type_base(column["typeName"]), "varchar");
  EXPECT_EQ(type_modifiers(column["typeName"]), (std::vector<long long>{320}));
  EXPECT_TRUE(tree["nonexistent"].is_null());
  EXPECT_EQ(tree["nonexistent"]["deeper"].str("fallback"), "fallback");
}

TEST(SqlTree, LocationsAreOffsetsIntoTheWholeText) {
  const std::string sql = "SELECT 1;\n\nDROP TABLE a.b, c";
  const auto statements = split(sql);
  ASSERT_EQ(statements.size(), 2u);
  const auto tree = parse_tree(statements[1]);
  const auto objects = tree["objects"].items();
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(strings(objects[0]), (std::vector<std::string>{"a", "b"}));  // {"List": {"items": …}}
  EXPECT_EQ(strings(objects[1]), (std::vector<std::string>{"c"}));
  EXPECT_EQ(tree.first_location(), std::nullopt);  // DropStmt keeps no locations
  const auto select = parse_tree(statements[0]);
  EXPECT_EQ(select.first_location(), 7u);
}

TEST(SqlTree, IntegersIncludingZeroAndArrays) {
  const auto tree = tree_of("CREATE TABLE t (a numeric(10, 0), b int[], c int DEFAULT 0)");
  const auto elements = tree["tableElts"].items();
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_EQ(type_name(elements[0]["typeName"]), "numeric(10,0)");
  EXPECT_EQ(type_name(elements[1]["typeName"]), "int4[]");
  const auto default_value = elements[2]["constraints"].items().at(0)["raw_expr"];
  EXPECT_EQ(default_value.integer(-1), 0);
}

TEST(SqlTree, WalkVisitsEveryWrappedNode) {
  const auto tree = tree_of("SELECT lower(name) FROM users WHERE id = 1");
  std::vector<std::string> types;
  tree.walk([&](const Node& node) { types.push_back(node.type()); });
  EXPECT_EQ(types.front(), "SelectStmt");
  EXPECT_NE(std::find(types.begin(), types.end(), "FuncCall"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "A_Expr"), types.end());
}

TEST(SqlLineComments, SkipsStringsQuotedIdentifiersBodiesAndBlockComments) {
  const std::string text =
      "-- one\n"                           // 0
      "SELECT '-- no', \"-- no\", $$ -- no $$ /* -- no */; -- two\r\n"
      "x -- three";
  const auto at = line_comments(text);
  ASSERT_EQ(at.size(), 3u);
  EXPECT_EQ(at[0], 0u);
  EXPECT_EQ(text.substr(at[1], 6), "-- two");
  EXPECT_EQ(text.substr(at[2]), "-- three");
}

TEST(SqlTree, UnparsableStatementsHaveNoTree) {
  const auto statements = split("SELEC 1");
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_TRUE(parse_tree(statements[0]).is_null());
  EXPECT_EQ(parse_tree(statements[0]).type(), "");
}

}  // namespace
}  // namespace pgdrift::sql
