#include <cctype>
#include <set>
#include <string_view>

#include "support.hpp"

// The parse tree cannot tell: Postgres's scanner (and so libpg_query's) truncates identifiers to
// 63 bytes before the parser sees them. So this rule scans the statement's text for identifier
// tokens (plain or "quoted"), skipping comments, string literals and dollar-quoted bodies, and
// reports every distinct identifier longer than 63 bytes once per file, wherever it occurs:
// a name the migration creates, renames to, or refers to.

namespace pgdrift::lint::rules {
namespace {

constexpr std::size_t k_max_identifier = 63;  // NAMEDATALEN - 1

bool ident_start(unsigned char c) { return std::isalpha(c) != 0 || c == '_' || c >= 0x80; }
bool ident_char(unsigned char c) { return ident_start(c) || std::isdigit(c) != 0 || c == '$'; }

// The first 63 bytes of `name`, cut back to a UTF-8 character boundary (as Postgres does).
std::string truncated(const std::string& name) {
  std::size_t length = k_max_identifier;
  while (length > 0 && (static_cast<unsigned char>(name[length]) & 0xC0) == 0x80) --length;
  return name.substr(0, length);
}

struct Identifier {
  std::size_t offset;  // of its first byte (the opening quote of a quoted one)
  std::string name;    // as written, quotes removed and "" unescaped
};

// The identifiers of text[begin, end).
std::vector<Identifier> identifiers(std::string_view text, std::size_t begin, std::size_t end) {
  std::vector<Identifier> out;
  std::size_t i = begin;
  const auto at = [&](std::size_t k) {
    return k < end ? static_cast<unsigned char>(text[k]) : '\0';
  };
  while (i < end) {
    const unsigned char c = at(i);
    if (c == '-' && at(i + 1) == '-') {
      while (i < end && at(i) != '\n') ++i;
    } else if (c == '/' && at(i + 1) == '*') {
      int depth = 0;
      do {
        if (at(i) == '/' && at(i + 1) == '*') {
          ++depth;
          i += 2;
        } else if (at(i) == '*' && at(i + 1) == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      } while (depth > 0 && i < end);
    } else if (c == '\'') {
      // E'…' strings allow backslash escapes; the E was read as an identifier just before.
      const bool escapes = i > begin && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                           (i - 1 == begin || !ident_char(static_cast<unsigned char>(text[i - 2])));
      ++i;
      while (i < end) {
        if (escapes && at(i) == '\\') {
          i += 2;
        } else if (at(i) == '\'') {
          if (at(i + 1) != '\'') break;
          i += 2;
        } else {
          ++i;
        }
      }
      ++i;
    } else if (c == '"') {
      Identifier id{i, ""};
      ++i;
      while (i < end) {
        if (at(i) == '"') {
          if (at(i + 1) != '"') break;
          ++i;
        }
        id.name += text[i];
        ++i;
      }
      ++i;
      out.push_back(std::move(id));
    } else if (c == '$' && !std::isdigit(at(i + 1))) {
      // A dollar quote: $$ or $tag$ … the same tag.
      std::size_t k = i + 1;
      while (k < end && ident_char(at(k)) && at(k) != '$') ++k;
      if (at(k) != '$') {
        i = k;
        continue;
      }
      const std::string_view tag = text.substr(i, k - i + 1);
      const auto close = text.substr(0, end).find(tag, k + 1);
      i = close == std::string_view::npos ? end : close + tag.size();
    } else if (ident_start(c)) {
      const std::size_t start = i;
      while (i < end && ident_char(at(i))) ++i;
      out.push_back({start, std::string(text.substr(start, i - start))});
    } else if (std::isdigit(c) != 0 || c == '$') {
      ++i;
      while (i < end && (ident_char(at(i)) || at(i) == '.')) ++i;  // a number or $1
    } else {
      ++i;
    }
  }
  return out;
}

class IdentifierTooLong : public BasicRule {
 public:
  IdentifierTooLong()
      : BasicRule({"identifier-too-long", Severity::error, "robustness",
                   "Postgres silently truncates names longer than 63 bytes, so two names sharing "
                   "their first 63 bytes collide, and tools that look the full name up in the "
                   "catalog do not find the object",
                   "choose a name of at most 63 bytes (shorten generated index and constraint "
                   "names: `orders_customer_id_idx`)"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    const auto& s = statement.statement;
    for (const auto& id : identifiers(statement.sql, s.begin, s.end)) {
      if (id.name.size() <= k_max_identifier || !m_reported.insert(id.name).second) continue;
      sink.report(id.offset,
                  "identifier " + id.name + " is " + std::to_string(id.name.size()) +
                      " bytes long: Postgres silently truncates it to " + truncated(id.name),
                  "identifier " + truncated(id.name));
    }
  }

 private:
  std::set<std::string> m_reported;  // identifiers reported earlier in the file
};

}  // namespace

std::unique_ptr<Rule> make_identifier_too_long() { return std::make_unique<IdentifierTooLong>(); }

}  // namespace pgdrift::lint::rules
