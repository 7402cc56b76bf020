#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ci_text.hpp"
#include "pgdrift/report/ci_formats.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::report {

namespace {

// GitHub shows at most 10 annotations of each type per step, and refuses a step summary over 1 MiB.
constexpr std::size_t k_annotations_per_type = 10;
constexpr std::size_t k_summary_limit = 1024 * 1024;
constexpr std::size_t k_summary_note_room = 4096;  // kept free for the truncation note
constexpr std::size_t k_cell_limit = 4000;         // bytes of one finding's text in a table cell

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// strip_control() drops CR too; annotations keep it (escaped as %0D) as the runner restores it.
std::string clean_keep_cr(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto cr = text.find('\r', start);
    out += strip_control(
        text.substr(start, cr == std::string_view::npos ? std::string_view::npos : cr - start));
    if (cr == std::string_view::npos) return out;
    out += '\r';
    start = cr + 1;
  }
}

// Workflow command data: the runner decodes %25, %0D and %0A.
std::string escape_data(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

// Workflow command property values: also %3A and %2C, since ':' and ',' delimit properties.
std::string escape_property(std::string_view text) {
  std::string out;
  for (const char c : escape_data(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

// Repo-relative with forward slashes, as GitHub matches annotation paths.
std::string repo_path(const std::string& path) {
  std::string p = path;
  std::replace(p.begin(), p.end(), '\\', '/');
  while (util::starts_with(p, "./")) p.erase(0, 2);
  return p;
}

bool has_file(const Finding& f) { return f.location && !f.location->file.empty(); }

std::string annotation(const Finding& f, const std::string& fallback_path) {
  std::vector<std::pair<std::string, std::string>> properties;
  if (has_file(f)) {
    const Location& l = *f.location;
    properties.emplace_back("file", repo_path(l.file));
    if (l.line > 0) {
      properties.emplace_back("line", std::to_string(l.line));
      if (l.end_line > 0) properties.emplace_back("endLine", std::to_string(l.end_line));
      if (l.column > 0) properties.emplace_back("col", std::to_string(l.column));
      if (l.end_column > 0) properties.emplace_back("endColumn", std::to_string(l.end_column));
    }
  } else if (!fallback_path.empty()) {
    properties.emplace_back("file", repo_path(fallback_path));
  }
  properties.emplace_back("title", f.target.empty() ? f.rule : f.rule + " (" + f.target + ")");

  std::string message = clean_keep_cr(f.message);
  if (!f.hint.empty()) message += "\nhint: " + clean_keep_cr(f.hint);

  std::string line = "::" + std::string(to_string(f.severity));
  for (std::size_t i = 0; i < properties.size(); ++i) {
    line +=
        (i == 0 ? " " : ",") + properties[i].first + "=" + escape_property(properties[i].second);
  }
  return line + "::" + escape_data(message) + "\n";
}

std::string report_paths_text(const GitHubOptions& options) {
  std::vector<std::string> paths;
  for (const auto& [name, path] : options.report_paths) paths.push_back(path);
  return util::join(paths, ", ");
}

std::string commands(const Report& report, const GitHubOptions& options) {
  std::vector<const Finding*> ordered;
  for (const auto& f : report.findings) ordered.push_back(&f);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Finding* a, const Finding* b) { return a->severity > b->severity; });

  std::array<std::size_t, 3> total{};
  for (const Finding* f : ordered) ++total[static_cast<std::size_t>(f->severity)];
  const bool overflow = std::any_of(total.begin(), total.end(),
                                    [](std::size_t n) { return n > k_annotations_per_type; });
  // The "N more" notice is a notice itself: keep a slot for it so GitHub shows it.
  std::array<std::size_t, 3> limit{k_annotations_per_type, k_annotations_per_type,
                                   k_annotations_per_type};
  if (overflow) limit[static_cast<std::size_t>(Severity::notice)] = k_annotations_per_type - 1;

  std::string out;
  std::array<std::size_t, 3> shown{};
  std::size_t hidden = 0;
  for (const Finding* f : ordered) {
    auto& n = shown[static_cast<std::size_t>(f->severity)];
    if (n < limit[static_cast<std::size_t>(f->severity)]) {
      out += annotation(*f, options.fallback_path);
      ++n;
    } else {
      ++hidden;
    }
  }
  if (hidden > 0) {
    std::string where = "see the job summary";
    const std::string paths = report_paths_text(options);
    if (!paths.empty()) where += " or " + paths;
    out +=
        "::notice title=pgdrift::" +
        escape_data(fmt::format(
            "{} not shown as annotations (GitHub shows at most {} per type); {}",
            hidden == 1 ? std::string("1 more finding") : fmt::format("{} more findings", hidden),
            k_annotations_per_type, where)) +
        "\n";
  }
  return out;
}

// At most `limit` bytes of UTF-8 `text`, cut at a code point boundary, "…" marking a cut.
std::string clip(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "…";
}

// Text inside Markdown (paragraphs and table cells): no HTML, no emphasis or links, no cell
// breaks; line breaks become <br>.
std::string markdown_text(std::string_view raw) {
  const std::string text = strip_control(raw);
  std::string out;
  for (const char c : text) {
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
      case '\n':
        out += "<br>";
        break;
      case '\\':
      case '`':
      case '*':
      case '[':
      case ']':
      case '|':
      case '~':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A fenced code block whose fence is longer than any backtick run inside.
std::string code_block(std::string_view language, std::string_view raw) {
  std::string text = strip_control(raw);
  std::size_t longest = 0, run = 0;
  for (const char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  if (text.empty() || text.back() != '\n') text += '\n';
  return fence + std::string(language) + "\n" + text + fence + "\n";
}

std::string location_text(const Finding& f) {
  if (has_file(f)) {
    std::string s = repo_path(f.location->file);
    if (f.location->line > 0) s += ":" + std::to_string(f.location->line);
    if (f.location->line > 0 && f.location->column > 0)
      s += ":" + std::to_string(f.location->column);
    return markdown_text(s);
  }
  return f.object.empty() ? "—" : markdown_text(f.object);
}

std::string target_heading(const std::string& target) {
  if (target.empty()) return "Migrations";
  if (target == "model") return "Model";
  return "Target " + markdown_text(target);
}

// Appends whole blocks while they fit, so a cut never leaves a table row or code block open.
class Budget {
 public:
  explicit Budget(std::size_t limit) : m_limit(limit) {}
  bool add(const std::string& block) {
    if (m_full || m_text.size() + block.size() > m_limit) {
      m_full = true;
      return false;
    }
    m_text += block;
    return true;
  }
  bool full() const { return m_full; }
  std::string take() { return std::move(m_text); }

 private:
  std::size_t m_limit;
  std::string m_text;
  bool m_full = false;
};

std::string header(const Report& report) {
  const int code = exit_code(report);
  std::array<std::size_t, 3> counts{};
  for (const auto& f : report.findings) ++counts[static_cast<std::size_t>(f.severity)];
  std::string out = fmt::format("## pgdrift {}: {} (exit {})\n\n", markdown_text(report.command),
                                code == 0 ? "passed" : "failed", code);
  out += fmt::format("{}, {}, {} (fails on {})", plural(counts[2], "error"),
                     plural(counts[1], "warning"), plural(counts[0], "notice"),
                     to_string(report.fail_on));
  if (!report.migrations_dir.empty()) {
    out += fmt::format(" · {} ({}, {})", markdown_text(report.migrations_dir),
                       markdown_text(report.format), plural(report.migrations.size(), "migration"));
  }
  if (!report.backend.empty()) {
    out += fmt::format(" · {} PostgreSQL {}", markdown_text(report.backend),
                       markdown_text(report.server_version));
  }
  out += "\n";
  if (const auto judged = judged_sentence(report); !judged.empty()) out += "\n" + markdown_text(judged) + "\n";
  if (report.error_exit_code != 0) {
    out += "\n> **error:** " + markdown_text(report.error_message) + "\n";
    if (!report.error_hint.empty())
      out += ">\n> **hint:** " + markdown_text(report.error_hint) + "\n";
  }
  return out;
}

// One row per check family and target, in the order the checks ran.
std::string checks_table(const Report& report) {
  struct Row {
    std::string family, target;
    std::size_t passed = 0, failed = 0, not_checked = 0, findings = 0;
  };
  std::vector<Row> rows;
  for (const auto& check : report.checks) {
    auto row = std::find_if(rows.begin(), rows.end(), [&](const Row& r) {
      return r.family == check.family && r.target == check.target;
    });
    if (row == rows.end()) row = rows.insert(rows.end(), Row{check.family, check.target});
    const auto findings = findings_of(report, check);
    row->findings += findings.size();
    const bool failed = std::any_of(findings.begin(), findings.end(), [&](const Finding* f) {
      return f->severity >= report.fail_on;
    });
    if (check.error) {
      ++row->not_checked;
    } else if (failed) {
      ++row->failed;
    } else {
      ++row->passed;
    }
  }
  std::string out =
      "\n### Checks\n\n| check | target | passed | failed | not checked | findings "
      "|\n|---|---|---:|---:|---:|---:|\n";
  for (const auto& r : rows) {
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", markdown_text(r.family),
                       r.target.empty() ? "—" : markdown_text(r.target), r.passed, r.failed,
                       r.not_checked, r.findings);
  }
  return out;
}

// Targets in a stable order: the migrations themselves, then as the checks name them.
std::vector<std::string> finding_targets(const Report& report) {
  std::vector<std::string> targets;
  auto add = [&](const std::string& target) {
    const bool used = std::any_of(report.findings.begin(), report.findings.end(),
                                  [&](const Finding& f) { return f.target == target; });
    if (used && std::find(targets.begin(), targets.end(), target) == targets.end())
      targets.push_back(target);
  };
  add("");
  for (const auto& check : report.checks) add(check.target);
  for (const auto& f : report.findings) add(f.target);
  return targets;
}

std::string finding_row(const Finding& f) {
  std::string message = clip(f.message, k_cell_limit);
  std::string cell = markdown_text(message);
  if (!f.detail.empty()) cell += "<br>detail: " + markdown_text(clip(f.detail, k_cell_limit));
  if (!f.hint.empty()) cell += "<br>hint: " + markdown_text(clip(f.hint, k_cell_limit));
  return fmt::format("| {} | `{}` | {} | {} |\n", to_string(f.severity), f.rule, location_text(f),
                     cell);
}

std::string fix_block(const Finding& f) {
  const std::string what = f.object.empty() ? std::string() : " " + markdown_text(f.object);
  return fmt::format("\nFix for{} (`{}`):\n\n", what, f.rule) + code_block("sql", f.fix);
}

std::string summary(const Report& report, const GitHubOptions& options) {
  Budget out(k_summary_limit - k_summary_note_room);
  out.add(header(report));
  if (!report.checks.empty()) out.add(checks_table(report));
  if (report.findings.empty()) out.add("\nNo findings.\n");

  std::size_t shown = 0;
  for (const auto& target : finding_targets(report)) {
    std::vector<const Finding*> group;
    for (const auto& f : report.findings) {
      if (f.target == target) group.push_back(&f);
    }
    std::stable_sort(group.begin(), group.end(),
                     [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
    if (!out.add(fmt::format(
            "\n### {} ({})\n\n| severity | rule | location | message |\n|---|---|---|---|\n",
            target_heading(target), plural(group.size(), "finding")))) {
      break;
    }
    for (const Finding* f : group) {
      if (!out.add(finding_row(*f))) break;
      ++shown;
    }
    for (const Finding* f : group) {
      if (!f->fix.empty() && !out.add(fix_block(*f))) break;
    }
  }

  std::string text = out.take();
  if (out.full()) {
    std::string where = "the JSON report (`--json FILE`)";
    const std::string paths = report_paths_text(options);
    if (!paths.empty()) where += " and " + markdown_text(paths);
    text += fmt::format(
        "\n---\n\n**Summary truncated** at GitHub's 1 MiB limit: {} of {} shown in tables. Every "
        "finding is in {}.\n",
        shown, plural(report.findings.size(), "finding"), where);
  }
  return text;
}

bool drift_detected(const Report& report) {
  return std::any_of(report.findings.begin(), report.findings.end(), [](const Finding& f) {
    return util::starts_with(f.rule, "drift/") && f.rule != "drift/not-checked" &&
           f.rule != "drift/target-skipped" && f.rule != "drift/target-unreachable" &&
           f.severity >= Severity::warning;
  });
}

}  // namespace

GitHubOutput to_github(const Report& given, const GitHubOptions& options) {
  const Report report = without_secrets(given);
  GitHubOutput out;
  out.commands = commands(report, options);
  out.summary = summary(report, options);
  out.outputs = options.report_paths;
  out.outputs["exit-code"] = std::to_string(exit_code(report));
  out.outputs["findings"] = std::to_string(report.findings.size());
  out.outputs["drift-detected"] = drift_detected(report) ? "true" : "false";
  if (!report.judged.cache.empty()) out.outputs["replay-cache"] = report.judged.cache;
  return out;
}

}  // namespace pgdrift::report
