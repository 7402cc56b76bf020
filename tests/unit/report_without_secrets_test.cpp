#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "pgdrift/report/ci_formats.hpp"
#include "pgdrift/report/report.hpp"
#include "report_sample.hpp"

namespace pgdrift::report {
namespace {

// A report whose texts from others carry passwords: a server error echoing a dblink connection
// string and a URL, a framework command's output, a target's infrastructure error.
Report report_with_secrets() {
  Report r = testing::sample_report();
  Finding failed;
  failed.rule = "replay/statement-failed";
  failed.message = "could not connect: postgresql://app:S3cretPw@db.internal/app";
  failed.location = Location{"db/migrations/V2__orders.sql", 3, 1, 3, 20};
  failed.detail =
      "context: SQL statement \"SELECT dblink_connect('host=db password=DbL1nkPw')\"\nSQLSTATE "
      "08001";
  failed.hint = "check PGPASSWORD=HintPw";
  Finding command;
  command.rule = "replay/command-failed";
  command.message = "migration command `migrate up` failed with exit code 1";
  command.detail = "dial postgres://deploy:CmdPw@db:5432/app: refused";
  r.findings.push_back(failed);
  r.findings.push_back(command);
  sort_findings(r.findings);
  r.checks.push_back(
      {"drift", "prod", "", "prod", 1, true, "cannot reach postgres://ops:CheckPw@prod/app", ""});
  r.error_message = "stopped: sslpassword=ErrPw";
  r.error_exit_code = 3;
  return r;
}

const std::vector<std::string> k_secrets = {"S3cretPw", "DbL1nkPw", "HintPw",
                                            "CmdPw",    "CheckPw",  "ErrPw"};

TEST(WithoutSecrets, NoRendererPrintsAPasswordButKeepsTheRestOfTheMessage) {
  const Report r = report_with_secrets();
  std::ostringstream text;
  write_text(text, r, {false, true, false});
  const auto github = to_github(r, {});
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"text", text.str()},
      {"json", to_json(r)},
      {"junit", to_junit(r)},
      {"sarif", to_sarif(r)},
      {"gitlab", to_gitlab_code_quality(r, "db/migrations")},
      {"github commands", github.commands},
      {"github summary", github.summary},
  };
  for (const auto& [name, output] : outputs) {
    for (const auto& secret : k_secrets)
      EXPECT_EQ(std::string::npos, output.find(secret)) << name << ": " << secret;
    // Markdown escapes the mask's '*'.
    const std::string kept = name == "github summary"
                                 ? R"(could not connect: postgresql://app:\*\*\*@db.internal/app)"
                                 : "could not connect: postgresql://app:***@db.internal/app";
    EXPECT_NE(std::string::npos, output.find(kept)) << name << ":\n" << output;
  }
  // The SQL around the secret stays readable where the detail is shown.
  EXPECT_NE(std::string::npos, text.str().find("dblink_connect('host=db password=***')"));
  EXPECT_NE(std::string::npos, to_json(r).find("dblink_connect('host=db password=***')"));
}

TEST(WithoutSecrets, MasksOnlyTheSecretAndLeavesTextWithoutOneUnchanged) {
  const Report r = report_with_secrets();
  const Report safe = without_secrets(r);
  ASSERT_EQ(r.findings.size(), safe.findings.size());
  // The findings of report_with_secrets(), found by what pgdrift wrote in them.
  const auto finding = [&](const std::string& message_start) {
    for (const auto& f : safe.findings) {
      if (f.message.rfind(message_start, 0) == 0) return f;
    }
    return Finding{};
  };
  EXPECT_EQ("could not connect: postgresql://app:***@db.internal/app",
            finding("could not connect").message);
  EXPECT_EQ(
      "context: SQL statement \"SELECT dblink_connect('host=db password=***')\"\nSQLSTATE 08001",
      finding("could not connect").detail);
  EXPECT_EQ("check PGPASSWORD=***", finding("could not connect").hint);
  EXPECT_EQ("dial postgres://deploy:***@db:5432/app: refused", finding("migration command").detail);
  EXPECT_EQ("cannot reach postgres://ops:***@prod/app", safe.checks.back().error_message);
  EXPECT_EQ("stopped: sslpassword=***", safe.error_message);
  const Report plain = testing::sample_report();
  const Report same = without_secrets(plain);
  for (std::size_t i = 0; i < plain.findings.size(); ++i) {
    const auto& a = plain.findings[i];
    const auto& b = same.findings[i];
    EXPECT_EQ(std::vector<std::string>({a.message, a.object, a.detail, a.hint, a.target, a.fix}),
              std::vector<std::string>({b.message, b.object, b.detail, b.hint, b.target, b.fix}));
  }
}

}  // namespace
}  // namespace pgdrift::report
