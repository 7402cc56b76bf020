#include "secrets.hpp"

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/redact.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::cli {

std::string url_argument(const std::string& what, const std::string& value, Io io) {
  if (util::starts_with(value, "env:")) {
    const auto name = value.substr(4);
    const auto url = env_get(io.env, name);
    // Set but empty (a protected CI variable in an unprotected pipeline): the caller skips it.
    if (!name.empty() && url) return *url;
    throw usage_error(what + "=" + value + ": " +
                          (name.empty() ? std::string("no variable named after env:")
                                        : "the environment variable " + name + " is not set"),
                      "export " + (name.empty() ? std::string("VAR") : name) +
                          " with the URL (from a CI secret), or name the variable that holds it");
  }
  if (util::redact(value) != value) {
    io.err << "pgdrift: warning: " << what << ": the URL's password is on the command line, where every user "
           << "of this machine can read it; pass " << what << "=env:VAR (a variable holding the URL) or set "
           << "it in pgdrift.yml with ${VAR}\n";
  }
  return value;
}

}  // namespace pgdrift::cli
