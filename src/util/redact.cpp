#include "pgdrift/util/redact.hpp"

#include <regex>

namespace pgdrift::util {

std::string redact(std::string_view text) {
  // scheme://user:secret@host → scheme://user:***@host (the secret may contain ':' but not '@' or
  // whitespace; an encoded '@' is %40 and stays inside the secret).
  static const std::regex k_url_userinfo(R"(([A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:)[^@\s/]*@)");
  // password=secret in keyword/value strings and URL query parameters, quoted or not.
  static const std::regex k_password_kv(R"(((?:^|[\s?&;])(?:password|passwd|pgpassword)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&;]*))",
                                        std::regex::icase);
  std::string out = std::regex_replace(std::string(text), k_url_userinfo, "$1***@");
  out = std::regex_replace(out, k_password_kv, "$1***");
  return out;
}

}  // namespace pgdrift::util
