#pragma once

#include <string>
#include <string_view>

#include "pgdrift/util/environment.hpp"

namespace pgdrift::util {

// `text` with every password in it masked as "***": URL userinfo (scheme://user:secret@host,
// also with no user or an unencoded '@' in the secret) and KEY=secret pairs whose KEY ends in
// "password" or "passwd" (password, sslpassword, PGPASSWORD, --password; quoted or not, as
// libpq keyword/value strings, URL query parameters and shell command lines write them).
// Everything else, including quotes and brackets around a value, is kept. Linear in `text`.
std::string redact(std::string_view text);

// Whether a variable's name says it holds a credential or a connection string: it contains PASS,
// SECRET, TOKEN, KEY, URL, DSN or CREDENTIAL, in any case.
bool secret_name(std::string_view name);

// redact(text), with the value of every variable of `env` that holds a secret masked as "***"
// wherever it appears (a child's output echoing $DB_PASSWORD): names with PASS, SECRET, TOKEN,
// KEY or CREDENTIAL, and any value redact() would change (DATABASE_URL with a password). Values
// under 6 bytes are left alone: masking "1" or "true" everywhere would only mangle the text.
std::string redact(std::string_view text, const Environment& env);

}  // namespace pgdrift::util
