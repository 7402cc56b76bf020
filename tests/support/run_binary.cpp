#include "support/run_binary.hpp"

#include <fstream>
#include <regex>

#include "support/temp_tree.hpp"

namespace pgdrift::testing {

Environment e2e_environment() {
  auto env = current_environment();
  env["NO_COLOR"] = "1";
  env.erase("GITHUB_ACTIONS");
  // A CI's own base (pull/merge requests) must not narrow what the tests judge.
  env.erase("GITHUB_BASE_REF");
  env.erase("CI_MERGE_REQUEST_DIFF_BASE_SHA");
  return env;
}

JsonRun run_pgdrift_json(std::vector<std::string> args, const std::filesystem::path& cwd, const Environment& env) {
  TempTree work;
  args.push_back("--json");
  args.push_back((work.path() / "report.json").string());
  const auto result = run_pgdrift(args, cwd, env);
  JsonRun run;
  run.exit_code = result.status.code;
  run.output = result.output;
  std::ifstream in(work.path() / "report.json");
  if (in) run.report = nlohmann::json::parse(in);
  return run;
}

util::RunResult run_pgdrift(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                            const Environment& env, std::chrono::milliseconds timeout) {
  util::ProcessSpec spec;
  spec.argv.push_back(PGDRIFT_BINARY);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = env;
  spec.cwd = cwd;
  return util::run_process(spec, timeout);
}

util::ExitStatus run_pgdrift_redirected(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                                        const std::filesystem::path& stdout_path,
                                        const std::filesystem::path& stderr_path, const Environment& env) {
  util::ProcessSpec spec;
  spec.argv.push_back(PGDRIFT_BINARY);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = env;
  spec.cwd = cwd;
  spec.output_file = stdout_path;
  spec.error_file = stderr_path;
  util::Process child(spec);
  return child.wait(std::chrono::minutes{5});
}

std::string normalize_output(std::string text, const std::string& root) {
  for (auto pos = text.find(root); !root.empty() && pos != std::string::npos; pos = text.find(root, pos)) {
    text.replace(pos, root.size(), "<case>");
  }
  // Sandbox progress lines differ by machine and cache state (run directory, server account,
  // template creation): dropped from golden output.
  static const std::regex k_sandbox_lines(R"((^|\n)sandbox: [^\n]*)");
  text = std::regex_replace(text, k_sandbox_lines, "$1");
  static const std::regex k_blank_start(R"(^\n+)");
  text = std::regex_replace(text, k_blank_start, "");
  // Durations are right-aligned, so the padding before them varies with their width too.
  static const std::regex k_ms(R"( +\d+ ms\b)");
  static const std::regex k_seconds(R"( +\d+\.\d+ s\b)");
  static const std::regex k_json_ms(R"("duration_ms": [0-9.e+-]+)");
  static const std::regex k_version(R"(PostgreSQL \d+\.\d+)");  // a server's version, not "PostgreSQL 11" in prose
  static const std::regex k_json_version(R"("server_version": "[^"]*")");
  static const std::regex k_tool_version(R"("version": "\d+\.\d+\.\d+")");
  text = std::regex_replace(text, k_ms, " N ms");
  text = std::regex_replace(text, k_seconds, " N s");
  text = std::regex_replace(text, k_json_ms, "\"duration_ms\": 0");
  text = std::regex_replace(text, k_version, "PostgreSQL <version>");
  text = std::regex_replace(text, k_json_version, "\"server_version\": \"<version>\"");
  text = std::regex_replace(text, k_tool_version, "\"version\": \"<version>\"");
  return text;
}

}  // namespace pgdrift::testing
