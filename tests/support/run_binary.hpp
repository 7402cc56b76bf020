#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "pgdrift/util/process.hpp"

namespace pgdrift::testing {

// The environment the e2e tests give pgdrift: this process's, with colour off and without the
// variables by which a CI names its base branch.
Environment e2e_environment();

// Runs the built pgdrift with `args` in `cwd`; returns its exit code and combined output.
util::RunResult run_pgdrift(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                            const Environment& env = e2e_environment(),
                            std::chrono::milliseconds timeout = std::chrono::minutes{5});

// Runs the built pgdrift in `cwd` with its stdout written to `stdout_path` (/dev/full, say) and
// its stderr to `stderr_path`; returns how it ended. Neither file is read back.
util::ExitStatus run_pgdrift_redirected(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                                        const std::filesystem::path& stdout_path,
                                        const std::filesystem::path& stderr_path,
                                        const Environment& env = e2e_environment());

// `text` with run-to-run noise made stable: `root` → "<case>", durations → "N ms"/"N s",
// server versions → "<version>".
std::string normalize_output(std::string text, const std::string& root);

}  // namespace pgdrift::testing
