// Secrets in what others print: a migration whose server error echoes a connection string with
// a password shows the error, with the password masked, in every output pgdrift writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Replays a migration that fails with `url` in its error message; returns each output by name:
// stdout+stderr, --json, --junit, --sarif, --gitlab and the GitHub job summary.
std::map<std::string, std::string> outputs_of_failure_echoing(const std::string& url) {
  TempTree tree({{"migrations/1_connect.sql",
                  "CREATE TABLE t (id int);\nDO $$ BEGIN RAISE EXCEPTION 'could not connect: " +
                      url + "'; END $$;\n"}});
  auto env = e2e_environment();
  env["GITHUB_STEP_SUMMARY"] = (tree.path() / "summary.md").string();
  const auto result =
      run_pgdrift({"replay", "--migrations", "migrations", "--json", "r.json", "--junit", "r.xml",
                   "--sarif", "r.sarif", "--gitlab", "r.gitlab.json", "--github"},
                  tree.path(), env);
  EXPECT_EQ(1, result.status.code) << result.output;
  std::map<std::string, std::string> out = {{"stdout and stderr", result.output}};
  for (const char* file : {"r.json", "r.xml", "r.sarif", "r.gitlab.json", "summary.md"}) {
    out[file] = read_all(tree.path() / file);
    EXPECT_FALSE(out[file].empty()) << file;
  }
  return out;
}

TEST(Redaction, APasswordAServerErrorEchoesIsMaskedInEveryOutput) {
  for (const auto& [name, text] :
       outputs_of_failure_echoing("postgresql://app:S3cretPw@db.internal/app")) {
    EXPECT_EQ(std::string::npos, text.find("S3cretPw")) << name << ":\n" << text;
    // The job summary is Markdown, which escapes the mask's '*'.
    const std::string kept = name == "summary.md"
                                 ? R"(could not connect: postgresql://app:\*\*\*@db.internal/app)"
                                 : "could not connect: postgresql://app:***@db.internal/app";
    EXPECT_NE(std::string::npos, text.find(kept)) << name << ":\n" << text;
  }
}

TEST(Redaction, AServerErrorWithoutASecretIsShownUnchanged) {
  for (const auto& [name, text] : outputs_of_failure_echoing("postgresql://app@db.internal/app")) {
    EXPECT_NE(std::string::npos, text.find("could not connect: postgresql://app@db.internal/app"))
        << name << ":\n"
        << text;
  }
}

}  // namespace
}  // namespace pgdrift::testing
