// Golden end-to-end cases: tests/e2e/cases/<name>/ holds `args` (one argument per line, '#'
// comments; `$FIXTURES` = tests/fixtures, `$ROOT` = the repository, shown as <root> in output), the input files, and the expected `output` (stdout+stderr, normalized),
// `exit_code` and, when the case writes one, `report.json`. The case runs in a temporary copy
// of its folder. PGDRIFT_UPDATE_GOLDEN=1 rewrites the expected files after an intended change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pgdrift/util/text.hpp"
#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

const std::filesystem::path k_cases = std::filesystem::path(PGDRIFT_SOURCE_DIR) / "tests/e2e/cases";

std::string slurp(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(k_cases)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenCase : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCase, MatchesExpectedOutput) {
  const auto source = k_cases / GetParam();
  TempTree work;
  std::filesystem::copy(source, work.path(), std::filesystem::copy_options::recursive);
  for (const char* expected : {"output", "exit_code", "report.json"}) {
    std::filesystem::remove(work.path() / expected);
  }

  std::vector<std::string> args;
  for (const auto& line : util::split(slurp(source / "args"), '\n')) {
    const auto trimmed = std::string(util::trim(line));
    if (trimmed.empty() || trimmed[0] == '#') continue;
    std::string arg = trimmed;
    for (const auto& [token, value] : {std::pair<std::string, std::string>{"$FIXTURES", PGDRIFT_FIXTURES_DIR},
                                       std::pair<std::string, std::string>{"$ROOT", PGDRIFT_SOURCE_DIR}}) {
      if (const auto at = arg.find(token); at != std::string::npos) arg.replace(at, token.size(), value);
    }
    args.push_back(arg);
  }
  const auto result = run_pgdrift(args, work.path());
  const auto root = work.path().string();
  auto output = normalize_output(result.output, root);
  for (auto at = output.find(PGDRIFT_SOURCE_DIR); at != std::string::npos; at = output.find(PGDRIFT_SOURCE_DIR)) {
    output.replace(at, std::string(PGDRIFT_SOURCE_DIR).size(), "<root>");
  }
  const auto exit_code = std::to_string(result.status.code) + "\n";
  const bool has_report = std::filesystem::exists(work.path() / "report.json");
  const auto report = has_report ? normalize_output(slurp(work.path() / "report.json"), root) : "";

  if (std::getenv("PGDRIFT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(source / "output", std::ios::binary) << output;
    std::ofstream(source / "exit_code") << exit_code;
    if (has_report) std::ofstream(source / "report.json", std::ios::binary) << report;
    GTEST_SKIP() << "golden files rewritten";
  }
  EXPECT_EQ(slurp(source / "exit_code"), exit_code) << output;
  EXPECT_EQ(slurp(source / "output"), output);
  EXPECT_EQ(std::filesystem::exists(source / "report.json"), has_report);
  if (has_report) {
    EXPECT_EQ(slurp(source / "report.json"), report);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace pgdrift::testing
