#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arrange.hpp"
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

// A workflow command for a finding located in a file (never a directory: a finding without a
// file is shown in the job summary only).
std::string annotation(const Finding& f) {
  std::vector<std::pair<std::string, std::string>> properties;
  const Location& l = *f.location;
  properties.emplace_back("file", repo_path(l.file));
  if (l.line > 0) {
    properties.emplace_back("line", std::to_string(l.line));
    if (l.end_line > 0) properties.emplace_back("endLine", std::to_string(l.end_line));
    if (l.column > 0) properties.emplace_back("col", std::to_string(l.column));
    if (l.end_column > 0) properties.emplace_back("endColumn", std::to_string(l.end_column));
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

// Which findings become annotations: those with a file, most severe first and, within a
// severity, those on new migrations first, at most 10 per type (9 notices when the "not
// annotated" notice needs the tenth slot).
struct AnnotationPlan {
  std::vector<const Finding*> shown;
  std::size_t without_file = 0;  // summary only: no source line to put them on
  std::size_t over_limit = 0;    // left out by GitHub's limit per type
  std::size_t not_shown() const { return without_file + over_limit; }
};

AnnotationPlan plan_annotations(const Report& report) {
  AnnotationPlan plan;
  std::vector<const Finding*> ordered;
  for (const auto& f : report.findings) {
    if (has_file(f)) {
      ordered.push_back(&f);
    } else {
      ++plan.without_file;
    }
  }
  std::stable_sort(ordered.begin(), ordered.end(), [&](const Finding* a, const Finding* b) {
    if (a->severity != b->severity) return a->severity > b->severity;
    return on_new_migration(report, *a) && !on_new_migration(report, *b);
  });
  std::array<std::size_t, 3> total{};
  for (const Finding* f : ordered) ++total[static_cast<std::size_t>(f->severity)];
  const bool overflow = std::any_of(total.begin(), total.end(),
                                    [](std::size_t n) { return n > k_annotations_per_type; });
  // The "not annotated" notice is a notice itself: keep a slot for it so GitHub shows it.
  std::array<std::size_t, 3> limit{k_annotations_per_type, k_annotations_per_type,
                                   k_annotations_per_type};
  if (overflow || plan.without_file > 0) limit[static_cast<std::size_t>(Severity::notice)] = k_annotations_per_type - 1;
  std::array<std::size_t, 3> shown{};
  for (const Finding* f : ordered) {
    auto& n = shown[static_cast<std::size_t>(f->severity)];
    if (n < limit[static_cast<std::size_t>(f->severity)]) {
      plan.shown.push_back(f);
      ++n;
    } else {
      ++plan.over_limit;
    }
  }
  return plan;
}

// "3 findings are not annotated (2 without a source line, 1 over GitHub's limit of 10 per type)".
std::string not_annotated_text(const AnnotationPlan& plan) {
  std::vector<std::string> why;
  if (plan.without_file > 0) why.push_back(fmt::format("{} without a source line", plan.without_file));
  if (plan.over_limit > 0)
    why.push_back(fmt::format("{} over GitHub's limit of {} per type", plan.over_limit, k_annotations_per_type));
  return fmt::format("{} not annotated ({})",
                     plan.not_shown() == 1 ? std::string("1 finding is") : fmt::format("{} findings are", plan.not_shown()),
                     util::join(why, ", "));
}

std::string commands(const Report& report, const GitHubOptions& options) {
  const AnnotationPlan plan = plan_annotations(report);
  std::string out;
  for (const Finding* f : plan.shown) out += annotation(*f);
  if (plan.not_shown() > 0) {
    std::string where = "see the job summary";
    const std::string paths = report_paths_text(options);
    if (!paths.empty()) where += " or " + paths;
    out += "::notice title=pgdrift::" + escape_data(not_annotated_text(plan) + "; " + where) + "\n";
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

// Plain Markdown text (paragraphs and table cells): no HTML, no emphasis or links, no cell
// breaks; line breaks become <br>.
std::string markdown_plain(std::string_view text) {
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

// A code span holding `text`: a fence longer than any backtick run inside, '|' escaped (GitHub
// tables split cells on it even in code), line breaks as spaces.
std::string code_span(std::string_view raw) {
  std::string text;
  std::size_t longest = 0, run = 0;
  for (const char c : raw) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|') {
      text += "\\|";
    } else if (c == '\n') {
      text += ' ';
    } else {
      text += c;
    }
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`' || text.front() == ' ');
  return fence + (pad ? " " + text + " " : text) + fence;
}

// Text inside Markdown: what pgdrift writes as `code` (a command in a hint, a name in a message)
// renders as code; everything else is plain (markdown_plain). An unpaired backtick stays literal.
std::string markdown_text(std::string_view raw) {
  const std::string text = strip_control(raw);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find('`', i);
    const auto close = open == std::string::npos ? std::string::npos : text.find('`', open + 1);
    const bool span = close != std::string::npos && close > open + 1 &&
                      text.find('\n', open) > close;
    if (!span) {
      out += markdown_plain(std::string_view(text).substr(i, open == std::string::npos ? std::string::npos : open + 1 - i));
      if (open == std::string::npos) break;
      i = open + 1;
      continue;
    }
    out += markdown_plain(std::string_view(text).substr(i, open - i));
    out += code_span(std::string_view(text).substr(open + 1, close - open - 1));
    i = close + 1;
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
  if (!has_file(f)) return "—";
  std::string s = repo_path(f.location->file);
  if (f.location->line > 0) s += ":" + std::to_string(f.location->line);
  if (f.location->line > 0 && f.location->column > 0) s += ":" + std::to_string(f.location->column);
  return markdown_plain(strip_control(s));
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

std::string header(const Report& report, const AnnotationPlan& plan) {
  const int code = exit_code(report);
  std::array<std::size_t, 3> counts{};
  for (const auto& f : report.findings) ++counts[static_cast<std::size_t>(f.severity)];
  std::string out = fmt::format("## pgdrift {}: {} (exit {})\n\n", markdown_text(report.command),
                                code == 0 ? "passed" : "failed", code);
  // The counts a reviewer reads first: per target.
  std::vector<std::string> per_target;
  for (const auto& c : target_counts(report))
    per_target.push_back("**" + markdown_plain(strip_control(target_label(c.target))) + "**: " + markdown_text(c.text));
  if (!per_target.empty()) out += util::join(per_target, " · ") + "\n\n";

  out += fmt::format("{}, {}, {} (fails on {})", plural(counts[2], "error"),
                     plural(counts[1], "warning"), plural(counts[0], "notice"),
                     to_string(report.fail_on));
  if (!report.migrations_dir.empty()) {
    out += fmt::format(" · {} ({}, {})", markdown_text(report.migrations_dir),
                       markdown_text(report.format), plural(report.migrations.size(), "migration"));
  } else if (!report.migrations_command.empty()) {
    out += fmt::format(" · {} ({}, {})", markdown_text(report.migrations_command),
                       markdown_text(report.format), plural(report.migrations.size(), "migration"));
  }
  if (!report.backend.empty()) {
    out += fmt::format(" · {} PostgreSQL {}", markdown_text(report.backend),
                       markdown_text(report.server_version));
  }
  // One paragraph: what ran, what was judged, what is not annotated.
  out += ".";
  if (const auto judged = judged_sentence(report); !judged.empty()) out += " " + markdown_text(judged);
  if (plan.not_shown() > 0) out += " " + markdown_text(not_annotated_text(plan)) + ".";
  out += "\n";
  if (report.error_exit_code != 0) {
    out += "\n> **error:** " + markdown_text(report.error_message) + "\n";
    if (!report.error_hint.empty())
      out += ">\n> **hint:** " + markdown_text(report.error_hint) + "\n";
  }
  return out;
}

std::string finding_row(const Finding& f, bool show_hint, bool show_target = false) {
  std::string cell = markdown_text(clip(f.message, k_cell_limit));
  if (!f.detail.empty()) cell += "<br>detail: " + markdown_text(clip(f.detail, k_cell_limit));
  if (show_hint && !f.hint.empty()) cell += "<br>hint: " + markdown_text(clip(f.hint, k_cell_limit));
  std::string where = location_text(f);
  if (show_target && !f.target.empty()) {
    where = "**" + markdown_plain(strip_control(f.target)) + "**" + (has_file(f) ? " · " + where : std::string());
  }
  return fmt::format("| {} | {} | {} | {} |\n", to_string(f.severity), code_span(f.rule), where, cell);
}

std::string section_heading(const Report& report, const Section& s) {
  const std::string what = plural(s.findings.size(), "finding");
  if (s.kind == SectionKind::new_migrations) return fmt::format("New migrations: {}", what);
  const std::string failing = report.fail_on == Severity::error ? "Errors" : "Failing";
  const std::string target = s.target.empty() ? std::string("migrations")
                             : s.target == "model" ? std::string("model")
                                                   : "target " + markdown_text(s.target);
  return fmt::format("{}{}: {}", s.kind == SectionKind::failing ? failing + " · " : std::string(), target, what);
}

// A section: its findings table, the hints its rules share (once each), and the fix script of
// each of `fix_targets`.
void section_blocks(const Report& report, const Section& s, const std::vector<std::string>& fix_targets,
                    std::size_t& shown, Budget& out) {
  const auto hints = shared_hints(s.findings);
  const std::string heading =
      s.kind == SectionKind::other ? std::string() : "\n### " + section_heading(report, s) + "\n";
  if (!out.add(heading + "\n| severity | rule | location | message |\n|---|---|---|---|\n")) return;
  for (const Finding* f : s.findings) {
    if (!out.add(finding_row(*f, !hint_is_shared(hints, *f), s.kind == SectionKind::other))) return;
    ++shown;
  }
  if (!hints.empty()) {
    std::string block = "\n";
    for (const auto& h : hints) block += "- " + code_span(h.rule) + ": " + markdown_text(clip(h.hint, k_cell_limit)) + "\n";
    if (!out.add(block)) return;
  }
  for (const auto& target : fix_targets) {
    const std::string script = target_fix_script(report, target);
    if (!script.empty() &&
        !out.add(fmt::format("\nFix script for {} (all of its differences, in order):\n", markdown_text(target)) +
                 code_block("sql", script)))
      return;
  }
}

std::string summary(const Report& report, const GitHubOptions& options, const AnnotationPlan& plan) {
  Budget out(k_summary_limit - k_summary_note_room);
  out.add(header(report, plan));
  if (report.findings.empty()) out.add("\nNo findings.\n");

  std::size_t shown = 0;
  std::vector<std::string> fixed;  // targets whose fix script is shown
  const auto fix_once = [&](const std::string& target, std::vector<std::string>& into) {
    if (target.empty() || std::find(fixed.begin(), fixed.end(), target) != fixed.end()) return;
    fixed.push_back(target);
    into.push_back(target);
  };
  // What fails the run and the new migrations' findings: in view. The rest: one table (its rows
  // name their target) in a collapsed <details>.
  Section other{SectionKind::other, "", {}};
  std::vector<std::string> other_targets;
  for (const auto& s : arrange(report)) {
    if (s.kind == SectionKind::other) {
      other.findings.insert(other.findings.end(), s.findings.begin(), s.findings.end());
      other_targets.push_back(s.target);
      continue;
    }
    std::vector<std::string> fixes;
    fix_once(s.target, fixes);
    section_blocks(report, s, fixes, shown, out);
  }
  bool details_open = false;
  if (!other.findings.empty() && out.add(fmt::format("\n<details><summary>Other findings: {}</summary>\n",
                                                     other.findings.size()))) {
    details_open = true;
    std::vector<std::string> fixes;
    for (const auto& target : other_targets) fix_once(target, fixes);
    section_blocks(report, other, fixes, shown, out);
  }
  std::string text = out.take();
  if (details_open) text += "\n</details>\n";
  if (out.full()) {
    std::string where = "the JSON report (`--json FILE`)";
    const std::string paths = report_paths_text(options);
    if (!paths.empty()) where += " and " + markdown_plain(paths);
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
  out.summary = summary(report, options, plan_annotations(report));
  out.outputs = options.report_paths;
  out.outputs["exit-code"] = std::to_string(exit_code(report));
  out.outputs["findings"] = std::to_string(report.findings.size());
  out.outputs["drift-detected"] = drift_detected(report) ? "true" : "false";
  if (!report.judged.cache.empty()) out.outputs["replay-cache"] = report.judged.cache;
  return out;
}

}  // namespace pgdrift::report
