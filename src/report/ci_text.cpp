#include "ci_text.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>

namespace pgdrift::report {

namespace {

constexpr char k_esc = '\x1b';
constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the escape sequence starting at text[i] == ESC (at least 1, never past the end).
std::size_t escape_length(std::string_view text, std::size_t i) {
  std::size_t j = i + 1;
  if (j >= text.size()) return 1;
  const auto c = static_cast<unsigned char>(text[j]);
  if (c == '[') {  // CSI: parameters and intermediates, then one final byte 0x40–0x7E
    ++j;
    while (j < text.size()) {
      const auto b = static_cast<unsigned char>(text[j]);
      if (b < 0x20 || b > 0x3F) break;
      ++j;
    }
    if (j < text.size()) {
      const auto b = static_cast<unsigned char>(text[j]);
      if (b >= 0x40 && b <= 0x7E) ++j;
    }
    return j - i;
  }
  if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {  // OSC, DCS, …: until BEL or ST
    ++j;
    while (j < text.size()) {
      if (text[j] == '\a') return j + 1 - i;
      if (text[j] == k_esc && j + 1 < text.size() && text[j + 1] == '\\') return j + 2 - i;
      ++j;
    }
    return j - i;
  }
  // Two-byte escapes (and ones with intermediate bytes, like "ESC ( B").
  while (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x20 &&
         static_cast<unsigned char>(text[j]) <= 0x2F) {
    ++j;
  }
  if (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x30 &&
      static_cast<unsigned char>(text[j]) <= 0x7E) {
    ++j;
  }
  return j - i;
}

// Decodes one UTF-8 sequence at text[i]; returns its length, or 0 when it is not valid UTF-8.
std::size_t decode(std::string_view text, std::size_t i, std::uint32_t& code_point) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  std::uint32_t min = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code_point = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code_point = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code_point = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (b & 0x3Fu);
  }
  if (code_point < min || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
    return 0;
  return length;
}

}  // namespace

std::string strip_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == k_esc) {
      i += escape_length(text, i);
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t length = decode(text, i, cp);
    if (length == 0) {
      out += k_replacement;
      ++i;
      continue;
    }
    const bool control = (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F);
    if (cp == 0xFFFE || cp == 0xFFFF) {
      out += k_replacement;  // not allowed in XML
    } else if (!control) {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {  // U+0080–U+009F in UTF-8
      out += fmt::format("\\u{:04x}", next);
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace pgdrift::report
