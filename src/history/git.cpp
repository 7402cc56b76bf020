// What changed in a migrations directory since a base, read with the git CLI (no libgit2): the
// merge base of the base and HEAD, then `git diff` of that commit against the working tree (so
// uncommitted edits count) and the untracked files.
#include <cstdlib>

#include "pgdrift/history/judge.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::history {

namespace fs = std::filesystem;

namespace {

struct GitResult {
  bool ok = false;
  std::string out;
  std::string err;
};

// Runs git in `cwd`; never through a shell, never prompting.
class Git {
 public:
  Git(fs::path cwd, const Environment& env) : m_cwd(std::move(cwd)), m_env(env) {
    const auto path = env_get(env, "PATH").value_or("/usr/bin:/bin");
    if (!util::find_executable("git", path)) {
      throw infra_error("--base needs git, and git is not on PATH",
                        "install git (apt-get install git), or pass --base none / set migrations.baseline");
    }
    m_env["GIT_TERMINAL_PROMPT"] = "0";
    m_env["LC_ALL"] = "C";
    // A hook or a CI step may point git elsewhere; pgdrift asks about the directory it was given.
    for (const char* name : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR"}) {
      m_env.erase(name);
    }
    m_scratch.emplace(util::temp_base(env_get(env, "TMPDIR").value_or("")), "pgdrift-git-");
  }

  GitResult run(std::vector<std::string> args) const {
    util::ProcessSpec spec;
    spec.argv = {"git", "-c", "core.quotepath=off", "--no-pager", "--literal-pathspecs"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = m_env;
    spec.cwd = m_cwd;
    // Fresh files per call: a child that prints nothing must not leave an earlier call's output.
    const std::string n = std::to_string(++m_calls);
    spec.output_file = m_scratch->path() / ("out" + n);
    spec.error_file = m_scratch->path() / ("err" + n);
    const auto run = util::run_process(spec, std::chrono::minutes{2});
    GitResult result;
    result.ok = run.status.ok();
    result.out = run.output;
    try {
      result.err = std::string(util::trim(util::read_file(spec.error_file.string())));
    } catch (const Error&) {
    }
    return result;
  }

 private:
  fs::path m_cwd;
  Environment m_env;
  std::optional<util::TempDir> m_scratch;
  mutable int m_calls = 0;
};

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return std::string(util::trim(text.substr(0, end)));
}

// The NUL-separated fields of `git … -z` output.
std::vector<std::string> fields(const std::string& out) {
  std::vector<std::string> result;
  std::size_t start = 0;
  while (start < out.size()) {
    const auto end = out.find('\0', start);
    if (end == std::string::npos) {
      result.push_back(out.substr(start));
      break;
    }
    result.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  return result;
}

// How the base was given, for messages: "--base main", "GITHUB_BASE_REF's origin/main", …
std::string named(const std::string& base, BaseOrigin origin) {
  switch (origin) {
    case BaseOrigin::github: return "the pull request's base origin/" + base.substr(base.find('/') + 1) + " (GITHUB_BASE_REF)";
    case BaseOrigin::gitlab: return "the merge request's base " + base.substr(0, 12) + " (CI_MERGE_REQUEST_DIFF_BASE_SHA)";
    case BaseOrigin::config: return "migrations.base " + base;
    case BaseOrigin::flag: break;
  }
  return "--base " + base;
}

std::string fetch_hint(const std::string& base, BaseOrigin origin, bool shallow) {
  switch (origin) {
    case BaseOrigin::github:
      return "actions/checkout fetches only one commit by default: give it `with: fetch-depth: 0` so that " + base +
             " and the history up to it are in the clone (or pass --base none to judge every migration)";
    case BaseOrigin::gitlab:
      return "GitLab clones shallowly: set the job variable GIT_DEPTH: \"0\" (or fetch " + base +
             " before pgdrift runs), or pass --base none to judge every migration";
    case BaseOrigin::flag:
    case BaseOrigin::config:
      break;
  }
  if (shallow) {
    return "this clone is shallow: fetch the history (git fetch --unshallow, or git fetch --deepen=N), or pass "
           "--base none";
  }
  return "check the name (git branch -a), fetch it (git fetch origin), or pass --base none to judge every migration";
}

// "@@ -a[,b] +c[,d] @@" → (b, c, d).
bool parse_hunk(const std::string& line, int& removed, int& start, int& added) {
  const auto minus = line.find(" -");
  const auto plus = line.find(" +");
  if (minus == std::string::npos || plus == std::string::npos) return false;
  const auto count = [](const std::string& text, std::size_t at, int& first, int& n) {
    const char* p = text.c_str() + at + 2;
    char* end = nullptr;
    first = static_cast<int>(std::strtol(p, &end, 10));
    n = 1;
    if (end != nullptr && *end == ',') n = static_cast<int>(std::strtol(end + 1, nullptr, 10));
  };
  int old_start = 0;
  count(line, minus, old_start, removed);
  count(line, plus, start, added);
  return true;
}

}  // namespace

std::string git_key(const fs::path& path) {
  std::error_code ec;
  auto absolute = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return absolute.lexically_normal().string();
}

GitChanges read_git_changes(const fs::path& dir, const std::string& base, BaseOrigin origin, const Environment& env) {
  // Four git processes on the way that works (each costs ~10 ms); more only to explain a failure.
  const Git git(dir, env);
  const auto top = git.run({"rev-parse", "--show-toplevel", "--is-shallow-repository"});
  if (!top.ok) {
    if (top.err.find("dubious ownership") != std::string::npos) {
      throw usage_error(named(base, origin) + ": git refuses to read " + dir.string() +
                            ": the repository belongs to another user (" + first_line(top.err) + ")",
                        "mark it safe for this user: git config --global --add safe.directory '" +
                            git_key(dir) + "' (usual in CI containers), or pass --base none");
    }
    throw usage_error(named(base, origin) + ": " + dir.string() + " is not in a git work tree (" + first_line(top.err) + ")",
                      "run pgdrift in a clone of the repository, or judge by version instead: --base none with "
                      "migrations.baseline: VERSION in pgdrift.yml");
  }
  const auto top_lines = util::split(top.out, '\n');
  const fs::path toplevel = top_lines.empty() ? std::string() : std::string(util::trim(top_lines[0]));
  const bool shallow = top_lines.size() > 1 && util::trim(top_lines[1]) == "true";
  const auto merge_base = git.run({"merge-base", "--end-of-options", base, "HEAD"});
  if (!merge_base.ok) {
    const auto resolved = git.run({"rev-parse", "--verify", "--quiet", "--end-of-options", base + "^{commit}"});
    if (!resolved.ok) {
      throw usage_error(named(base, origin) + ": no such commit or branch in this clone",
                        fetch_hint(base, origin, shallow));
    }
    if (shallow) {
      throw usage_error(named(base, origin) + ": this is a shallow clone and the history between " + base +
                            " and HEAD is not in it, so the merge base cannot be found",
                        fetch_hint(base, origin, true));
    }
    throw usage_error(named(base, origin) + ": " + base + " and HEAD have no common history",
                      "pass the branch the change will be merged into (e.g. --base origin/main), or --base none");
  }
  GitChanges changes;
  changes.base = base;
  changes.merge_base = first_line(merge_base.out);

  const std::string key_dir = git_key(dir);
  const std::string key_top = git_key(toplevel);
  std::string relative = fs::path(key_dir).lexically_relative(key_top).generic_string();
  if (relative.empty() || relative == ".") relative = ".";
  const auto path_of = [&](const std::string& repo_relative) { return git_key(toplevel / repo_relative); };

  const std::string top_dir = toplevel.string();
  // What existed at the merge base: anything else (added, untracked, even ignored) is new.
  const auto tree = git.run({"-C", top_dir, "ls-tree", "-r", "-z", "--name-only", changes.merge_base, "--", relative});
  if (!tree.ok) throw usage_error(named(base, origin) + ": git ls-tree failed: " + first_line(tree.err));
  for (const auto& file : fields(tree.out)) {
    if (!file.empty()) changes.at_base.insert(path_of(file));
  }
  const auto diff = git.run({"-C", top_dir, "diff", "--find-renames", "--no-ext-diff", "--no-textconv", "--name-status",
                             "-z", changes.merge_base, "--", relative});
  if (!diff.ok) throw usage_error(named(base, origin) + ": git diff failed: " + first_line(diff.err));
  const auto items = fields(diff.out);
  std::vector<std::string> modified;
  for (std::size_t i = 0; i + 1 < items.size();) {
    const std::string& status = items[i];
    if (status.empty()) {
      ++i;
      continue;
    }
    if ((status[0] == 'R' || status[0] == 'C') && i + 2 < items.size()) {
      if (status[0] == 'R') {
        GitChanges::Rename rename;
        rename.from = items[i + 1];
        rename.similarity = std::atoi(status.c_str() + 1);
        changes.renamed[path_of(items[i + 2])] = rename;
      }
      i += 3;
      continue;
    }
    const std::string& file = items[i + 1];
    if (status[0] == 'M' || status[0] == 'T') modified.push_back(file);
    if (status[0] == 'D') changes.deleted[file];
    i += 2;
  }
  for (auto& [file, text] : changes.deleted) {
    if (!util::ends_with(util::to_lower(file), ".sql")) continue;
    const auto old = git.run({"-C", top_dir, "show", changes.merge_base + ":" + file});
    if (old.ok) text = old.out;
  }
  for (const auto& file : modified) {
    GitChanges::Edit edit;
    const auto hunks = git.run({"-C", top_dir, "diff", "--no-ext-diff", "--no-textconv", "--no-color", "-U0", changes.merge_base,
                                "--", file});
    for (const auto& line : util::split(hunks.out, '\n')) {
      if (!util::starts_with(line, "@@")) continue;
      int removed = 0, start = 0, added = 0;
      if (!parse_hunk(line, removed, start, added)) continue;
      edit.lines_added += added;
      edit.lines_removed += removed;
      // A pure deletion ("+c,0") happened after line c of today's file.
      const int at = std::max(1, start);
      if (edit.first_line == 0 || at < edit.first_line) edit.first_line = at;
    }
    const auto old = git.run({"-C", top_dir, "show", changes.merge_base + ":" + file});
    if (old.ok) edit.old_text = old.out;
    changes.modified[path_of(file)] = std::move(edit);
  }
  return changes;
}

}  // namespace pgdrift::history
