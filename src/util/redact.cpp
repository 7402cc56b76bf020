#include "pgdrift/util/redact.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace pgdrift::util {

namespace {

const std::string k_mask = "***";

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

bool ends_with_ci(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const auto tail = text.substr(text.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(tail[i])) != suffix[i]) return false;
  }
  return true;
}

// scheme://user:secret@host → scheme://user:***@host. The authority ends at '/', whitespace or a
// quote (a URL quoted in a message); the userinfo runs to its last '@', so an unencoded '@' in
// the secret is masked too. An empty user (scheme://:secret@host) is a password all the same.
std::string mask_url_userinfo(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (auto at = text.find("://"); at != std::string_view::npos; at = text.find("://", at + 3)) {
    const std::size_t start = at + 3;
    std::size_t end = start;
    while (end < text.size() && text[end] != '/' && !is_space(text[end]) && text[end] != '\'' &&
           text[end] != '"' && text[end] != '`' && text[end] != '<' && text[end] != '>') {
      ++end;
    }
    const auto userinfo_end = text.substr(start, end - start).rfind('@');
    if (userinfo_end == std::string_view::npos) continue;
    const auto colon = text.substr(start, userinfo_end).find(':');
    if (colon == std::string_view::npos) continue;  // a user without a password
    out.append(text.substr(copied, start + colon + 1 - copied));
    out.append(k_mask);
    copied = start + userinfo_end;
  }
  out.append(text.substr(copied));
  return out;
}

// The end of an unquoted value starting at `begin`: whitespace, '&' (URL query) or ';' end it,
// and closing quotes or brackets right after it belong to the text around it
// (dblink('… password=secret')), not to the secret.
std::size_t unquoted_value_end(std::string_view text, std::size_t begin) {
  std::size_t end = begin;
  while (end < text.size() && !is_space(text[end]) && text[end] != '&' && text[end] != ';') ++end;
  while (end > begin && std::string_view("'\")]}>`").find(text[end - 1]) != std::string_view::npos)
    --end;
  return end;
}

// The end of a value quoted with text[begin] (' or "), backslash escapes honoured as libpq and
// shells do; an unterminated quote runs to the end of the line.
std::size_t quoted_value_end(std::string_view text, std::size_t begin) {
  const char quote = text[begin];
  for (std::size_t i = begin + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      return i + 1;
    } else if (text[i] == '\n') {
      return i;
    }
  }
  return text.size();
}

// KEY=secret where KEY ends in "password" or "passwd" (password, sslpassword, PGPASSWORD,
// POSTGRES_PASSWORD, --password), spaces allowed around '=', the value quoted or not.
std::string mask_password_pairs(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  for (auto eq = text.find('='); eq != std::string_view::npos; eq = text.find('=', eq + 1)) {
    if (eq < copied) continue;
    std::size_t key_end = eq;
    while (key_end > copied && text[key_end - 1] == ' ') --key_end;
    std::size_t key_begin = key_end;
    while (key_begin > copied && is_key_char(text[key_begin - 1])) --key_begin;
    const auto key = text.substr(key_begin, key_end - key_begin);
    if (!ends_with_ci(key, "password") && !ends_with_ci(key, "passwd")) continue;
    std::size_t value = eq + 1;
    while (value < text.size() && text[value] == ' ') ++value;
    const bool quoted = value < text.size() && (text[value] == '\'' || text[value] == '"');
    const std::size_t end =
        quoted ? quoted_value_end(text, value) : unquoted_value_end(text, value);
    if (end == value) continue;
    out.append(text.substr(copied, eq + 1 - copied));
    out.append(text.substr(eq + 1, value - eq - 1));
    out.append(k_mask);
    copied = end;
    eq = end == 0 ? 0 : end - 1;
  }
  out.append(text.substr(copied));
  return out;
}

// Whether `text` contains `upper_word` (upper case) in any case.
bool contains_ci(std::string_view text, std::string_view upper_word) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  return upper.find(upper_word) != std::string::npos;
}

// Names of variables that hold a credential itself (not a URL, which may hold none).
bool names_credential(std::string_view name) {
  static const std::vector<std::string_view> k_words = {"PASS", "SECRET", "TOKEN", "KEY",
                                                        "CREDENTIAL"};
  return std::any_of(k_words.begin(), k_words.end(),
                     [&](std::string_view word) { return contains_ci(name, word); });
}

}  // namespace

std::string redact(std::string_view text) { return mask_password_pairs(mask_url_userinfo(text)); }

bool secret_name(std::string_view name) {
  return names_credential(name) || contains_ci(name, "URL") || contains_ci(name, "DSN");
}

std::string redact(std::string_view text, const Environment& env) {
  // Values first: a URL held by DATABASE_URL is masked whole before redact() sees its password.
  std::string out(text);
  for (const auto& [name, value] : env) {
    // A URL variable (GITHUB_SERVER_URL) is masked only when it holds a password itself.
    if (value.size() < 6 || (!names_credential(name) && redact(value) == value)) continue;
    for (auto at = out.find(value); at != std::string::npos;
         at = out.find(value, at + k_mask.size())) {
      out.replace(at, value.size(), k_mask);
    }
  }
  return redact(out);
}

}  // namespace pgdrift::util
