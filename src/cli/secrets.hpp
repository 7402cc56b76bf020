#pragma once

#include <string>

#include "commands.hpp"

namespace pgdrift::cli {

// The URL a command-line value stands for. `env:VAR` reads $VAR (a usage error naming `what` when
// it is unset; empty when it is empty, which skips a target), so the secret never appears on a
// command line; any other value is itself,
// with a one-line warning on io.err when it holds a password, since every user of the machine can
// read a process's command line. `what` names the flag, e.g. "--target prod".
std::string url_argument(const std::string& what, const std::string& value, Io io);

}  // namespace pgdrift::cli
