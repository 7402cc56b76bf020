#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/finding.hpp"

namespace pgdrift::history {

// What git says changed in a migrations directory between the merge base of a ref and HEAD, and
// the working tree (so uncommitted and untracked files count as changes too).
struct GitChanges {
  std::string base;        // the ref as given ("origin/main", a commit id)
  std::string merge_base;  // the merge base's full commit id
  // The files under the directory at the merge base, by absolute, normalized path: any other
  // file (added, untracked, ignored) is new.
  std::set<std::string> at_base;
  // A file that existed at the merge base and differs now.
  struct Edit {
    int first_line = 0;      // 1-based line of the first change in today's file (0: none left)
    int lines_added = 0;
    int lines_removed = 0;
    std::string old_text;    // the file at the merge base
  };
  std::map<std::string, Edit> modified;  // by absolute, normalized path
  // A file renamed since the merge base (git's rename detection), by its new path.
  struct Rename {
    std::string from;    // its path at the merge base, relative to the repository
    int similarity = 0;  // git's similarity index, 100 = the same content
  };
  std::map<std::string, Rename> renamed;
  // Files gone since the merge base: path (relative to the repository) → their text there (for
  // .sql files: a deleted one whose text reappears under another name was renamed without git mv).
  std::map<std::string, std::string> deleted;
};

// Where the base of a change came from, to say what fixes a base git does not have.
enum class BaseOrigin { flag, config, github, gitlab };

// Reads, with the `git` CLI (PATH from `env`), what changed under `dir` since the merge base of
// `base` and HEAD. Throws pgdrift::Error (usage, exit 2) naming the ref and the fix when `dir` is
// not in a git work tree, `base` does not resolve (a shallow clone without it: says which
// actions/checkout or GIT_DEPTH setting fixes it, by `origin`), or there is no merge base; and
// (infrastructure) when git is missing.
GitChanges read_git_changes(const std::filesystem::path& dir, const std::string& base, BaseOrigin origin,
                            const Environment& env);

// The absolute, normalized form of `path` that GitChanges is keyed by.
std::string git_key(const std::filesystem::path& path);

// What decides which migrations a run judges. Each notion that is present marks migrations as
// history; a migration is new (judged) when no present notion calls it history. With none
// present, every migration is new.
struct JudgeInput {
  std::optional<GitChanges> git;  // history: existed at the merge base, unchanged (or changed cosmetically)
  std::string baseline;           // history: at or below this version (migrations.baseline)
  // history: applied on every target. One set per target whose history table was read, holding
  // the paths of the migrations applied there; no sets = no target says anything.
  std::vector<std::set<std::string>> applied_on_targets;
  migrations::Format format = migrations::Format::plain;
};

struct Judged {
  std::vector<bool> is_new;       // parallel to the migrations judged
  bool narrowed = false;          // some notion was present
  std::string base;               // what narrowed it: "origin/main", "baseline 20240101", "applied on every target"
  std::size_t new_count() const;
  std::size_t history_count() const { return is_new.size() - new_count(); }
  // history/edited-migration for migrations changed since the merge base, history/renamed-migration
  // and history/deleted-migration (warnings); history/base-judges-everything (warning) when none of
  // the files existed at the merge base; history/baseline-not-found (notice) when a numeric
  // baseline is no migration's version.
  std::vector<Finding> findings;
};

// Splits `migrations` (in apply order) into new and history. Throws pgdrift::Error (usage) for a
// baseline that is neither a migration's version nor a number ("V10", "abc").
Judged judge(const std::vector<migrations::Migration>& migrations, const JudgeInput& input);

// Compares versions as migration tools write them: dot- or underscore-separated parts, numeric
// parts as numbers ("1.10" > "1.9", "20240101" < "20240102"); -1, 0 or 1.
int compare_versions(const std::string& a, const std::string& b);

}  // namespace pgdrift::history
