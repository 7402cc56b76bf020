#include <algorithm>
#include <string_view>

#include "pgdrift/config/config.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"

namespace pgdrift::config {

namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

bool is_valid_name(std::string_view name) {
  if (name.empty() || !is_name_start(name.front())) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> referenced_variables(const std::string& value) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i + 1 < value.size(); ++i) {
    if (value[i] != '$') continue;
    if (value[i + 1] == '$') {
      ++i;
      continue;
    }
    if (value[i + 1] != '{') continue;
    const auto close = value.find('}', i + 2);
    if (close == std::string::npos) break;
    const std::string_view body(value.data() + i + 2, close - i - 2);
    const std::string name(body.substr(0, body.find(":-")));
    if (is_valid_name(name) && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
    i = close;
  }
  return names;
}

std::string quoted_value(const std::string& written, const std::string& value) {
  const auto names = referenced_variables(written);
  const bool secret =
      util::redact(value) != value ||
      std::any_of(names.begin(), names.end(), [](const std::string& n) { return util::secret_name(n); });
  if (names.empty() || !secret) return "'" + util::redact(value) + "'";
  std::string out = "the value of";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? " ${" : ", ${") + names[i] + "}";
  return out;
}

// The default in `${VAR:-default}` is literal text up to the first `}`: it is not expanded
// again and cannot contain `}`. Only the name part of a bad reference is echoed, since the
// default may hold a connection string with a password.
std::string expand_env(const std::string& value, const Environment& env, const std::string& where) {
  const std::string prefix = where.empty() ? std::string() : where + ": ";
  const std::string syntax =
      "write ${NAME} or ${NAME:-default} (NAME is letters, digits and _), "
      "or $$ for a literal $";
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const char next = i + 1 < value.size() ? value[i + 1] : '\0';
    if (c != '$' || (next != '$' && next != '{')) {
      out.push_back(c);
      continue;
    }
    if (next == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    const auto close = value.find('}', i + 2);
    if (close == std::string::npos) {
      throw usage_error(prefix + "unterminated ${ (no closing })", syntax);
    }
    const std::string_view body(value.data() + i + 2, close - i - 2);
    const auto sep = body.find(":-");
    const std::string name(body.substr(0, sep));
    if (!is_valid_name(name)) {
      throw usage_error(prefix + "invalid variable reference ${" + name +
                            (sep == std::string_view::npos ? "}" : ":-...}"),
                        syntax);
    }
    const auto found = env_get(env, name);
    if (sep != std::string_view::npos) {
      // As in POSIX shells, `:-` also replaces a variable that is set but empty.
      out.append(found && !found->empty() ? *found : std::string(body.substr(sep + 2)));
    } else if (found) {
      out.append(*found);
    } else {
      throw usage_error(prefix + "environment variable " + name + " is not set",
                        "set it, or write ${" + name + ":-default}");
    }
    i = close;
  }
  return out;
}

}  // namespace pgdrift::config
