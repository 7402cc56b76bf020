// Placeholder substitution in migration SQL, and mapping offsets back to the file.

#include <algorithm>
#include <optional>

#include "pgdrift/migrations/migration.hpp"

namespace pgdrift::migrations {
namespace {

// A placeholder at some position: `length` bytes naming `name`.
struct Placeholder {
  std::size_t length = 0;
  std::string_view name;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_identifier(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::size_t skip_blanks(std::string_view s, std::size_t p) {
  while (p < s.size() && is_blank(s[p])) ++p;
  return p;
}

bool at(std::string_view s, std::size_t p, std::string_view what) {
  return s.substr(p, what.size()) == what;
}

// `{{ index .Options "NAME" }}` starting at `begin`.
std::optional<Placeholder> match_index_options(std::string_view s, std::size_t begin) {
  std::size_t p = skip_blanks(s, begin + 2);
  if (!at(s, p, "index")) return std::nullopt;
  std::size_t q = skip_blanks(s, p + 5);
  if (q == p + 5 || !at(s, q, ".Options")) return std::nullopt;
  p = skip_blanks(s, q + 8);
  if (p == q + 8 || p >= s.size() || s[p] != '"') return std::nullopt;
  const std::size_t name_begin = p + 1;
  const std::size_t name_end = s.find('"', name_begin);
  if (name_end == std::string_view::npos || name_end == name_begin) return std::nullopt;
  const std::string_view name = s.substr(name_begin, name_end - name_begin);
  if (name.find('\n') != std::string_view::npos) return std::nullopt;
  p = skip_blanks(s, name_end + 1);
  if (!at(s, p, "}}")) return std::nullopt;
  return Placeholder{p + 2 - begin, name};
}

// `{{ .NAME }}` or `{{NAME}}` starting at `begin`.
std::optional<Placeholder> match_braces(std::string_view s, std::size_t begin) {
  std::size_t p = skip_blanks(s, begin + 2);
  if (p < s.size() && s[p] == '.') ++p;
  const std::size_t name_begin = p;
  while (p < s.size() && is_identifier(s[p])) ++p;
  if (p == name_begin) return std::nullopt;
  const std::string_view name = s.substr(name_begin, p - name_begin);
  p = skip_blanks(s, p);
  if (!at(s, p, "}}")) return std::nullopt;
  return Placeholder{p + 2 - begin, name};
}

// `open NAME close` starting at `begin`; NAME has no whitespace.
std::optional<Placeholder> match_delimited(std::string_view s, std::size_t begin,
                                           std::string_view open, std::string_view close) {
  const std::size_t name_begin = begin + open.size();
  std::size_t p = name_begin;
  while (p < s.size() && !at(s, p, close)) {
    const char c = s[p];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '$')
      return std::nullopt;
    ++p;
  }
  if (p >= s.size() || p == name_begin) return std::nullopt;
  return Placeholder{p + close.size() - begin, s.substr(name_begin, p - name_begin)};
}

std::optional<Placeholder> match_at(std::string_view s, std::size_t i) {
  if (at(s, i, "{{")) {
    if (auto found = match_index_options(s, i)) return found;
    return match_braces(s, i);
  }
  if (at(s, i, "${")) return match_delimited(s, i, "${", "}");
  if (at(s, i, "$%")) return match_delimited(s, i, "$%", "%$");
  return std::nullopt;
}

}  // namespace

std::string substitute(std::string_view sql, const std::map<std::string, std::string>& vars,
                       std::size_t base_offset, std::vector<Substitution>& out) {
  std::string result;
  result.reserve(sql.size());
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '{' || c == '$') {
      if (const auto placeholder = match_at(sql, i)) {
        const auto var = vars.find(std::string(placeholder->name));
        if (var != vars.end()) {
          out.push_back({result.size(), var->second.size(), base_offset + i, placeholder->length});
          result += var->second;
          i += placeholder->length;
          continue;
        }
      }
    }
    result += c;
    ++i;
  }
  return result;
}

std::vector<UnresolvedPlaceholder> unresolved_placeholders(std::string_view text, std::size_t begin,
                                                           std::size_t end) {
  std::vector<UnresolvedPlaceholder> out;
  const std::string_view scanned = text.substr(0, std::min(end, text.size()));
  for (std::size_t i = begin; i < scanned.size(); ++i) {
    if (scanned[i] != '{' && scanned[i] != '$') continue;
    if (const auto placeholder = match_at(scanned, i)) {
      out.push_back({i, placeholder->length, std::string(placeholder->name)});
      i += placeholder->length - 1;
    }
  }
  return out;
}

std::size_t Migration::source_offset(std::size_t sql_offset) const {
  // Walk the replacements before `sql_offset`; past the last one, bytes map one to one.
  std::size_t sql_anchor = 0;
  std::size_t file_anchor = up_offset;
  for (const Substitution& s : substitutions) {
    if (sql_offset < s.sql_offset) break;
    if (sql_offset < s.sql_offset + s.replacement_length) return s.file_offset;
    sql_anchor = s.sql_offset + s.replacement_length;
    file_anchor = s.file_offset + s.length;
  }
  return file_anchor + (sql_offset - sql_anchor);
}

}  // namespace pgdrift::migrations
