#include "pgdrift/cli/main.hpp"

#include <iostream>

#include "pgdrift/util/signals.hpp"

namespace pgdrift::cli {

int main(int argc, char** argv) {
  // First, before any thread exists: SIGINT/SIGTERM then tear down sandboxes and exit 130/143.
  util::install_termination_handler();
  std::vector<std::string> args(argv + 1, argv + argc);
  const int code = run(args, std::cout, std::cerr, current_environment());
  util::defer_to_pending_termination();
  return code;
}

}  // namespace pgdrift::cli
