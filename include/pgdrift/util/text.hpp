#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdrift::util {

// A 1-based position in a text. `column` counts Unicode code points (UTF-8), as editors do.
struct LineCol {
  int line = 1;
  int column = 1;
  friend bool operator==(const LineCol& a, const LineCol& b) {
    return a.line == b.line && a.column == b.column;
  }
};

// The line and column of byte `offset` in `text` (offsets past the end clamp to the end).
// The one place byte offsets become line:column; every reporter goes through it.
LineCol line_col(std::string_view text, std::size_t offset);

// line_col() for many offsets into one text: the line starts are found once, so each lookup is
// a binary search plus a scan of one line. Gives exactly what line_col() gives.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  LineCol at(std::size_t offset) const;

 private:
  std::string_view m_text;
  std::vector<std::size_t> m_line_starts;
};

// The byte offset of the 0-based code point index `index` in UTF-8 `text` (clamped to size()).
std::size_t byte_offset_of_char(std::string_view text, std::size_t index);

// The byte offset of the first byte that is not valid UTF-8, or nullopt when the text is valid.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::string to_lower(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Compares strings so that runs of digits compare as numbers ("2" < "10"); ties by plain order.
bool natural_less(std::string_view a, std::string_view b);

// Splits a command line into words like a POSIX shell would for quoting ('…', "…", \x),
// without expansion of any kind. Throws pgdrift::Error (usage) on an unterminated quote.
std::vector<std::string> split_command_line(std::string_view line);

// Reads a whole file. Throws pgdrift::Error (usage) naming the file when it cannot be read.
std::string read_file(const std::string& path);

// "did you mean 'x'?" for the closest option within edit distance 2 (ignoring case), else for
// the first option `word` abbreviates ("warn" → "warning"), else "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& options);

}  // namespace pgdrift::util
