#include <pg_query.h>
#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "json_tree.hpp"
#include "lexer.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sql {
namespace {

using detail::Range;
using detail::TreeJson;

// Owns a libpg_query result and frees it with `Free`.
template <typename Result, void (*Free)(Result)>
class Owned {
 public:
  explicit Owned(Result result) : m_result(result) {}
  ~Owned() { Free(m_result); }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  const Result& operator*() const { return m_result; }
  const Result* operator->() const { return &m_result; }

 private:
  Result m_result;
};

using ParseResult = Owned<PgQueryParseResult, pg_query_free_parse_result>;
using SplitResult = Owned<PgQuerySplitResult, pg_query_free_split_result>;

// How deeply a statement may nest (lexer::nesting_depth): far beyond what people write, and
// generated statements (long VALUES lists, CASE arms, IN lists) stay flat; much deeper nesting
// would overflow the parser's recursion and ours.
constexpr std::size_t k_max_nesting = 1000;

// The parser recurses once or more per nesting level; it runs on a thread with this much stack
// (reserved address space, used only as deep as a statement goes).
constexpr std::size_t k_parser_stack_bytes = std::size_t{256} << 20;

// pg_query_parse(input) on a thread with k_parser_stack_bytes of stack (on this thread when no
// such thread can be started: the nesting limit keeps the parse shallow enough for it too).
PgQueryParseResult parse_with_large_stack(const std::string& input) {
  struct Job {
    const std::string* input;
    PgQueryParseResult result;
  } job{&input, {}};
  const auto run = [](void* arg) -> void* {
    auto* running = static_cast<Job*>(arg);
    running->result = pg_query_parse(running->input->c_str());
    return nullptr;
  };
  pthread_attr_t attributes;
  pthread_t thread;
  bool started = false;
  if (pthread_attr_init(&attributes) == 0) {
    started = pthread_attr_setstacksize(&attributes, k_parser_stack_bytes) == 0 &&
              pthread_create(&thread, &attributes, run, &job) == 0;
    pthread_attr_destroy(&attributes);
  }
  if (started) {
    pthread_join(thread, nullptr);
  } else {
    run(&job);
  }
  return job.result;
}

// Postgres rejects these bytes before parsing (libpg_query would stop at a NUL or pass invalid
// UTF-8 through to its JSON); reports the first one with the server's wording.
std::optional<std::pair<std::string, std::size_t>> invalid_byte(std::string_view piece) {
  std::optional<std::size_t> at = util::find_invalid_utf8(piece);
  const std::size_t nul = piece.find('\0');
  if (nul != std::string_view::npos && (!at || nul < *at)) at = nul;
  if (!at) return std::nullopt;
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(piece[*at]));
  return std::make_pair(std::string("invalid byte sequence for encoding \"UTF8\": ") + hex, *at);
}

// The statements of one range of the text, or why it does not parse.
struct ParsedRange {
  std::vector<Statement> statements;
  std::string error;         // empty when the range parsed
  std::size_t error_at = 0;  // byte offset into the whole text
};

ParsedRange parse_range(std::string_view text, Range range) {
  ParsedRange parsed;
  const std::string_view piece = text.substr(range.begin, range.end - range.begin);
  if (auto bad = invalid_byte(piece)) {
    parsed.error = std::move(bad->first);
    parsed.error_at = range.begin + bad->second;
    return parsed;
  }
  if (const std::size_t depth = detail::nesting_depth(text, range.begin, range.end);
      depth > k_max_nesting) {
    parsed.error = "statement nests " + std::to_string(depth) +
                   " levels deep; pgdrift parses at most " + std::to_string(k_max_nesting) +
                   " levels (brackets, chained operators, UNIONs and JOINs): split the expression "
                   "or the statement";
    parsed.error_at = detail::next_token(text, range.begin, range.end).begin;
    return parsed;
  }
  // libpg_query's JSON omits a location of 0; the leading space keeps every real location >= 1,
  // so none is lost when they are shifted to offsets into the whole text.
  std::string input = " ";
  input.append(piece);
  const ParseResult result{parse_with_large_stack(input)};
  if (result->error != nullptr) {
    parsed.error = result->error->message != nullptr ? result->error->message : "syntax error";
    // cursorpos is 1-based and counts characters of `input`; 0 means no position.
    const int cursor = result->error->cursorpos;
    const std::size_t offset =
        cursor >= 2 ? util::byte_offset_of_char(piece, static_cast<std::size_t>(cursor - 2)) : 0;
    parsed.error_at = range.begin + std::min(offset, piece.size());
    return parsed;
  }
  const auto origin = static_cast<std::int64_t>(range.begin) - 1;  // text offset of input[0]
  TreeJson tree;
  const detail::TreeRead read =
      detail::read_tree(result->parse_tree, origin, detail::k_max_tree_depth, tree);
  if (read == detail::TreeRead::too_deep) {
    parsed.error = "statement's parse tree nests more than " +
                   std::to_string(detail::k_max_tree_depth) +
                   " levels deep, more than pgdrift reads: split the statement";
    parsed.error_at = detail::next_token(text, range.begin, range.end).begin;
    return parsed;
  }
  if (read != detail::TreeRead::ok || !tree.is_object()) {
    parsed.error = "libpg_query returned an unreadable parse tree";
    parsed.error_at = range.begin;
    return parsed;
  }
  const auto stmts = tree.find("stmts");
  if (stmts == tree.end() || !stmts->is_array()) return parsed;
  const auto to_text = [&](std::int64_t input_offset) {
    return static_cast<std::size_t>(std::clamp<std::int64_t>(origin + input_offset,
                                                             static_cast<std::int64_t>(range.begin),
                                                             static_cast<std::int64_t>(range.end)));
  };
  for (TreeJson& raw : *stmts) {
    const auto location = raw.value("stmt_location", std::int64_t{0});
    const auto length = raw.value("stmt_len", std::int64_t{0});  // 0: to the end of input
    const Range bounds = detail::trim_to_tokens(
        text, to_text(location), length == 0 ? range.end : to_text(location + length));
    const auto stmt = raw.find("stmt");
    if (bounds.empty() || stmt == raw.end()) continue;
    Statement statement;
    statement.begin = bounds.begin;
    statement.end = bounds.end;
    if (stmt->is_object() && !stmt->empty()) statement.node = stmt->begin().key();
    statement.tree_json = stmt->dump(-1, ' ', false, TreeJson::error_handler_t::replace);
    parsed.statements.push_back(std::move(statement));
  }
  return parsed;
}

// Statement ranges of a text the parser rejects: libpg_query's scanner split, plus our own split
// of whatever it leaves uncovered (it drops statements without any keyword, e.g. "SELEC 1", and
// stops splitting after an unbalanced parenthesis).
std::vector<Range> scanner_ranges(std::string_view text, const PgQuerySplitResult& scanned) {
  std::vector<Range> ranges;
  const auto append_split = [&](std::size_t begin, std::size_t end) {
    for (const Range& range : detail::split_at_semicolons(text, begin, end)) {
      ranges.push_back(range);
    }
  };
  std::size_t covered = 0;
  for (int i = 0; i < scanned.n_stmts; ++i) {
    const PgQuerySplitStmt* stmt = scanned.stmts[i];
    const auto begin =
        std::min(static_cast<std::size_t>(std::max(stmt->stmt_location, 0)), text.size());
    const auto end =
        std::min(begin + static_cast<std::size_t>(std::max(stmt->stmt_len, 0)), text.size());
    if (begin < covered) continue;
    append_split(covered, begin);
    const Range range = detail::trim_to_tokens(text, begin, end);
    if (!range.empty()) ranges.push_back(range);
    covered = end;
  }
  append_split(covered, text.size());
  return ranges;
}

Statement unparsable(Range range, std::string error, std::size_t error_at) {
  Statement statement;
  statement.begin = range.begin;
  statement.end = range.end;
  statement.parse_error = std::move(error);
  statement.parse_error_at = error_at;
  return statement;
}

}  // namespace

std::vector<Statement> split(std::string_view text) {
  ParsedRange whole = parse_range(text, {0, text.size()});
  if (whole.error.empty()) return std::move(whole.statements);

  const std::string input(text);
  const SplitResult scanned{pg_query_split_with_scanner(input.c_str())};
  std::vector<Range> ranges;
  std::optional<Statement> unscannable;
  if (scanned->error == nullptr) {
    ranges = scanner_ranges(text, *scanned);
  } else {
    // An unterminated string or comment: the statements before the one it is in still split;
    // that one runs to the end of the text and carries the scanner's error.
    const int cursor = scanned->error->cursorpos;
    const std::size_t error_at =
        cursor >= 1 ? util::byte_offset_of_char(text, static_cast<std::size_t>(cursor - 1)) : 0;
    const std::size_t rest = detail::after_last_semicolon(text, 0, error_at);
    ranges = detail::split_at_semicolons(text, 0, rest);
    const Range first_token = detail::next_token(text, rest, error_at);
    Range tail{first_token.empty() ? error_at : first_token.begin, text.size()};
    while (tail.end > tail.begin + 1 &&
           std::isspace(static_cast<unsigned char>(text[tail.end - 1]))) {
      --tail.end;
    }
    const char* message = scanned->error->message;
    unscannable = unparsable(tail, message != nullptr ? message : "syntax error", error_at);
  }

  std::vector<Statement> statements;
  for (const Range& range : ranges) {
    ParsedRange parsed = parse_range(text, range);
    if (parsed.error.empty()) {
      for (Statement& statement : parsed.statements) statements.push_back(std::move(statement));
    } else {
      statements.push_back(unparsable(range, std::move(parsed.error), parsed.error_at));
    }
  }
  if (unscannable) statements.push_back(std::move(*unscannable));
  return statements;
}

std::vector<std::size_t> line_comments(std::string_view text) { return detail::line_comments(text); }

namespace {

void blank(std::string& text, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end && i < text.size(); ++i) {
    if (text[i] != '\n') text[i] = ' ';
  }
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Whether the statement text[begin, end) is `COPY … FROM STDIN`: its data follows in the script.
bool copy_from_stdin(std::string_view text, std::size_t begin, std::size_t end) {
  std::vector<std::string> tokens;
  for (auto pos = begin;;) {
    const auto token = detail::next_token(text, pos, end);
    if (token.empty()) break;
    tokens.push_back(upper(text.substr(token.begin, token.end - token.begin)));
    pos = token.end;
  }
  if (tokens.empty() || tokens.front() != "COPY") return false;
  for (std::size_t i = 1; i + 1 < tokens.size(); ++i) {
    if (tokens[i] == "FROM" && (tokens[i + 1] == "STDIN" || tokens[i + 1] == "PSTDIN")) return true;
  }
  return false;
}

// The offset just past the line holding `\.` at or after `from`, or the text's end.
std::size_t end_of_copy_data(std::string_view text, std::size_t from) {
  std::size_t line = from;
  while (line < text.size()) {
    const auto newline = text.find('\n', line);
    const auto end = newline == std::string_view::npos ? text.size() : newline;
    auto content = text.substr(line, end - line);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    if (content == "\\.") return newline == std::string_view::npos ? text.size() : newline + 1;
    line = end + 1;
  }
  return text.size();
}

}  // namespace

std::string blank_psql_commands(std::string_view text, std::vector<MetaCommand>& unsupported) {
  // Meta-commands that only set psql up, or print: nothing to load.
  static const std::set<std::string> k_harmless = {
      "restrict", "unrestrict", "set", "unset", "echo", "qecho", "warn", "encoding", "pset", "timing",
      "o", "out", "conninfo", "q", "quit", "copy", "."};
  std::string out(text);
  std::size_t pos = 0;
  std::size_t statement = std::string_view::npos;  // where the current statement began
  while (true) {
    const auto token = detail::next_token(text, pos, text.size());
    if (token.empty()) break;
    if (text[token.begin] == '\\') {
      const auto newline = text.find('\n', token.begin);
      const auto line_end = newline == std::string_view::npos ? text.size() : newline;
      std::size_t name_end = token.begin + 1;
      while (name_end < line_end && !std::isspace(static_cast<unsigned char>(text[name_end]))) ++name_end;
      const std::string name(text.substr(token.begin + 1, name_end - token.begin - 1));
      if (k_harmless.count(name) == 0) unsupported.push_back({token.begin, name});
      blank(out, token.begin, line_end);
      pos = line_end;
      continue;
    }
    if (statement == std::string_view::npos) statement = token.begin;
    pos = token.end;
    if (text.substr(token.begin, token.end - token.begin) != ";") continue;
    if (copy_from_stdin(text, statement, token.begin)) {
      // The data starts on the line after the statement and ends with a line holding `\.`.
      const auto newline = text.find('\n', token.end);
      const auto data = newline == std::string_view::npos ? text.size() : newline + 1;
      const auto end = end_of_copy_data(text, data);
      blank(out, statement, end);
      pos = end;
    }
    statement = std::string_view::npos;
  }
  return out;
}

bool same_tokens(std::string_view a, std::string_view b) {
  std::size_t pa = 0, pb = 0;
  while (true) {
    const auto ta = detail::next_token(a, pa, a.size());
    const auto tb = detail::next_token(b, pb, b.size());
    if (ta.empty() || tb.empty()) return ta.empty() && tb.empty();
    if (a.substr(ta.begin, ta.end - ta.begin) != b.substr(tb.begin, tb.end - tb.begin)) return false;
    pa = ta.end;
    pb = tb.end;
  }
}

}  // namespace pgdrift::sql
