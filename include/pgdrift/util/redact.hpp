#pragma once

#include <string>
#include <string_view>

namespace pgdrift::util {

// `text` with every password in it masked as "***": URL userinfo (scheme://user:secret@host,
// also with no user or an unencoded '@' in the secret) and KEY=secret pairs whose KEY ends in
// "password" or "passwd" (password, sslpassword, PGPASSWORD, --password; quoted or not, as
// libpq keyword/value strings, URL query parameters and shell command lines write them).
// Everything else, including quotes and brackets around a value, is kept. Linear in `text`.
std::string redact(std::string_view text);

}  // namespace pgdrift::util
