#include "guard_text.hpp"

#include <algorithm>
#include <cctype>

#include "pgdrift/util/text.hpp"

namespace pgdrift::lint::guard {

namespace {

bool identifier_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || c == '$' || u >= 0x80;
}

// Whether the whole of `expression` is one parenthesized expression: "(a)", not "(a) + (b)".
bool wrapped_in_parentheses(const std::string& expression) {
  if (expression.size() < 2 || expression.front() != '(' || expression.back() != ')') return false;
  int depth = 0;
  for (std::size_t i = 0; i + 1 < expression.size(); ++i) {
    depth += expression[i] == '(' ? 1 : expression[i] == ')' ? -1 : 0;
    if (depth == 0) return false;
  }
  return true;
}

}  // namespace

bool mentions(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const auto end = at + word.size();
    if ((at == 0 || !identifier_byte(text[at - 1])) && (end == text.size() || !identifier_byte(text[end]))) {
      return true;
    }
  }
  return false;
}

std::string quote_if_needed(const std::string& name) {
  const auto lower_start = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0 || c == '_'; };
  const auto lower_part = [&](char c) {
    return lower_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$';
  };
  if (!name.empty() && lower_start(name[0]) && std::all_of(name.begin(), name.end(), lower_part)) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<std::string> enum_labels(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  bool inside = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!inside) {
      inside = c == '\'';
    } else if (c == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
      current += c;
      ++i;
    } else if (c == '\'') {
      inside = false;
      out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parent_tables(const std::string& list) {
  const auto unquoted = [](std::string name) {
    if (name.size() > 1 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    return name;
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& item : util::split(list, ',')) {
    const std::string name(util::trim(item));
    const auto dot = name.rfind('.');
    if (dot == std::string::npos) continue;
    out.emplace_back(unquoted(name.substr(0, dot)), unquoted(name.substr(dot + 1)));
  }
  return out;
}

std::string first_group(const std::string& text) {
  const auto open = text.find('(');
  if (open == std::string::npos) return "";
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
    if (depth == 0) return text.substr(open + 1, i - open - 1);
  }
  return "";
}

std::string without_casts(std::string expression, const std::vector<std::string>& types) {
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& type : types) {
      for (const auto& spelling : {type, type.substr(0, type.find('('))}) {
        if (!spelling.empty() && util::ends_with(expression, "::" + spelling)) {
          expression.resize(expression.size() - spelling.size() - 2);
          changed = true;
        }
      }
    }
    if (wrapped_in_parentheses(expression)) {
      expression = expression.substr(1, expression.size() - 2);
      changed = true;
    }
  }
  return expression;
}

}  // namespace pgdrift::lint::guard
