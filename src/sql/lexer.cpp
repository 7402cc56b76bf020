#include "lexer.hpp"

#include <algorithm>
#include <cctype>

namespace pgdrift::sql::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Postgres treats every byte >= 0x80 as a letter, so multi-byte UTF-8 identifiers lex as one.
bool is_ident_start(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}

bool is_ident_cont(char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }

// End of the comment or whitespace run starting at `pos`, or `pos` when none starts there.
std::size_t skip_one_trivia(std::string_view text, std::size_t pos, std::size_t end) {
  if (is_space(text[pos])) {
    while (pos < end && is_space(text[pos])) ++pos;
    return pos;
  }
  if (pos + 1 < end && text[pos] == '-' && text[pos + 1] == '-') {
    while (pos < end && text[pos] != '\n' && text[pos] != '\r') ++pos;
    return pos;
  }
  if (pos + 1 < end && text[pos] == '/' && text[pos + 1] == '*') {
    int depth = 0;
    while (pos < end) {
      if (pos + 1 < end && text[pos] == '/' && text[pos + 1] == '*') {
        ++depth;
        pos += 2;
      } else if (pos + 1 < end && text[pos] == '*' && text[pos + 1] == '/') {
        pos += 2;
        if (--depth == 0) return pos;
      } else {
        ++pos;
      }
    }
    return end;
  }
  return pos;
}

// End of a quoted token whose opening `quote` is at `pos`; a doubled quote stands for itself and,
// when `backslash_escapes` (E'…'), a backslash escapes the next byte.
std::size_t end_of_quoted(std::string_view text, std::size_t pos, std::size_t end, char quote,
                          bool backslash_escapes) {
  ++pos;
  while (pos < end) {
    if (backslash_escapes && text[pos] == '\\') {
      pos += 2;
    } else if (text[pos] == quote) {
      if (pos + 1 < end && text[pos + 1] == quote) {
        pos += 2;
      } else {
        return pos + 1;
      }
    } else {
      ++pos;
    }
  }
  return end;
}

// The length of a dollar-quote delimiter ($$ or $tag$) at `pos`, or 0 when there is none.
std::size_t dollar_tag_length(std::string_view text, std::size_t pos, std::size_t end) {
  std::size_t i = pos + 1;
  if (i < end && is_ident_start(text[i])) {
    ++i;
    while (i < end && (is_ident_start(text[i]) || is_digit(text[i]))) ++i;
  }
  return i < end && text[i] == '$' ? i + 1 - pos : 0;
}

// End of the token that starts at `pos` (which is not whitespace or a comment).
std::size_t end_of_token(std::string_view text, std::size_t pos, std::size_t end) {
  const char c = text[pos];
  if (c == '\'') return end_of_quoted(text, pos, end, '\'', false);
  if (c == '"') return end_of_quoted(text, pos, end, '"', false);
  if (c == '$') {
    if (pos + 1 < end && is_digit(text[pos + 1])) {  // a parameter, $1
      ++pos;
      while (pos < end && is_digit(text[pos])) ++pos;
      return pos;
    }
    const std::size_t tag_length = dollar_tag_length(text, pos, end);
    if (tag_length == 0) return pos + 1;
    const std::string_view tag = text.substr(pos, tag_length);
    const std::size_t close = text.substr(0, end).find(tag, pos + tag_length);
    return close == std::string_view::npos ? end : close + tag_length;
  }
  if (is_ident_start(c)) {
    if ((c == 'e' || c == 'E') && pos + 1 < end && text[pos + 1] == '\'') {
      return end_of_quoted(text, pos + 1, end, '\'', true);
    }
    ++pos;
    while (pos < end && is_ident_cont(text[pos])) ++pos;
    return pos;
  }
  if (is_digit(c)) {
    while (pos < end && (is_ident_cont(text[pos]) || text[pos] == '.')) ++pos;
    return pos;
  }
  return pos + 1;  // operators and punctuation, one byte at a time
}

}  // namespace

Range next_token(std::string_view text, std::size_t pos, std::size_t end) {
  end = std::min(end, text.size());
  while (pos < end) {
    const std::size_t after = skip_one_trivia(text, pos, end);
    if (after == pos) return {pos, end_of_token(text, pos, end)};
    pos = after;
  }
  return {end, end};
}

std::vector<std::size_t> line_comments(std::string_view text) {
  std::vector<std::size_t> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t after = skip_one_trivia(text, pos, text.size());
    if (after == pos) {
      pos = end_of_token(text, pos, text.size());
      continue;
    }
    if (text[pos] == '-') out.push_back(pos);
    pos = after;
  }
  return out;
}

Range trim_to_tokens(std::string_view text, std::size_t begin, std::size_t end) {
  Range token = next_token(text, begin, end);
  if (token.empty()) return {end, end};
  Range result = token;
  while (!(token = next_token(text, token.end, end)).empty()) result.end = token.end;
  return result;
}

std::vector<Range> split_at_semicolons(std::string_view text, std::size_t begin, std::size_t end) {
  std::vector<Range> statements;
  Range current{end, end};
  for (Range token = next_token(text, begin, end); !token.empty();
       token = next_token(text, token.end, end)) {
    if (text[token.begin] == ';') {
      if (!current.empty()) statements.push_back(current);
      current = {end, end};
    } else if (current.empty()) {
      current = token;
    } else {
      current.end = token.end;
    }
  }
  if (!current.empty()) statements.push_back(current);
  return statements;
}

std::size_t after_last_semicolon(std::string_view text, std::size_t begin, std::size_t end) {
  std::size_t after = begin;
  for (Range token = next_token(text, begin, end); !token.empty();
       token = next_token(text, token.end, end)) {
    if (text[token.begin] == ';') after = token.end;
  }
  return after;
}

namespace {

bool is_operator_char(char c) {
  return std::string_view("+-*/<>=~!@#%^&|`?:").find(c) != std::string_view::npos;
}

bool is_word(std::string_view token) { return !token.empty() && is_ident_start(token[0]); }

bool word_is(std::string_view token, std::string_view keyword) {
  if (token.size() != keyword.size()) return false;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(token[i])) != keyword[i]) return false;
  }
  return true;
}

// Keywords that join two operands into a node holding both: they chain like operators.
bool is_operator_word(std::string_view token) {
  return word_is(token, "COLLATE") || word_is(token, "AT") || word_is(token, "OPERATOR");
}

// Keywords that join two queries or table references, left-associatively (`SELECT … UNION
// SELECT …`, `a JOIN b …`): they chain whatever else the level holds.
bool is_query_chain_word(std::string_view token) {
  return word_is(token, "UNION") || word_is(token, "INTERSECT") || word_is(token, "EXCEPT") ||
         word_is(token, "JOIN");
}

// One bracket level of a statement.
struct Level {
  std::size_t operators = 0;  // chained since the level's last comma or keyword
  std::size_t queries = 0;    // set operations and joins at this level
  std::size_t depth() const { return 1 + operators + queries; }
};

}  // namespace

std::size_t nesting_depth(std::string_view text, std::size_t begin, std::size_t end) {
  std::vector<Level> levels(1);
  std::size_t outer = 0;  // the depth of the levels below the innermost
  std::size_t deepest = 1;
  // The previous token, and whether it was an operator (an operand or a keyword follows one).
  Range previous{begin, begin};
  bool after_operator = false;
  for (Range token = next_token(text, begin, end); !token.empty();
       token = next_token(text, token.end, end)) {
    const std::string_view word = text.substr(token.begin, token.end - token.begin);
    const char c = word[0];
    Level& level = levels.back();
    bool is_operator = false;
    if (c == '(' || c == '[') {
      outer += level.depth();
      levels.emplace_back();
    } else if (c == ')' || c == ']') {
      if (levels.size() > 1) {
        levels.pop_back();
        outer -= levels.back().depth();
      }
    } else if (c == ',') {
      level.operators = 0;
    } else if (c == ';') {
      level = Level{};
    } else if (is_operator_char(c)) {
      is_operator = true;
      // The lexer returns operators a byte at a time: `||`, `->>` and `::` are one operator.
      const bool continues = previous.end == token.begin && !previous.empty() &&
                             is_operator_char(text[previous.begin]);
      if (!continues) ++level.operators;
    } else if (is_word(word)) {
      if (is_operator_word(word)) {
        is_operator = true;
        ++level.operators;
      } else if (is_query_chain_word(word)) {
        ++level.queries;
      } else if (!after_operator && !word_is(word, "TIME") && !word_is(word, "ZONE")) {
        // A word after an operand is a keyword ending the expression (AND, OR, WHEN, THEN,
        // FROM, …); the next operators start a new chain. (TIME ZONE continues AT.)
        level.operators = 0;
      } else if (after_operator) {
        is_operator = word_is(word, "TIME") || word_is(word, "ZONE");
      }
    }
    deepest = std::max(deepest, outer + levels.back().depth());
    after_operator = is_operator;
    previous = token;
  }
  return deepest;
}

}  // namespace pgdrift::sql::detail
