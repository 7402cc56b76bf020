#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ci_text.hpp"
#include "pgdrift/report/ci_formats.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::report {

namespace {

// XML character data or attribute value: controls and ANSI escapes stripped, the five special
// characters escaped. In attributes '\n' and '\t' become character references, because a parser
// would otherwise normalize them to spaces.
std::string xml(std::string_view text, bool attribute) {
  std::string out;
  for (const char c : strip_control(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string attr(std::string_view text) { return xml(text, true); }
std::string text(std::string_view s) { return xml(s, false); }

std::string seconds(double ms) { return fmt::format("{:.3f}", ms / 1000.0); }

// "replay", "drift staging", "model", "history staging".
std::string suite_name(const Check& check) {
  if (check.target.empty() || check.target == check.family) return check.family;
  return check.family + " " + check.target;
}

// Continuation lines of a multi-line field are indented under their label.
void append_field(std::string& out, std::string_view label, const std::string& value) {
  if (value.empty()) return;
  out += "\n  ";
  out += label;
  out += ": ";
  for (const char c : value) {
    out += c;
    if (c == '\n') out += "    ";
  }
}

// "path:line: severity: message [rule]" (location prefix only when the finding has a file), then
// its detail, hint and fix; unescaped.
std::string describe(const Finding& f) {
  std::string out;
  if (f.location && !f.location->file.empty()) {
    out += f.location->file;
    if (f.location->line > 0) out += ":" + std::to_string(f.location->line);
    out += ": ";
  }
  out += std::string(to_string(f.severity)) + ": " + f.message + " [" + f.rule + "]";
  append_field(out, "detail", f.detail);
  append_field(out, "hint", f.hint);
  append_field(out, "fix", f.fix);
  return out;
}

std::string describe_all(const std::vector<const Finding*>& findings) {
  std::string out;
  for (const Finding* f : findings) {
    if (!out.empty()) out += "\n";
    out += describe(*f);
  }
  return out;
}

bool is_skipped_migration(const Report& report, const Check& check) {
  if (check.family != "replay") return false;
  for (const auto& m : report.migrations) {
    if (m.file == check.file) return m.status == "skipped";
  }
  return false;
}

struct Suite {
  std::string name;
  std::string cases;  // rendered <testcase> elements
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  double duration_ms = 0;
};

class Builder {
 public:
  explicit Builder(const Report& report) : m_report(report) {}

  // Adds one <testcase> for `check` showing `findings` to the suite `name`. An error's type is the
  // first failing finding's rule, else `error_type`; `error_hint` follows its text.
  void add(const std::string& name, const Check& check, const std::vector<const Finding*>& findings,
           const std::string& error_type = "error", const std::string& error_hint = "") {
    Suite& suite = suite_named(name);
    std::vector<const Finding*> failing;
    std::vector<const Finding*> notices;
    for (const Finding* f : findings)
      (f->severity >= Severity::warning ? failing : notices).push_back(f);

    std::string body;
    if (check.error) {
      // The finding that usually repeats the error (e.g. drift/target-unreachable) names the type.
      std::vector<const Finding*> others;
      for (const Finding* f : failing) {
        if (f->message != check.error_message) others.push_back(f);
      }
      const std::string type = failing.empty() ? error_type : failing.front()->rule;
      std::string content = check.error_message;
      append_field(content, "hint", error_hint);
      if (!others.empty()) content += "\n" + describe_all(others);
      body += "      <error message=\"" + attr(check.error_message) + "\" type=\"" + attr(type) +
              "\">" + text(content) + "</error>\n";
      ++suite.errors;
    } else if (!failing.empty()) {
      body += "      <failure message=\"" + attr(failing.front()->message) + "\" type=\"" +
              attr(failing.front()->rule) + "\">" + text(describe_all(failing)) + "</failure>\n";
      ++suite.failures;
    } else if (is_skipped_migration(m_report, check)) {
      body += "      <skipped message=\"not applied: replay stopped at an earlier failure\"/>\n";
      ++suite.skipped;
    }
    if (!notices.empty())
      body += "      <system-out>" + text(describe_all(notices)) + "</system-out>\n";

    std::string element =
        "    <testcase classname=\"" + attr(name) + "\" name=\"" + attr(check.name) + "\"";
    if (!check.file.empty()) element += " file=\"" + attr(check.file) + "\"";
    element += " time=\"" + seconds(check.duration_ms) + "\"";
    suite.cases += body.empty() ? element + "/>\n" : element + ">\n" + body + "    </testcase>\n";
    ++suite.tests;
    suite.duration_ms += check.duration_ms;
  }

  std::string render() const {
    int tests = 0, failures = 0, errors = 0;
    std::string inner;
    for (const auto& s : m_suites) {
      tests += s.tests;
      failures += s.failures;
      errors += s.errors;
      inner += fmt::format(
          "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
          "time=\"{}\">\n",
          attr(s.name), s.tests, s.failures, s.errors, s.skipped, seconds(s.duration_ms));
      if (&s == &m_suites.front()) inner += judged_properties();
      inner += s.cases;
      inner += "  </testsuite>\n";
    }
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"pgdrift\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n"
        "{}</testsuites>\n",
        tests, failures, errors, seconds(m_report.duration_ms), inner);
  }

 private:
  // Suites keep the order in which their first test case was added.
  Suite& suite_named(const std::string& name) {
    for (auto& s : m_suites) {
      if (s.name == name) return s;
    }
    m_suites.push_back(Suite{name, "", 0, 0, 0, 0, 0});
    return m_suites.back();
  }

  // Which migrations were judged, as properties of the first suite (CI test views show them).
  std::string judged_properties() const {
    const auto& j = m_report.judged;
    if (!j.present) return "";
    std::string out = "    <properties>\n";
    const auto property = [&out](const std::string& name, const std::string& value) {
      out += "      <property name=\"" + attr(name) + "\" value=\"" + attr(value) + "\"/>\n";
    };
    property("pgdrift.judged", judged_sentence(m_report));
    property("pgdrift.judged.base", j.narrowed ? j.base : "");
    property("pgdrift.judged.new", util::join(j.new_files, " "));
    property("pgdrift.judged.history_count", std::to_string(j.history_count));
    return out + "    </properties>\n";
  }

  const Report& m_report;
  std::vector<Suite> m_suites;
};

}  // namespace

std::string to_junit(const Report& given) {
  const Report report = without_secrets(given);
  Builder builder(report);
  std::set<const Finding*> shown;
  bool error_shown = false;
  for (const Check& check : report.checks) {
    const auto findings = findings_of(report, check);
    shown.insert(findings.begin(), findings.end());
    error_shown = error_shown || check.error;
    builder.add(suite_name(check), check, findings);
  }

  // Findings no check claims (a replay warning without a file, a family without checks) must not
  // vanish from the CI view: one extra case per suite holds them.
  std::vector<std::pair<std::string, std::vector<const Finding*>>> leftovers;
  for (const Finding& f : report.findings) {
    if (shown.count(&f) != 0) continue;
    Check synthetic;
    synthetic.family = f.rule.substr(0, f.rule.find('/'));
    synthetic.target = f.target;
    if (synthetic.family == "drift" && f.target == "model") synthetic.family = "model";
    const std::string name = suite_name(synthetic);
    auto it = std::find_if(leftovers.begin(), leftovers.end(),
                           [&](const auto& l) { return l.first == name; });
    if (it == leftovers.end()) it = leftovers.insert(leftovers.end(), {name, {}});
    it->second.push_back(&f);
  }
  for (const auto& [name, findings] : leftovers) {
    Check synthetic;
    synthetic.name = "other findings";
    builder.add(name, synthetic, findings);
  }

  // A run that stopped early (usage or infrastructure error) says so as an <error>, unless a
  // check already carries it.
  if (report.error_exit_code != 0 && !error_shown) {
    Check stopped;
    stopped.name = "pgdrift " + report.command;
    stopped.error = true;
    stopped.error_message = report.error_message;
    builder.add("run", stopped, {}, report.error_exit_code == 2 ? "usage" : "infrastructure",
                report.error_hint);
  }
  return builder.render();
}

}  // namespace pgdrift::report
