#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pgdrift/util/process.hpp"

namespace pgdrift::testing {

// The environment the e2e tests give pgdrift: this process's, with colour off and without the
// variables by which a CI names its base branch.
Environment e2e_environment();

// Runs the built pgdrift with `args` in `cwd`; returns its exit code and combined output.
util::RunResult run_pgdrift(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                            const Environment& env = e2e_environment(),
                            std::chrono::milliseconds timeout = std::chrono::minutes{5});

// How a pgdrift run ended, with its JSON report.
struct JsonRun {
  int exit_code = 0;
  std::string output;     // stdout and stderr
  nlohmann::json report;  // null when pgdrift wrote none
};

// Runs the built pgdrift with `args` plus `--json <a temporary file>` in `cwd`, and reads the report.
JsonRun run_pgdrift_json(std::vector<std::string> args, const std::filesystem::path& cwd,
                         const Environment& env = e2e_environment());

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
