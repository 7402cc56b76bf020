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

// One <testcase> to render.
struct Case {
  std::string suite;
  std::string name;
  std::string file;
  double duration_ms = 0;
  std::vector<const Finding*> findings;
  bool error = false;  // the check could not run
  std::string error_message;
  std::string error_type = "error";
  std::string error_hint;
  std::string skipped;  // why it did not run (not a failure of the run), when not empty
};

class Builder {
 public:
  explicit Builder(const Report& report) : m_report(report) {}

  // Adds `c` to its suite: <error> for a check that could not run when that fails the run, else
  // <skipped>; <failure> listing the findings at or above fail_on; lower ones in <system-out>.
  void add(const Case& c) {
    Suite& suite = suite_named(c.suite);
    std::vector<const Finding*> failing;
    std::vector<const Finding*> others;
    for (const Finding* f : c.findings) (f->severity >= m_report.fail_on ? failing : others).push_back(f);

    std::string body;
    if (c.error && (!failing.empty() || m_report.error_exit_code != 0)) {
      // The finding that usually repeats the error (e.g. drift/target-unreachable) names the type.
      std::vector<const Finding*> rest;
      for (const Finding* f : failing) {
        if (f->message != c.error_message) rest.push_back(f);
      }
      const std::string type = failing.empty() ? c.error_type : failing.front()->rule;
      std::string content = c.error_message;
      append_field(content, "hint", c.error_hint);
      if (!rest.empty()) content += "\n" + describe_all(rest);
      body += "      <error message=\"" + attr(c.error_message) + "\" type=\"" + attr(type) + "\">" + text(content) +
              "</error>\n";
      ++suite.errors;
    } else if (!failing.empty()) {
      const std::string message =
          failing.size() == 1 ? failing.front()->message
                              : fmt::format("{} findings at or above {}", failing.size(), to_string(m_report.fail_on));
      body += "      <failure message=\"" + attr(message) + "\" type=\"" + attr(failing.front()->rule) + "\">" +
              text(describe_all(failing)) + "</failure>\n";
      ++suite.failures;
    } else if (c.error || !c.skipped.empty()) {
      body += "      <skipped message=\"" + attr(c.error ? c.error_message : c.skipped) + "\"/>\n";
      ++suite.skipped;
    }
    if (!others.empty()) body += "      <system-out>" + text(describe_all(others)) + "</system-out>\n";

    std::string element = "    <testcase classname=\"" + attr(c.suite) + "\" name=\"" + attr(c.name) + "\"";
    if (!c.file.empty()) element += " file=\"" + attr(c.file) + "\"";
    element += " time=\"" + seconds(c.duration_ms) + "\"";
    suite.cases += body.empty() ? element + "/>\n" : element + ">\n" + body + "    </testcase>\n";
    ++suite.tests;
    suite.duration_ms += c.duration_ms;
  }

  std::string render() const {
    int tests = 0, failures = 0, errors = 0, skipped = 0;
    std::string inner;
    for (const auto& s : m_suites) {
      tests += s.tests;
      failures += s.failures;
      errors += s.errors;
      skipped += s.skipped;
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
        "<testsuites name=\"pgdrift\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n"
        "{}</testsuites>\n",
        tests, failures, errors, skipped, seconds(m_report.duration_ms), inner);
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

std::string file_of(const Finding& f) { return f.location ? f.location->file : std::string(); }

using FileGroups = std::vector<std::pair<std::string, std::vector<const Finding*>>>;

// `findings` split by file, in order of first appearance (those without a file together).
FileGroups by_file(const std::vector<const Finding*>& findings) {
  FileGroups out;
  for (const Finding* f : findings) {
    const std::string file = file_of(*f);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.first == file; });
    if (it == out.end()) it = out.insert(out.end(), {file, {}});
    it->second.push_back(f);
  }
  return out;
}

// What one test case stands for when it passes: a check, or (lint) a rule over every file it was
// checked in.
struct Unit {
  std::string suite;
  std::string name;  // the migration, the rule, the target
  std::string file;  // the check's own file (replay: the migration; model: the model file)
  std::vector<const Check*> checks;
};

}  // namespace


std::string to_junit(const Report& given) {
  const Report report = without_secrets(given);
  // Lint checks (one per rule and file) become one unit per rule.
  std::vector<Unit> units;
  for (const Check& check : report.checks) {
    const std::string suite = suite_name(check);
    if (check.family == "lint") {
      auto it = std::find_if(units.begin(), units.end(),
                             [&](const Unit& u) { return u.suite == suite && u.name == check.rule; });
      if (it == units.end()) it = units.insert(units.end(), Unit{suite, check.rule, "", {}});
      it->checks.push_back(&check);
    } else {
      units.push_back(Unit{suite, check.name, check.file, {&check}});
    }
  }

  Builder builder(report);
  std::set<const Finding*> shown;
  bool error_shown = false;
  for (const Unit& unit : units) {
    std::vector<const Finding*> findings;
    Case base;
    base.suite = unit.suite;
    for (const Check* check : unit.checks) {
      for (const Finding* f : findings_of(report, *check)) {
        if (shown.insert(f).second) findings.push_back(f);
      }
      base.duration_ms += check->duration_ms;
      if (check->error) {
        base.error = true;
        base.error_message = check->error_message;
      }
    }
    error_shown = error_shown || base.error;
    if (findings.empty() || base.error) {
      Case c = base;
      c.name = unit.name;
      c.file = unit.file;
      c.findings = findings;
      if (unit.checks.size() == 1 && is_skipped_migration(report, *unit.checks.front()))
        c.skipped = "not applied: replay stopped at an earlier failure";
      builder.add(c);
      continue;
    }
    // A unit with findings: one case per file they are in ("V2__x.sql lint/drop-column",
    // "production db/migrations/V3__x.sql"); the check's own file, or none, keeps the unit's name.
    const bool lint = unit.checks.front()->family == "lint";
    bool first = true;
    for (const auto& [file, group] : by_file(findings)) {
      Case c = base;
      c.duration_ms = first ? base.duration_ms : 0;
      first = false;
      c.file = file.empty() ? unit.file : file;
      if (lint) {
        c.name = file + " " + unit.name;
      } else {
        c.name = file.empty() || file == unit.file ? unit.name : unit.name + " " + file;
      }
      c.findings = group;
      builder.add(c);
    }
  }

  // Findings no check claims (a replay warning without a file, a family without checks) must not
  // vanish from the CI view: extra cases per suite and file hold them.
  std::vector<std::pair<std::string, std::vector<const Finding*>>> leftovers;
  for (const Finding& f : report.findings) {
    if (shown.count(&f) != 0) continue;
    Check synthetic;
    synthetic.family = f.rule.substr(0, f.rule.find('/'));
    synthetic.target = f.target;
    if (synthetic.family == "drift" && f.target == "model") synthetic.family = "model";
    const std::string name = suite_name(synthetic);
    auto it = std::find_if(leftovers.begin(), leftovers.end(), [&](const auto& l) { return l.first == name; });
    if (it == leftovers.end()) it = leftovers.insert(leftovers.end(), {name, {}});
    it->second.push_back(&f);
  }
  for (const auto& [name, findings] : leftovers) {
    for (const auto& [file, group] : by_file(findings)) {
      Case c;
      c.suite = name;
      c.name = file.empty() ? "other findings" : "other findings " + file;
      c.file = file;
      c.findings = group;
      builder.add(c);
    }
  }

  // A run that stopped early (usage or infrastructure error) says so as an <error>, unless a
  // check already carries it.
  if (report.error_exit_code != 0 && !error_shown) {
    Case stopped;
    stopped.suite = "run";
    stopped.name = "pgdrift " + report.command;
    stopped.error = true;
    stopped.error_message = report.error_message;
    stopped.error_type = report.error_exit_code == 2 ? "usage" : "infrastructure";
    stopped.error_hint = report.error_hint;
    builder.add(stopped);
  }
  return builder.render();
}

}  // namespace pgdrift::report
