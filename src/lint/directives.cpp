#include <fnmatch.h>

#include <algorithm>
#include <optional>

#include "pgdrift/lint/lint.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::lint {
namespace {

// One `-- pgdrift:<kind> …` comment.
struct Directive {
  std::string kind;                // "ignore", "ignore-file", "allow-destructive", or unknown
  std::vector<std::string> rules;  // the finding rule ids it names (ignore, ignore-file)
  std::string reason;
  std::size_t offset = 0;          // byte offset in the file of the `--`
  int line = 0;
  int column = 0;
  int first_line = 0;              // ignore, allow-destructive: the lines of the statement it
  int last_line = 0;               // applies to
  bool whole_file = false;         // allow-destructive before the file's first statement
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return std::string(text);
}

Finding warning(const migrations::Migration& migration, const Directive& d, std::string rule, std::string message,
                std::string hint) {
  Finding f;
  f.rule = std::move(rule);
  f.severity = Severity::warning;
  f.message = std::move(message);
  f.hint = std::move(hint);
  f.location = Location{migration.display_path, d.line, d.column, 0, 0};
  return f;
}

// The directives of one migration; problems with them go to `problems`.
std::vector<Directive> read_directives(const migrations::Migration& migration, std::vector<Finding>& problems) {
  std::vector<Directive> out;
  const std::string& text = migration.source;
  const util::LineIndex lines(text);
  static constexpr std::string_view k_marker = "pgdrift:";
  // Only real comments: `-- pgdrift:` inside a string or a function body is text, not a directive.
  for (const std::size_t comment : sql::line_comments(text)) {
    std::size_t comment_end = text.find('\n', comment);
    if (comment_end == std::string::npos) comment_end = text.size();
    std::string_view rest(text.data() + comment + 2, comment_end - comment - 2);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    // "-- pgdrift: this migration…" is prose, not a directive: one follows the colon at once.
    if (rest.substr(0, k_marker.size()) == k_marker && rest.size() > k_marker.size() &&
        !is_space(rest[k_marker.size()])) {
      rest.remove_prefix(k_marker.size());
      Directive d;
      d.offset = comment;
      const auto at = lines.at(d.offset);
      d.line = at.line;
      d.column = at.column;
      std::size_t word = 0;
      while (word < rest.size() && !is_space(rest[word])) ++word;
      d.kind = std::string(rest.substr(0, word));
      rest.remove_prefix(word);
      if (d.kind == "ignore" || d.kind == "ignore-file") {
        // Rule ids: a comma-separated list, spaces allowed after the commas.
        std::string list;
        while (true) {
          while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
          std::size_t n = 0;
          while (n < rest.size() && !is_space(rest[n])) ++n;
          list += std::string(rest.substr(0, n));
          rest.remove_prefix(n);
          if (list.empty() || list.back() != ',') break;
        }
        for (const auto& id : util::split(list, ',')) {
          const std::string name = trim(id);
          if (name.empty()) continue;
          if (find_rule(name) == nullptr) {
            problems.push_back(warning(migration, d, "lint/unknown-rule",
                                       "pgdrift:" + d.kind + " names an unknown rule '" + name + "'",
                                       "use a rule id from the README's rule list (pgdrift lint --list-rules)"));
            continue;
          }
          d.rules.push_back(finding_rule(name.substr(0, 5) == "lint/" ? name.substr(5) : name));
        }
        if (list.empty()) {
          problems.push_back(warning(migration, d, "lint/unknown-rule", "pgdrift:" + d.kind + " names no rule",
                                     "write the rule ids to ignore: -- pgdrift:" + d.kind + " drop-column <reason>"));
        }
      } else if (d.kind != "allow-destructive") {
        problems.push_back(warning(migration, d, "lint/unknown-directive",
                                   "unknown directive 'pgdrift:" + d.kind + "' has no effect",
                                   "use pgdrift:ignore, pgdrift:ignore-file or pgdrift:allow-destructive"));
        d.kind.clear();
      }
      d.reason = trim(rest);
      if (!d.kind.empty() && d.reason.empty()) {
        problems.push_back(warning(migration, d, "lint/directive-without-reason",
                                   "pgdrift:" + d.kind + " gives no reason",
                                   "say why it is safe after the rule ids; the reason is shown in the report"));
      }
      if (!d.kind.empty()) out.push_back(std::move(d));
    }
  }

  // `ignore` applies to the first statement ending after it (the next one, or the one it is in);
  // so does `allow-destructive`, unless it comes before the file's first statement: then it is
  // about the whole file.
  const auto statements = sql::split(migration.up_sql);
  for (auto& d : out) {
    if (d.kind == "allow-destructive") {
      d.whole_file = statements.empty() || d.offset < migration.source_offset(statements.front().begin);
      if (d.whole_file) continue;
    } else if (d.kind != "ignore") {
      continue;
    }
    for (const auto& s : statements) {
      const auto end = migration.source_offset(s.end);
      if (end <= d.offset) continue;
      d.first_line = lines.at(migration.source_offset(s.begin)).line;
      d.last_line = lines.at(end).line;
      break;
    }
  }
  return out;
}

bool matches(const std::vector<std::string>& rules, const std::string& rule) {
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Why destructive changes of `migration` are allowed from outside the file, if they are.
std::optional<std::string> allowed_from_outside(const migrations::Migration& migration, const AllowDestructive& allow) {
  if (!allow.reason.empty()) return allow.reason;
  for (const auto& [glob, reason] : allow.files) {
    if (fnmatch(glob.c_str(), migration.display_path.c_str(), 0) == 0 ||
        fnmatch(glob.c_str(), base_name(migration.display_path).c_str(), 0) == 0) {
      return reason + " (lint.allow_destructive in pgdrift.yml)";
    }
  }
  return std::nullopt;
}

// What allow-destructive allows: the guard's findings, and the static rules about data loss.
bool is_destructive(const std::string& rule) {
  if (rule.rfind("destructive/", 0) == 0) return true;
  const RuleInfo* info = find_rule(rule);
  return info != nullptr && (info->category == "drops and renames" || info->id == "narrowing-type");
}

}  // namespace

void drop_static_duplicates(std::vector<Finding>& findings) {
  const auto observed = [&](const Finding& f) {
    if (f.rule.rfind("lint/", 0) != 0 || !f.location) return false;
    const bool rename = f.rule == "lint/rename-table" || f.rule == "lint/rename-column";
    const std::string twin = rename ? "destructive/rename" : "destructive/" + f.rule.substr(5);
    return std::any_of(findings.begin(), findings.end(), [&](const Finding& other) {
      return other.rule == twin && other.location && other.location->file == f.location->file &&
             other.location->line == f.location->line;
    });
  };
  std::vector<Finding> kept;
  for (auto& f : findings) {
    if (!observed(f)) kept.push_back(std::move(f));
  }
  findings = std::move(kept);
}

void apply_directives(std::vector<Finding>& findings, const std::vector<migrations::Migration>& migrations,
                      const AllowDestructive& allow) {
  std::vector<Finding> problems;
  for (const auto& migration : migrations) {
    const auto directives = read_directives(migration, problems);
    const auto said = [](const Directive& d) {
      return (d.reason.empty() ? std::string("no reason given") : d.reason) + " (pgdrift:allow-destructive at line " +
             std::to_string(d.line) + ")";
    };
    std::optional<std::string> file_allowed = allowed_from_outside(migration, allow);
    for (const auto& d : directives) {
      if (d.kind == "allow-destructive" && d.whole_file && !file_allowed) file_allowed = said(d);
    }
    std::vector<Finding> kept;
    for (auto& f : findings) {
      if (!f.location || f.location->file != migration.display_path) {
        kept.push_back(std::move(f));
        continue;
      }
      bool ignored = false;
      for (const auto& d : directives) {
        if (d.kind == "ignore-file" && matches(d.rules, f.rule)) ignored = true;
        if (d.kind == "ignore" && matches(d.rules, f.rule) && f.location->line >= d.first_line &&
            f.location->line <= d.last_line) {
          ignored = true;
        }
      }
      if (ignored) continue;
      std::optional<std::string> allowed = file_allowed;
      for (const auto& d : directives) {
        if (!allowed && d.kind == "allow-destructive" && !d.whole_file && f.location->line >= d.first_line &&
            f.location->line <= d.last_line) {
          allowed = said(d);
        }
      }
      if (allowed && is_destructive(f.rule) && f.severity > Severity::notice) {
        f.severity = Severity::notice;
        f.detail = "allowed: " + *allowed + (f.detail.empty() ? "" : "\n" + f.detail);
      }
      kept.push_back(std::move(f));
    }
    findings = std::move(kept);
  }
  findings.insert(findings.end(), problems.begin(), problems.end());
}

}  // namespace pgdrift::lint
