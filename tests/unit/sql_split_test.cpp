#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sql {
namespace {

std::string position(std::string_view text, std::size_t offset) {
  const util::LineCol at = util::line_col(text, offset);
  return std::to_string(at.line) + ":" + std::to_string(at.column);
}

// "[begin,end) line:col Node" per statement, or "[begin,end) line:col ! line:col message".
std::string render(std::string_view text) {
  std::string out;
  for (const Statement& s : split(text)) {
    if (!out.empty()) out += " | ";
    out += "[" + std::to_string(s.begin) + "," + std::to_string(s.end) + ") " +
           position(text, s.begin);
    if (s.parse_error.empty()) {
      out += " " + s.node;
      EXPECT_EQ(0u, s.tree_json.rfind("{\"" + s.node + "\":{", 0)) << s.tree_json;
    } else {
      out += " ! " + position(text, s.parse_error_at) + " " + s.parse_error;
      EXPECT_TRUE(s.node.empty());
      EXPECT_TRUE(s.tree_json.empty());
      EXPECT_GE(s.parse_error_at, s.begin);
      EXPECT_LE(s.parse_error_at, s.end);
    }
  }
  return out;
}

struct Case {
  const char* name;
  std::string text;
  std::string expected;
};

TEST(Split, FindsStatementRanges) {
  const std::vector<Case> cases = {
      {"plain", "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n",
       "[0,22) 1:1 CreateStmt | [24,48) 2:1 InsertStmt"},
      {"comments before, between and after",
       "-- header\n/* block /* nested */ still */\nSELECT 1;\n-- between\nSELECT 2;\n-- end\n",
       "[41,49) 3:1 SelectStmt | [62,70) 5:1 SelectStmt"},
      {"dollar-quoted body with semicolons",
       "CREATE FUNCTION f() RETURNS int AS $$ BEGIN PERFORM 1; RETURN 1; END $$ "
       "LANGUAGE plpgsql;\nSELECT f();",
       "[0,88) 1:1 CreateFunctionStmt | [90,100) 2:1 SelectStmt"},
      {"tagged dollar quote containing $$",
       "DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$;\nSELECT 1;",
       "[0,46) 1:1 DoStmt | [48,56) 2:1 SelectStmt"},
      {"rule with several actions",
       "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); SELECT 3",
       "[0,60) 1:1 RuleStmt | [62,70) 1:63 SelectStmt"},
      {"strings containing ;", "INSERT INTO t VALUES ('a;b');SELECT 'x'';y';",
       "[0,28) 1:1 InsertStmt | [29,43) 1:30 SelectStmt"},
      {"E string with escaped quote", "SELECT E'it\\'s; fine', 'a;''b';SELECT 2",
       "[0,30) 1:1 SelectStmt | [31,39) 1:32 SelectStmt"},
      {"goose annotations",
       "-- +goose Up\n-- +goose StatementBegin\n"
       "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n"
       "-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f();\n",
       "[38,101) 3:1 CreateFunctionStmt | [142,159) 7:1 DropStmt"},
      {"drizzle breakpoints",
       "CREATE TABLE a (id int);\n--> statement-breakpoint\nCREATE TABLE b (id int);",
       "[0,23) 1:1 CreateStmt | [50,73) 3:1 CreateStmt"},
      {"multi-byte identifiers and strings, CRLF",
       "CREATE TABLE caf\u00e9 (nom text DEFAULT '\u00e9t\u00e9;');\r\n"
       "SELECT '\u00fc'; SELECT 2 -- done\r\n",
       "[0,46) 1:1 CreateStmt | [49,60) 2:1 SelectStmt | [62,70) 2:13 SelectStmt"},
      {"last statement without ;", "SELECT 1;\nSELECT 2 -- done\n",
       "[0,8) 1:1 SelectStmt | [10,18) 2:1 SelectStmt"},
      {"CRLF line endings", "SELECT 1;\r\n-- c\r\nSELECT 2;\r\n",
       "[0,8) 1:1 SelectStmt | [17,25) 3:1 SelectStmt"},
      {"stray semicolons", "SELECT 1;;\n;SELECT 2",
       "[0,8) 1:1 SelectStmt | [12,20) 2:2 SelectStmt"},
      {"empty", "", ""},
      {"whitespace only", "  \n\t\r\n", ""},
      {"comments only", "-- only\n/* c /* d */ */\n-- +goose Down\n", ""},
      {"semicolons only", ";;\n;", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.expected, render(c.text));
  }
}

TEST(Split, LocatesStatementsThatDoNotParse) {
  const std::vector<Case> cases = {
      {"error in the second of three",
       "CREATE TABLE a (id int);\nCREATE TABLE b (id int,);\nCREATE TABLE c (id int);\n",
       "[0,23) 1:1 CreateStmt | [25,49) 2:1 ! 2:24 syntax error at or near \")\" | "
       "[51,74) 3:1 CreateStmt"},
      {"error after multi-byte text", "SELECT '\u00e9';\nSELECT '\u00fc' FROM FROM t;\nSELECT 3",
       "[0,11) 1:1 SelectStmt | [13,36) 2:1 ! 2:17 syntax error at or near \"FROM\" | "
       "[38,46) 3:1 SelectStmt"},
      // libpg_query's scanner split drops statements without any keyword.
      {"typo leaves no keyword", "SELECT 1;\nSELEC 2;\nSELECT 3;",
       "[0,8) 1:1 SelectStmt | [10,17) 2:1 ! 2:1 syntax error at or near \"SELEC\" | "
       "[19,27) 3:1 SelectStmt"},
      // …and stops splitting after an unbalanced parenthesis.
      {"unclosed parenthesis", "SELECT (1;\nSELECT 2;\nSELECT 3;",
       "[0,9) 1:1 ! 1:10 syntax error at end of input | [11,19) 2:1 SelectStmt | "
       "[21,29) 3:1 SelectStmt"},
      {"extra parenthesis", "SELECT 1);\nSELECT 2;",
       "[0,9) 1:1 ! 1:9 syntax error at or near \")\" | [11,19) 2:1 SelectStmt"},
      {"unterminated string runs to the end", "SELECT 1;\nSELECT 'oops;\nSELECT 3;\n",
       "[0,8) 1:1 SelectStmt | [10,33) 2:1 ! 2:8 unterminated quoted string at or near "
       "\"'oops;\nSELECT 3;\n\""},
      {"unterminated comment inside a statement", "SELECT 1;\nSELECT 2 /* open\nSELECT 3;\n",
       "[0,8) 1:1 SelectStmt | [10,36) 2:1 ! 2:10 unterminated /* comment at or near "
       "\"/* open\nSELECT 3;\n\""},
      {"unterminated comment alone", "SELECT 1;\n/* open\n",
       "[0,8) 1:1 SelectStmt | [10,17) 2:1 ! 2:1 unterminated /* comment at or near "
       "\"/* open\n\""},
      {"unterminated dollar quote", "SELECT $$ never closed",
       "[0,22) 1:1 ! 1:8 unterminated dollar-quoted string at or near \"$$ never closed\""},
      {"invalid UTF-8", "SELECT 1;\nSELECT '\xff';",
       "[0,8) 1:1 SelectStmt | [10,20) 2:1 ! 2:9 invalid byte sequence for encoding \"UTF8\": "
       "0xff"},
      {"NUL byte", std::string("SELECT 1;\nSELECT 2\0;\nSELECT 3;", 29),
       "[0,8) 1:1 SelectStmt | [10,18) 2:1 SelectStmt | "
       "[18,19) 2:9 ! 2:9 invalid byte sequence for encoding \"UTF8\": 0x00 | "
       "[21,29) 3:1 SelectStmt"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.expected, render(c.text));
  }
}

TEST(Split, TextIsTheStatementWithoutLeadingCommentsOrSemicolon) {
  const std::string text = "-- +goose Up\n/* a */ CREATE TABLE t (a int) /* b */ ;\n\nSELECT 1 --x";
  const std::vector<Statement> statements = split(text);
  ASSERT_EQ(2u, statements.size());
  EXPECT_EQ("CREATE TABLE t (a int)", statements[0].text(text));
  EXPECT_EQ("SELECT 1", statements[1].text(text));
}

// The table's RangeVar location in a statement like "SELECT * FROM <table>".
long long table_location(const Statement& statement) {
  const auto tree = nlohmann::json::parse(statement.tree_json);
  return tree.at("SelectStmt").at("fromClause").at(0).at("RangeVar").at("location");
}

TEST(Split, TreeLocationsAreByteOffsetsIntoTheWholeText) {
  const std::string parses = "SELECT '\u00e9';\n-- c\nSELECT * FROM target";
  std::vector<Statement> statements = split(parses);
  ASSERT_EQ(2u, statements.size());
  EXPECT_EQ(static_cast<long long>(parses.find("target")), table_location(statements[1]));

  // Statements parsed one by one after a syntax error elsewhere get the same offsets.
  const std::string broken = "SELECT '\u00e9' FROM FROM;\n-- c\nSELECT * FROM target";
  statements = split(broken);
  ASSERT_EQ(2u, statements.size());
  EXPECT_FALSE(statements[0].parse_error.empty());
  EXPECT_EQ(static_cast<long long>(broken.find("target")), table_location(statements[1]));
}

}  // namespace
}  // namespace pgdrift::sql
