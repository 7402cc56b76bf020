// Hostile nesting: statements too deep for the parser become parse errors naming the limit,
// never a crash; large but flat statements (generated VALUES lists, long CASEs) still parse.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pgdrift/sql/statement.hpp"
#include "pgdrift/sql/tree.hpp"

namespace pgdrift::sql {
namespace {

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// `term` followed by `times - 1` copies of `separator` + `term`.
std::string chain(std::string_view term, std::string_view separator, std::size_t times) {
  std::string out(term);
  for (std::size_t i = 1; i < times; ++i) (out += separator) += term;
  return out;
}

std::size_t count_nodes(const Node& tree, std::string_view type) {
  std::size_t n = 0;
  tree.walk([&](const Node& node) { n += node.is(type) ? 1 : 0; });
  return n;
}

struct TooDeep {
  const char* name;
  std::string sql;
  std::string message;  // expected at the start of the parse error
};

TEST(SqlLimits, TooDeepStatementsAreParseErrorsNamingTheLimit) {
  const std::vector<TooDeep> cases = {
      {"70,000-term chain", "SELECT " + chain("1", "+", 70000),
       "statement nests 70000 levels deep; pgdrift parses at most 1000 levels"},
      {"4,000-term chain", "SELECT " + chain("1", "+", 4000),
       "statement nests 4000 levels deep; pgdrift parses at most 1000 levels"},
      {"string concatenation", "SELECT " + chain("'a'", " || ", 70000),
       "statement nests 70000 levels deep"},
      {"casts", "SELECT 1" + repeat("::int", 5000), "statement nests 5001 levels deep"},
      {"parentheses", "SELECT " + repeat("(", 70000) + "1" + repeat(")", 70000),
       "statement nests 70001 levels deep"},
      {"arrays", "SELECT " + repeat("ARRAY[", 20000) + "1" + repeat("]", 20000),
       "statement nests 20001 levels deep"},
      {"subqueries", "SELECT " + repeat("(SELECT ", 20000) + "1" + repeat(")", 20000),
       "statement nests 20001 levels deep"},
      {"unions", chain("SELECT 1", " UNION ALL ", 5000), "statement nests 5000 levels deep"},
      {"joins", "SELECT 1 FROM t0" + repeat(" JOIN t ON true", 5000),
       "statement nests 5001 levels deep"},
      {"AT TIME ZONE", "SELECT now()" + repeat(" AT TIME ZONE 'UTC'", 5000),
       "statement nests 5001 levels deep"},
      {"OPERATOR()", "SELECT " + chain("1", " OPERATOR(pg_catalog.+) ", 5000),
       "statement nests 5002 levels deep"},
  };
  for (const auto& c : cases) {
    const std::string text = "SELECT 1;\n\n" + c.sql + ";\nSELECT 2;\n";
    const auto statements = split(text);
    ASSERT_EQ(statements.size(), 3u) << c.name;
    EXPECT_EQ(statements[0].node, "SelectStmt") << c.name;
    EXPECT_EQ(statements[2].node, "SelectStmt") << c.name;
    const Statement& deep = statements[1];
    EXPECT_EQ(deep.begin, 11u) << c.name;
    EXPECT_EQ(deep.end, 11 + c.sql.size()) << c.name;
    EXPECT_EQ(deep.parse_error.rfind(c.message, 0), 0u) << c.name << ": " << deep.parse_error;
    EXPECT_NE(deep.parse_error.find("split the expression"), std::string::npos) << deep.parse_error;
    EXPECT_EQ(deep.parse_error_at, 11u) << c.name;
    EXPECT_TRUE(deep.tree_json.empty()) << c.name;
  }
}

// Prefix chains and nested CASEs nest without chaining operators; their parse tree's depth is the
// limit that catches them.
TEST(SqlLimits, TooDeepParseTreesAreParseErrors) {
  const std::vector<std::string> cases = {
      "SELECT " + repeat("NOT ", 3000) + "true",
      "SELECT " + repeat("CASE WHEN a THEN ", 1200) + "1" + repeat(" END", 1200),
  };
  for (const auto& sql : cases) {
    const auto statements = split("SELECT 1;\n" + sql + ";\n");
    ASSERT_EQ(statements.size(), 2u) << sql.substr(0, 40);
    EXPECT_EQ(statements[0].node, "SelectStmt");
    EXPECT_EQ(statements[1].parse_error,
              "statement's parse tree nests more than 5000 levels deep, more than pgdrift reads: "
              "split the statement")
        << sql.substr(0, 40);
    EXPECT_EQ(statements[1].parse_error_at, 10u);
  }
}

TEST(SqlLimits, NestingWithinTheLimitParses) {
  const std::string text = "SELECT " + chain("x", " + ", 999) + " FROM t";
  const auto statements = split(text);
  ASSERT_EQ(statements.size(), 1u);
  ASSERT_EQ(statements[0].parse_error, "");
  const Node tree = parse_tree(statements[0]);
  EXPECT_EQ(count_nodes(tree, "A_Expr"), 998u);
  EXPECT_EQ(tree.first_location(), 7u);

  const std::string nested =
      "SELECT " + repeat("coalesce((SELECT ", 200) + "1" + repeat("), 0)", 200);
  const auto nested_statements = split(nested);
  ASSERT_EQ(nested_statements.size(), 1u);
  ASSERT_EQ(nested_statements[0].parse_error, "");
  EXPECT_EQ(count_nodes(parse_tree(nested_statements[0]), "SubLink"), 200u);
}

TEST(SqlLimits, LargeFlatStatementsParse) {
  std::string values = "INSERT INTO public.events (id, kind, amount) VALUES\n";
  for (int i = 0; i < 10000; ++i) {
    values += (i == 0 ? "(" : ",\n(") + std::to_string(i) + ", 'kind-" + std::to_string(i % 7) +
              "'::text, -" + std::to_string(i) + ".50)";
  }
  std::string case_arms = "UPDATE t SET label = CASE code";
  for (int i = 0; i < 1000; ++i) {
    case_arms += " WHEN " + std::to_string(i) + " THEN 'label " + std::to_string(i) + "' || suffix";
  }
  case_arms += " ELSE NULL END WHERE code >= 0 AND code < 1000";
  std::string searched_case = "SELECT CASE";
  for (int i = 0; i < 1000; ++i) {
    searched_case += " WHEN a = " + std::to_string(i) + " AND b + 1 > " + std::to_string(i) +
                     " THEN " + std::to_string(i);
  }
  searched_case += " END FROM t";
  std::string in_list = "DELETE FROM t WHERE id IN (" + chain("1", ", ", 20000) + ")";
  const std::string where = "SELECT * FROM t WHERE " + chain("a + 1 = b - 2", " AND ", 2000) +
                            " OR " + chain("c || 'x' = d", " OR ", 2000);
  const std::string pg_dump =
      "CREATE TABLE public.orders (\n"
      "    id bigint NOT NULL,\n"
      "    customer_id bigint NOT NULL,\n"
      "    total numeric(12,2) DEFAULT 0 NOT NULL,\n"
      "    status text DEFAULT 'new'::text NOT NULL,\n"
      "    created_at timestamp with time zone DEFAULT now() NOT NULL,\n"
      "    CONSTRAINT orders_status_check CHECK ((status = ANY (ARRAY['new'::text, "
      "'paid'::text, 'shipped'::text, 'cancelled'::text]))),\n"
      "    CONSTRAINT orders_total_check CHECK (((total >= (0)::numeric) AND (total < "
      "(1000000)::numeric)))\n"
      ")";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {values, "InsertStmt"},
      {case_arms, "UpdateStmt"},
      {searched_case, "SelectStmt"},
      {in_list, "DeleteStmt"},
      {where, "SelectStmt"},
      {pg_dump, "CreateStmt"},
      {chain("SELECT 1", " UNION ALL ", 500), "SelectStmt"},
  };
  for (const auto& [sql, node] : cases) {
    const auto statements = split(sql + ";\n");
    ASSERT_EQ(statements.size(), 1u) << sql.substr(0, 80);
    EXPECT_EQ(statements[0].parse_error, "") << sql.substr(0, 80);
    EXPECT_EQ(statements[0].node, node) << sql.substr(0, 80);
    EXPECT_EQ(parse_tree(statements[0]).type(), node) << sql.substr(0, 80);
  }
}

}  // namespace
}  // namespace pgdrift::sql
