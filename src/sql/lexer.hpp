#pragma once

// Private to the sql module: a minimal SQL lexer that knows just enough (whitespace, `--` and
// nested `/* */` comments, '…', E'…', "…" and $tag$…$tag$ quoting) to find token boundaries and
// top-level semicolons. libpg_query stays the authority; this only trims ranges and splits text
// the libpg_query scanner cannot split.

#include <cstddef>
#include <string_view>
#include <vector>

namespace pgdrift::sql::detail {

// A byte range [begin, end) of a text.
struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool empty() const { return begin >= end; }
};

// The first token at or after `pos` within text[pos, end), whitespace and comments skipped; an
// empty range at `end` when only whitespace and comments remain. An unterminated string, quoted
// identifier or comment runs to `end`.
Range next_token(std::string_view text, std::size_t pos, std::size_t end);

// The byte offsets of every `--` comment in `text` (none inside strings, quoted identifiers,
// dollar-quoted bodies or block comments).
std::vector<std::size_t> line_comments(std::string_view text);

// text[begin, end) narrowed to [start of its first token, end of its last token); empty when it
// holds only whitespace and comments.
Range trim_to_tokens(std::string_view text, std::size_t begin, std::size_t end);

// The non-empty statements of text[begin, end), split at every ';' token (parentheses are not
// tracked), each trimmed to its tokens.
std::vector<Range> split_at_semicolons(std::string_view text, std::size_t begin, std::size_t end);

// An upper estimate of how deeply the parse tree of the statement text[begin, end) nests, in
// levels: per open bracket, 1 plus the operators chained at that level since its last comma or
// keyword (`a + b + c` nests 3 deep: left-associative operators nest without bound), plus the
// set operations and joins chained at it. What libpg_query's recursion would have to go through.
std::size_t nesting_depth(std::string_view text, std::size_t begin, std::size_t end);

// One past the last ';' token in text[begin, end), or `begin` when there is none.
std::size_t after_last_semicolon(std::string_view text, std::size_t begin, std::size_t end);

}  // namespace pgdrift::sql::detail
