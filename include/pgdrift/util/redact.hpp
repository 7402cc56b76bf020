#pragma once

#include <string>
#include <string_view>

namespace pgdrift::util {

// `text` with every password in it masked as "***": URL userinfo (scheme://user:secret@host),
// `password=` keyword/value pairs, and `password=` query parameters. Everything that may print
// a connection string goes through this.
std::string redact(std::string_view text);

}  // namespace pgdrift::util
