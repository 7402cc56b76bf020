#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "pgdrift/util/environment.hpp"

namespace pgdrift::cli {

// The process entry point: installs signal handling, runs, flushes stdout and returns the exit
// code: 3 when stdout could not be written, whatever the run decided.
int main(int argc, char** argv);

// Runs pgdrift with `args` (without the program name) in-process; output goes to `out`/`err`.
// Returns the exit code (0, 1, 2 or 3). Never throws.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const Environment& env);

}  // namespace pgdrift::cli
