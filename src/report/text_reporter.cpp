#include <fmt/format.h>

#include <algorithm>

#include "arrange.hpp"
#include "ci_text.hpp"
#include "pgdrift/report/report.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::report {

namespace {

struct Palette {
  bool on = false;
  std::string paint(std::string_view text, std::string_view code) const {
    if (!on) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
  }
  std::string status(const std::string& s) const {
    const std::string padded = fmt::format("{:<8}", s);
    if (s == "applied" || s == "cached") return paint(padded, "32");
    if (s == "failed") return paint(padded, "1;31");
    return paint(padded, "33");
  }
  std::string severity(Severity s) const {
    const std::string text(to_string(s));
    switch (s) {
      case Severity::error: return paint(text, "1;31");
      case Severity::warning: return paint(text, "1;33");
      case Severity::notice: return paint(text, "1;36");
    }
    return text;
  }
};

std::string format_ms(double ms) {
  if (ms < 1000) return fmt::format("{} ms", static_cast<long>(ms + 0.5));
  return fmt::format("{:.2f} s", ms / 1000);
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// Multi-line text (a detail, a fix) under a label: each line indented, its controls escaped.
void write_indented(std::ostream& out, std::string_view label, const std::string& text) {
  const auto lines = util::split(text, '\n');
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out << "  " << (i == 0 ? std::string(label) + ": " : std::string(label.size() + 2, ' '))
        << escape_control(lines[i]) << "\n";
  }
}

void write_finding(std::ostream& out, const Finding& f, const Palette& p, bool show_hint, bool show_fix) {
  if (f.location) {
    out << escape_control(f.location->file);
    if (f.location->line > 0) out << ":" << f.location->line;
    if (f.location->column > 0) out << ":" << f.location->column;
    out << ": ";
  }
  out << p.severity(f.severity) << ": ";
  if (!f.target.empty()) out << "[" << escape_control(f.target) << "] ";
  out << escape_control(f.message) << " " << p.paint("[" + escape_control(f.rule) + "]", "2") << "\n";
  if (!f.object.empty()) write_indented(out, "object", f.object);
  if (!f.detail.empty()) write_indented(out, "detail", f.detail);
  if (show_hint && !f.hint.empty()) write_indented(out, "hint", f.hint);
  if (show_fix && !f.fix.empty()) write_indented(out, "fix", f.fix);
}

std::string section_title(const Report& report, const Section& s) {
  const std::string count = "(" + std::to_string(s.findings.size()) + ")";
  if (s.kind == SectionKind::new_migrations) return "New migrations " + count;
  const std::string target = escape_control(target_label(s.target));
  if (s.kind == SectionKind::other) return "Other · " + target + " " + count;
  return (report.fail_on == Severity::error ? "Errors · " : "Failing · ") + target + " " + count;
}

// Findings in sections (what fails the run by target, new migrations, the rest), each section's
// shared hints once, and each target's whole fix script once, after its first section.
void write_findings(std::ostream& out, const Report& report, const Palette& p) {
  std::vector<std::string> fixed;
  bool first = true;
  for (const auto& s : arrange(report)) {
    out << (first ? "" : "\n") << p.paint(section_title(report, s), "1") << "\n";
    first = false;
    const auto hints = shared_hints(s.findings);
    for (const Finding* f : s.findings) {
      write_finding(out, *f, p, !hint_is_shared(hints, *f), f->target.empty() || target_fix_script(report, f->target).empty());
    }
    for (const auto& h : hints) write_indented(out, "hint [" + h.rule + "]", h.hint);
    if (!s.target.empty() && std::find(fixed.begin(), fixed.end(), s.target) == fixed.end()) {
      fixed.push_back(s.target);
      const std::string script = target_fix_script(report, s.target);
      if (!script.empty()) write_indented(out, "fix script for " + escape_control(s.target), script);
    }
  }
}

}  // namespace

// Names, paths and server text are escaped where they are printed (escape_control), so none of
// them can start a line of its own.
void write_text(std::ostream& out, const Report& given, const TextOptions& options) {
  const Report report = without_secrets(given);
  const Palette p{options.color};
  std::string header = "pgdrift " + report.command;
  if (!report.migrations_dir.empty()) {
    header += " · " + escape_control(report.migrations_dir) + " (" + escape_control(report.format) + ", " +
              plural(std::max(report.migrations.size(), report.migrations_found), "migration") + ")";
  } else if (!report.migrations_command.empty()) {
    header += " · `" + escape_control(report.migrations_command) + "` (" + escape_control(report.format) + ", " +
              plural(std::max(report.migrations.size(), report.migrations_found), "migration") + ")";
  }
  if (!report.backend.empty()) {
    header += " · " + escape_control(report.backend) + " PostgreSQL " + escape_control(report.server_version);
  }
  if (report.lint_pg_version != 0) header += " · rules for PostgreSQL " + std::to_string(report.lint_pg_version);
  if (!options.quiet) out << p.paint(header, "1") << "\n";

  const std::string judged = escape_control(judged_sentence(report));
  if (!judged.empty() && !options.quiet) out << judged << "\n";

  // History migrations that replayed fine are one line (all of them with -v).
  const auto folded = [&](const MigrationRow& m) {
    return report.judged.narrowed && !options.verbose && !m.judged && (m.status == "applied" || m.status == "cached");
  };
  std::size_t width = 0;
  std::size_t folded_count = 0, cached_count = 0;
  double folded_ms = 0;
  for (const auto& m : report.migrations) {
    if (folded(m)) {
      ++folded_count;
      cached_count += m.status == "cached";
      folded_ms += m.duration_ms;
      continue;
    }
    width = std::max(width, escape_control(m.file).size());
  }
  if (!report.migrations.empty() && !options.quiet) out << "\n";
  if (folded_count > 0 && !options.quiet) {
    const std::string what = plural(folded_count, "history migration");
    if (cached_count == folded_count) {
      out << "  " << p.status("cached") << " " << what << ", restored from the replay cache\n";
    } else if (cached_count > 0) {
      out << "  " << p.status("applied") << " " << what << " (not judged; " << cached_count
          << " restored from the replay cache)  " << format_ms(folded_ms) << "\n";
    } else {
      out << "  " << p.status("applied") << " " << what << " (not judged)  " << format_ms(folded_ms) << "\n";
    }
  }
  for (const auto& m : report.migrations) {
    if (options.quiet) break;
    if (folded(m)) continue;
    out << "  " << p.status(m.status) << " ";
    const std::string file = escape_control(m.file);
    if (m.status == "skipped") {
      out << file;
    } else {
      out << fmt::format("{:<{}}", file, width) << "  " << fmt::format("{:>8}", format_ms(m.duration_ms));
    }
    if (!m.in_transaction && m.status != "skipped") {
      out << "  " << p.paint("no transaction: " + escape_control(m.transaction_note), "2");
    }
    if (report.judged.narrowed && !m.judged) out << "  " << p.paint("history", "2");
    out << "\n";
    if (options.verbose) {
      for (const auto& s : m.statements) {
        out << "      " << fmt::format("{:<8} line {}:{}", s.status, s.line, s.column);
        if (s.status != "skipped") out << "  " << format_ms(s.duration_ms);
        if (!s.command_tag.empty()) out << "  " << escape_control(s.command_tag);
        out << "\n";
      }
    }
  }

  if (!report.findings.empty() && !options.quiet) {
    out << "\n";
    std::vector<std::string> counts;
    for (const auto& c : target_counts(report)) counts.push_back(escape_control(target_label(c.target)) + ": " + c.text);
    out << util::join(counts, " · ") << "\n\n";
  }
  write_findings(out, report, p);

  std::size_t counts[3] = {0, 0, 0};
  for (const auto& f : report.findings) ++counts[static_cast<int>(f.severity)];
  std::size_t applied = 0, failed = 0, skipped = 0, cached = 0;
  for (const auto& m : report.migrations) {
    applied += m.status == "applied";
    failed += m.status == "failed";
    skipped += m.status == "skipped";
    cached += m.status == "cached";
  }
  if (!options.quiet || !report.findings.empty()) out << "\n";
  std::vector<std::string> parts;
  if (!report.migrations.empty()) {
    parts.push_back(fmt::format("{} applied, {} failed, {} skipped", applied, failed, skipped) +
                    (cached > 0 ? fmt::format(", {} cached", cached) : ""));
  }
  parts.push_back(plural(counts[2], "error") + ", " + plural(counts[1], "warning") + ", " +
                  plural(counts[0], "notice"));
  const bool failing = exit_code(report) != 0;
  out << p.paint(util::join(parts, " · "), failing ? "1;31" : "1;32") << " in " << fmt::format("{:.2f} s", report.duration_ms / 1000)
      << "\n";
}

}  // namespace pgdrift::report
