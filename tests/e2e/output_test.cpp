// What pgdrift writes (issue 14, "nothing half-written"): report files are replaced whole, a
// write that fails (stdout or a report) is exit 3 naming the file and the OS error, and names
// with control characters never start a line of the text output. `lint` needs no Postgres.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_binary.hpp"
#include "support/temp_tree.hpp"

namespace pgdrift::testing {
namespace {

namespace fs = std::filesystem;

const std::string k_users = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n";
const std::string k_drop = "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN email;\n";


// The lines of `text` as the GitHub runner splits them: at '\n' and at '\r'.
std::vector<std::string> runner_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (const char c : text) {
    if (c == '\n' || c == '\r') {
      lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  lines.push_back(line);
  return lines;
}

std::vector<std::string> command_lines(const std::string& text) {
  std::vector<std::string> found;
  for (const auto& line : runner_lines(text)) {
    if (line.rfind("::", 0) == 0) found.push_back(line);
  }
  return found;
}

TEST(Writes, StdoutThatCannotBeWrittenIsExit3NeverAPassOrAFinding) {
  TempTree tree({{"clean/V1__users.sql", k_users}, {"bad/V1__users.sql", k_users}, {"bad/V2__drop.sql", k_drop}});
  struct Case {
    std::vector<std::string> args;
    int written;  // the exit code when stdout takes the output
  };
  for (const auto& c : {Case{{"lint", "clean"}, 0}, Case{{"lint", "bad"}, 1}, Case{{"lint", "bad", "--json", "-"}, 1}}) {
    const auto full = run_pgdrift_redirected(c.args, tree.path(), "/dev/full", tree / "stderr");
    EXPECT_EQ(3, full.code) << c.args.back();
    EXPECT_NE(std::string::npos,
              slurp(tree / "stderr").find("pgdrift: error: cannot write to standard output: No space left on device\n"))
        << slurp(tree / "stderr");

    // The safe twin: the same run with stdout going to a file writes it all.
    const auto written = run_pgdrift_redirected(c.args, tree.path(), tree / "stdout", tree / "stderr");
    EXPECT_EQ(c.written, written.code) << c.args.back();
    EXPECT_EQ(std::string::npos, slurp(tree / "stderr").find("cannot write")) << slurp(tree / "stderr");
    EXPECT_NE(std::string::npos, slurp(tree / "stdout").find(c.written == 0 ? "0 errors" : "drop-column"))
        << slurp(tree / "stdout");
  }
}

TEST(Writes, AReportThatCannotBeWrittenIsExit3NamingTheFileAndTheError) {
  TempTree tree({{"bad/V1__users.sql", k_users}, {"bad/V2__drop.sql", k_drop}});
  fs::create_directory(tree.path() / "a-directory");
  struct Case {
    std::string flag, path, message;
  };
  for (const auto& c : {
           Case{"--junit", "/dev/full", "cannot write /dev/full: No space left on device"},
           Case{"--sarif", "no-such-dir/r.sarif",
                "cannot write no-such-dir/r.sarif: cannot create a temporary file in no-such-dir: No such file or "
                "directory"},
           Case{"--json", "a-directory", "cannot write a-directory: Is a directory"},
           Case{"--gitlab", "/dev/full", "cannot write /dev/full: No space left on device"},
       }) {
    const auto run = run_pgdrift({"lint", "bad", c.flag, c.path}, tree.path());
    EXPECT_EQ(3, run.status.code) << c.flag << "\n" << run.output;
    EXPECT_NE(std::string::npos, run.output.find("pgdrift: error: " + c.message + "\n")) << run.output;
  }
  EXPECT_FALSE(fs::exists(tree.path() / "no-such-dir"));
  EXPECT_TRUE(fs::is_directory(tree.path() / "a-directory"));

  auto env = e2e_environment();
  env["GITHUB_STEP_SUMMARY"] = "/dev/full";
  const auto summary = run_pgdrift({"lint", "bad", "--github"}, tree.path(), env);
  EXPECT_EQ(3, summary.status.code) << summary.output;
  EXPECT_NE(std::string::npos, summary.output.find("pgdrift: error: cannot append to /dev/full: No space left on device"))
      << summary.output;
}

TEST(Writes, ReportsReplaceTheOldOnesWholeAndLeaveNoTemporaryFile) {
  TempTree tree({{"bad/V1__users.sql", k_users}, {"bad/V2__drop.sql", k_drop}, {"out/junit.xml", "<old/>"}});
  auto env = e2e_environment();
  env["GITHUB_STEP_SUMMARY"] = (tree.path() / "out" / "summary.md").string();
  tree.write("out/summary.md", "earlier step\n");
  const auto run = run_pgdrift({"lint", "bad", "--github", "--junit", "out/junit.xml", "--json", "out/report.json",
                                "--sarif", "out/r.sarif", "--gitlab", "out/cq.json"},
                               tree.path(), env);
  EXPECT_EQ(1, run.status.code) << run.output;
  EXPECT_EQ((std::vector<std::string>{"cq.json", "junit.xml", "r.sarif", "report.json", "summary.md"}),
            names_in(tree.path() / "out"));
  const auto junit = slurp(tree.path() / "out" / "junit.xml");
  EXPECT_EQ(0u, junit.find("<?xml")) << junit;
  EXPECT_NE(std::string::npos, junit.find("</testsuites>\n")) << junit;
  EXPECT_NE(std::string::npos, slurp(tree.path() / "out" / "report.json").find("\"lint/drop-column\""));
  const auto summary = slurp(tree.path() / "out" / "summary.md");
  EXPECT_EQ(0u, summary.find("earlier step\n## pgdrift lint")) << summary;
}

TEST(Writes, AReportPathWithANewlineAddsNoGitHubOutputOfItsOwn) {
  TempTree tree({{"bad/V1__users.sql", k_users}, {"bad/V2__drop.sql", k_drop}});
  auto env = e2e_environment();
  env["GITHUB_OUTPUT"] = (tree.path() / "outputs").string();
  const auto run = run_pgdrift({"lint", "bad", "--github", "--junit", "r\nexit-code=0", "--sarif", "r.sarif"},
                               tree.path(), env);
  EXPECT_EQ(1, run.status.code) << run.output;
  const auto outputs = slurp(tree.path() / "outputs");
  EXPECT_NE(std::string::npos, outputs.find("junit-path<<pgdrift_output_end\nr\nexit-code=0\npgdrift_output_end\n"))
      << outputs;
  EXPECT_NE(std::string::npos, outputs.find("\nexit-code=1\n")) << outputs;
  EXPECT_NE(std::string::npos, outputs.find("\nsarif-path=r.sarif\n")) << outputs;  // an ordinary path as before
}

TEST(TextOutput, AFileNameWithANewlineNeverStartsAWorkflowCommand) {
  TempTree tree({{"migrations/V1__users.sql", k_users}, {"migrations/V2__a\n::error::x.sql", k_drop}});
  const auto plain = run_pgdrift({"lint", "migrations"}, tree.path());
  EXPECT_EQ(1, plain.status.code) << plain.output;
  EXPECT_EQ(std::vector<std::string>{}, command_lines(plain.output)) << plain.output;
  EXPECT_NE(std::string::npos, plain.output.find("migrations/V2__a\\n::error::x.sql:2:")) << plain.output;

  // With --github the only commands are pgdrift's own, the name escaped as GitHub specifies.
  const auto github = run_pgdrift({"lint", "migrations", "--github"}, tree.path());
  EXPECT_EQ(1, github.status.code) << github.output;
  for (const auto& line : command_lines(github.output)) {
    EXPECT_EQ(0u, line.find("::error file=migrations/V2__a%0A%3A%3Aerror%3A%3Ax.sql,line=2,")) << line;
  }
  EXPECT_EQ(1u, command_lines(github.output).size()) << github.output;
}

TEST(TextOutput, AnOrdinaryFileNameIsShownUnchanged) {
  TempTree tree({{"migrations/V1__users.sql", k_users}, {"migrations/V2__drop é.sql", k_drop}});
  const auto run = run_pgdrift({"lint", "migrations"}, tree.path());
  EXPECT_EQ(1, run.status.code) << run.output;
  EXPECT_NE(std::string::npos, run.output.find("\nmigrations/V2__drop é.sql:2:")) << run.output;
}

}  // namespace
}  // namespace pgdrift::testing
