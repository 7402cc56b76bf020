// New vs history: which migrations a run judges (lints, traces, guards) and which it only replays.
#include <algorithm>

#include "pgdrift/history/history.hpp"
#include "pgdrift/history/judge.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::history {

namespace {

// Comment lines that tools read as instructions: changing them is not cosmetic.
bool directive_line(std::string_view line) {
  const auto text = util::trim(line);
  return util::starts_with(text, "-- +goose") || util::starts_with(text, "--+goose") ||
         util::starts_with(text, "-- migrate:") || util::starts_with(text, "--migrate:") ||
         util::starts_with(text, "--> statement-breakpoint");
}

std::vector<std::string> directives(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& line : util::split(text, '\n')) {
    if (directive_line(line)) out.emplace_back(util::trim(line));
  }
  return out;
}

// The part of a file its tool applies: for the formats that keep both directions in one file
// (dbmate, goose), the text from the up marker to the down marker; else the whole file.
std::string up_part(const std::string& text, migrations::Format format) {
  std::string up_marker, down_marker;
  if (format == migrations::Format::dbmate) {
    up_marker = "migrate:up";
    down_marker = "migrate:down";
  } else if (format == migrations::Format::goose) {
    up_marker = "+goose up";
    down_marker = "+goose down";
  } else {
    return text;
  }
  std::string out;
  bool in_up = false;
  for (const auto& line : util::split(text, '\n')) {
    const std::string lowered = util::to_lower(line);
    const bool comment = util::starts_with(util::trim(lowered), "--");
    if (comment && lowered.find(up_marker) != std::string::npos) in_up = true;
    if (comment && lowered.find(down_marker) != std::string::npos) in_up = false;
    if (in_up) out += line + "\n";
  }
  return out;
}

// Whether two texts build the same: every token and tool directive as it was.
bool same_effect(const std::string& old_text, const std::string& new_text) {
  return sql::same_tokens(old_text, new_text) && directives(old_text) == directives(new_text);
}

// What an edit of a file that existed at the base changed.
enum class EditKind { applied_part, down_part_only, cosmetic };

EditKind classify_edit(const std::string& old_text, const std::string& new_text, migrations::Format format) {
  if (!same_effect(up_part(old_text, format), up_part(new_text, format))) return EditKind::applied_part;
  return same_effect(old_text, new_text) ? EditKind::cosmetic : EditKind::down_part_only;
}

std::string short_commit(const std::string& commit) { return commit.substr(0, 12); }

Finding edited_finding(const migrations::Migration& m, const GitChanges& git, const GitChanges::Edit& edit,
                       EditKind kind, migrations::Format format) {
  Finding f;
  f.rule = "history/edited-migration";
  f.location = Location{m.display_path, edit.first_line, 0, 0, 0};
  f.object = "migration " + m.display_path;
  const std::string stat = "+" + std::to_string(edit.lines_added) + " −" + std::to_string(edit.lines_removed) +
                           " line" + (edit.lines_added + edit.lines_removed == 1 ? "" : "s");
  const std::string since = "since " + git.base + " (merge base " + short_commit(git.merge_base) + ")";
  const std::string restore = "git checkout " + short_commit(git.merge_base) + " -- " + m.display_path;
  if (kind == EditKind::applied_part) {
    f.severity = Severity::error;
    f.message = m.display_path + " was changed " + since + ", " + stat +
                ": databases that already applied it will never run the new version, so they and a fresh "
                "replay now build different schemas";
    f.hint = "restore the file (" + restore + ") and make the change in a new migration";
    return f;
  }
  f.message = m.display_path + " was changed " + since +
              (kind == EditKind::cosmetic ? " in whitespace or comments only (" : " in its down section only (") +
              stat + ")";
  // Flyway checksums every line (line breaks aside): its validation fails when that changes.
  migrations::Migration before = m;
  before.source = edit.old_text;
  if (format == migrations::Format::flyway && tool_checksum(before, format) != tool_checksum(m, format)) {
    f.severity = Severity::error;
    f.message += ", but Flyway checksums every line: `flyway migrate` will fail validation on every database "
                 "that applied it";
    f.hint = "restore the file (" + restore + "), or run `flyway repair` on every environment after merging";
  } else if (format == migrations::Format::prisma) {
    f.severity = Severity::warning;
    f.message += ", but Prisma records the file's checksum: `prisma migrate dev` will report it as modified "
                 "after it was applied";
    f.hint = "restore the file (" + restore + ") unless you mean to accept that";
  } else {
    f.severity = Severity::notice;
    f.message += ": what it applies is the same";
    f.hint = "keep applied migrations byte for byte as they were (" + restore + ")";
  }
  return f;
}

Finding renamed_finding(const migrations::Migration& m, const GitChanges& git, const GitChanges::Rename& rename) {
  Finding f;
  f.rule = "history/renamed-migration";
  f.severity = Severity::warning;
  f.location = Location{m.display_path, 1, 0, 0, 0};
  f.object = "migration " + m.display_path;
  f.message = m.display_path + " was renamed from " + rename.from + " since " + git.base +
              (rename.similarity < 100 ? " and changed" : "") +
              ": migration tools record what they applied by version and name (Flyway also by description), "
              "so environments see a missing migration and a new one, or fail validation";
  f.hint = "keep the name of a migration once it was merged (git mv it back), unless no environment applied it yet";
  return f;
}

Finding deleted_finding(const std::string& path, const GitChanges& git) {
  Finding f;
  f.rule = "history/deleted-migration";
  f.severity = Severity::warning;
  f.object = "migration " + path;
  f.message = path + " existed at " + git.base + " (merge base " + short_commit(git.merge_base) +
              ") and was deleted: databases that applied it keep what it built, a fresh replay no longer does";
  f.hint = "restore it (git checkout " + short_commit(git.merge_base) + " -- " + path +
           "); undo its effect with a new migration instead";
  return f;
}

// Whether a path deleted since the base looked like an up migration (down files and other files
// are not reported).
bool looks_like_migration(const std::string& path) {
  const std::string lowered = util::to_lower(path);
  if (!util::ends_with(lowered, ".sql")) return false;
  const auto slash = lowered.rfind('/');
  const std::string name = slash == std::string::npos ? lowered : lowered.substr(slash + 1);
  return !util::ends_with(name, ".down.sql") && name != "down.sql";
}

// The position (in `migrations`) of the last migration at or below `baseline`, or -1.
long baseline_position(const std::vector<migrations::Migration>& migrations, const std::string& baseline,
                       bool& exact) {
  exact = false;
  long last = -1;
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const auto& m = migrations[i];
    if (m.repeatable) continue;
    if (compare_versions(m.version, baseline) == 0) exact = true;
    if (compare_versions(m.version, baseline) <= 0) last = static_cast<long>(i);
  }
  return last;
}

// Whether every dot- or underscore-separated part of `version` is a number ("1.2", "20240101").
bool numeric_version(const std::string& version) {
  if (version.empty()) return false;
  for (const auto& part : util::split(version, '.')) {
    for (const auto& piece : util::split(part, '_')) {
      if (piece.empty() || !std::all_of(piece.begin(), piece.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

std::size_t Judged::new_count() const {
  return static_cast<std::size_t>(std::count(is_new.begin(), is_new.end(), true));
}

int compare_versions(const std::string& a, const std::string& b) {
  const auto parts = [](const std::string& v) {
    std::vector<std::string> out;
    std::string current;
    for (const char c : v) {
      if (c == '.' || c == '_' || c == '-') {
        out.push_back(current);
        current.clear();
      } else {
        current += c;
      }
    }
    out.push_back(current);
    return out;
  };
  const auto numeric = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const auto pa = parts(a);
  const auto pb = parts(b);
  for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    const std::string x = i < pa.size() ? pa[i] : "0";
    const std::string y = i < pb.size() ? pb[i] : "0";
    int order = 0;
    if (numeric(x) && numeric(y)) {
      const auto tx = x.substr(std::min(x.find_first_not_of('0'), x.size()));
      const auto ty = y.substr(std::min(y.find_first_not_of('0'), y.size()));
      order = tx.size() != ty.size() ? (tx.size() < ty.size() ? -1 : 1) : tx.compare(ty);
    } else {
      order = x.compare(y);
    }
    if (order != 0) return order < 0 ? -1 : 1;
  }
  return 0;
}

Judged judge(const std::vector<migrations::Migration>& migrations, const JudgeInput& input) {
  Judged out;
  out.is_new.assign(migrations.size(), true);
  std::vector<bool> history(migrations.size(), false);
  std::vector<std::string> bases;

  std::size_t absent_at_base = 0;
  std::set<std::string> renamed_from;  // deleted paths that came back under another name
  if (input.git) {
    const auto& git = *input.git;
    out.narrowed = true;
    bases.push_back(git.base);
    for (std::size_t i = 0; i < migrations.size(); ++i) {
      const auto& m = migrations[i];
      const auto key = git_key(m.path);
      if (const auto rename = git.renamed.find(key); rename != git.renamed.end()) {
        out.findings.push_back(renamed_finding(m, git, rename->second));
        history[i] = rename->second.similarity == 100;  // same content: it builds what it built
        continue;
      }
      if (git.at_base.count(key) == 0) {
        // Renamed without git mv (deleted, and the same text is back under another name)?
        const auto moved = std::find_if(git.deleted.begin(), git.deleted.end(), [&](const auto& gone) {
          return !gone.second.empty() && gone.second == m.source;
        });
        if (moved != git.deleted.end()) {
          out.findings.push_back(renamed_finding(m, git, {moved->first, 100}));
          renamed_from.insert(moved->first);
          history[i] = true;
          continue;
        }
        ++absent_at_base;  // added, untracked or ignored: new
        continue;
      }
      const auto edit = git.modified.find(key);
      if (edit == git.modified.end()) {
        history[i] = true;
        continue;
      }
      const auto kind = classify_edit(edit->second.old_text, m.source, input.format);
      // A repeatable migration is meant to change: its tool applies it again when it does.
      if (!m.repeatable) out.findings.push_back(edited_finding(m, git, edit->second, kind, input.format));
      // An edit that leaves what it applies as it was builds what it built before: still history.
      history[i] = kind != EditKind::applied_part;
    }
    for (const auto& [path, text] : git.deleted) {
      if (looks_like_migration(path) && renamed_from.count(path) == 0) out.findings.push_back(deleted_finding(path, git));
    }
  }
  if (!input.baseline.empty()) {
    out.narrowed = true;
    bases.push_back("baseline " + input.baseline);
    bool exact = false;
    const long last = baseline_position(migrations, input.baseline, exact);
    for (long i = 0; i <= last; ++i) {
      if (!migrations[static_cast<std::size_t>(i)].repeatable) history[static_cast<std::size_t>(i)] = true;
    }
    if (!exact && !numeric_version(input.baseline)) {
      std::string example;
      for (const auto& m : migrations) {
        if (!m.repeatable) example = m.version;
      }
      throw usage_error("the baseline " + input.baseline + " is not the version of any migration, nor a number "
                            "to compare versions with",
                        "give the version of the last migration every environment applied" +
                            (example.empty() ? std::string() : ", as the tool writes it (e.g. " + example + ")"));
    }
    if (!exact) {
      Finding f;
      f.rule = "history/baseline-not-found";
      f.severity = Severity::notice;
      f.message = "the baseline " + input.baseline + " is not the version of any migration; " +
                  std::to_string(last + 1) + " migrations sort at or below it and are history";
      f.hint = "set the baseline to the version of the last migration every environment has applied";
      out.findings.push_back(std::move(f));
    }
  }
  if (!input.applied_on_targets.empty()) {
    out.narrowed = true;
    bases.push_back("applied on every target");
    for (std::size_t i = 0; i < migrations.size(); ++i) {
      const auto key = migrations[i].path.string();
      const bool everywhere = std::all_of(input.applied_on_targets.begin(), input.applied_on_targets.end(),
                                          [&](const std::set<std::string>& applied) { return applied.count(key) != 0; });
      if (everywhere) history[i] = true;
    }
  }
  for (std::size_t i = 0; i < migrations.size(); ++i) out.is_new[i] = !history[i];
  out.base = util::join(bases, ", ");

  if (input.git && migrations.size() > 1 && absent_at_base == migrations.size()) {
    Finding f;
    f.rule = "history/base-judges-everything";
    f.severity = Severity::warning;
    f.message = "every one of the " + std::to_string(migrations.size()) + " migrations is new since " +
                input.git->base + " (merge base " + short_commit(input.git->merge_base) +
                "), so all of them are judged";
    f.hint = "check that --base names the branch this change will be merged into; on a first pull request "
             "that adds every migration this is expected";
    out.findings.push_back(std::move(f));
  }
  return out;
}

}  // namespace pgdrift::history
