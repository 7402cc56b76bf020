#include <chrono>
#include <filesystem>
#include <map>

#include "commands.hpp"
#include "drift_support.hpp"
#include "judge_support.hpp"
#include "lint_support.hpp"
#include "output.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"

namespace pgdrift::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The newest PostgreSQL the version-dependent rules know; they only change below 14.
constexpr int k_default_pg_version_num = 170000;

// Migrations to lint, in groups that share a history: a directory's migrations in apply order,
// or a named file with the migrations before it in its directory. Only the `judged` ones are
// linted; the others are read so the linter knows what they built.
struct Group {
  std::vector<migrations::Migration> migrations;
  std::vector<bool> judged;
  migrations::Format format = migrations::Format::plain;
  bool directory = false;  // a directory named on the command line (judged by base/baseline)
};

struct Inputs {
  std::vector<Group> groups;
  std::vector<std::string> down_files;  // named on the command line but holding down migrations
  std::vector<std::string> code_files;  // migrations written in code (goose .go): not linted
  std::vector<Finding> findings;        // of judging directories (history/edited-migration, …)
  report::Judged judged;                // across the directories named
};

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code error;
  return fs::equivalent(a, b, error);
}

// Adds what a directory's judging says to the run's account of it.
void account(report::Judged& total, const history::Judged& judged, const std::vector<migrations::Migration>& all) {
  total.present = true;
  if (judged.narrowed && !total.narrowed) {
    total.narrowed = true;
    total.base = judged.base;
  }
  total.history_count += judged.history_count();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (judged.is_new[i]) total.new_files.push_back(all[i].display_path);
  }
}

// Finds what the user named: directories are discovered as migration directories (and judged
// against the base); a file is looked up in its directory's discovery (so goose/dbmate sections
// and template placeholders are handled, and the files before it are its history), else read as
// plain SQL. A file named explicitly is always linted.
Inputs collect(const std::vector<std::string>& paths, const config::Config& cfg, migrations::Format format,
               const Environment& env) {
  Inputs in;
  std::map<std::string, std::optional<migrations::Discovery>> by_dir;
  const auto discovered = [&](const fs::path& dir) -> const std::optional<migrations::Discovery>& {
    const auto key = fs::weakly_canonical(dir).string();
    auto found = by_dir.find(key);
    if (found != by_dir.end()) return found->second;
    std::optional<migrations::Discovery> d;
    try {
      d = migrations::discover({dir, format, cfg.migrations.vars, true});
    } catch (const Error&) {
      // A directory of loose SQL files is no migrations directory: they are linted as plain
      // SQL. A goose, dbmate, … directory that does not read is an error to fix, not a reason
      // to lint its files without their sections.
      const bool loose = (format == migrations::Format::automatic || format == migrations::Format::plain) &&
                         migrations::detect_format(dir) == migrations::Format::plain;
      if (!loose) throw;
    }
    return by_dir.emplace(key, std::move(d)).first->second;
  };
  std::vector<fs::path> linted;
  const auto first_time = [&](const fs::path& file) {
    for (const auto& seen : linted) {
      if (same_file(seen, file)) return false;
    }
    linted.push_back(file);
    return true;
  };
  for (const auto& path : paths) {
    std::error_code error;
    const auto status = fs::status(path, error);
    if (error || !fs::exists(status)) {
      throw usage_error(path + ": no such file or directory", "pass migration files or a migrations directory");
    }
    if (fs::is_directory(status)) {
      const auto d = migrations::discover({path, format, cfg.migrations.vars, true});
      for (const auto& code : d.skipped_code) in.code_files.push_back(code);
      Group group;
      group.format = d.format;
      group.directory = true;
      group.migrations = d.migrations;
      const auto judged = judge_migrations(cfg, env, path, d.migrations, d.format);
      account(in.judged, judged, d.migrations);
      in.findings.insert(in.findings.end(), judged.findings.begin(), judged.findings.end());
      for (std::size_t i = 0; i < d.migrations.size(); ++i) {
        group.judged.push_back(judged.is_new[i] && first_time(d.migrations[i].path));
      }
      in.groups.push_back(std::move(group));
      continue;
    }
    const fs::path file(path);
    const auto& d = discovered(file.has_parent_path() ? file.parent_path() : fs::path("."));
    bool handled = false;
    if (d) {
      Group group;
      group.format = d->format;
      for (const auto& m : d->migrations) {
        if (same_file(m.path, file)) {
          // Named with an explicit base (--base, migrations.base): whether it changed since is
          // checked too, so a pre-commit hook catches an edited applied migration.
          const auto base = choose_base(cfg, env);
          if (base && (base->origin == history::BaseOrigin::flag || base->origin == history::BaseOrigin::config)) {
            const auto dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
            for (auto f : judge_migrations(cfg, env, dir, d->migrations, d->format).findings) {
              if (!f.location || f.location->file != m.display_path) continue;
              f.location->file = path;
              in.findings.push_back(std::move(f));
            }
          }
          auto copy = m;
          copy.display_path = path;
          group.migrations.push_back(std::move(copy));
          group.judged.push_back(first_time(m.path));
          in.groups.push_back(std::move(group));
          handled = true;
          break;
        }
        if (!m.down_path.empty() && m.down_path != m.path && same_file(m.down_path, file)) {
          in.down_files.push_back(path);
          handled = true;
          break;
        }
        group.migrations.push_back(m);  // history of the file named
        group.judged.push_back(false);
      }
    }
    if (handled) continue;
    Group group;
    auto m = migrations::load_file(file, cfg.migrations.vars);
    m.display_path = path;
    group.judged.push_back(first_time(m.path));
    group.migrations.push_back(std::move(m));
    in.groups.push_back(std::move(group));
  }
  return in;
}

std::string markdown_cell(std::string text) {
  std::string out;
  for (const char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

int list_rules(Io io) {
  io.out << "| rule | severity | category | why | safe alternative |\n|---|---|---|---|---|\n";
  for (const auto& info : lint::all_rules()) {
    io.out << "| `" << info.id << "` | " << to_string(info.severity) << " | " << info.category << " | "
           << markdown_cell(info.why) << " | " << markdown_cell(info.hint) << " |\n";
  }
  return 0;
}

}  // namespace

int lint_command(const CommonFlags& common, const ReplayFlags& flags, const LintFlags& lint_flags, Io io) {
  const auto started = Clock::now();
  const auto cfg = load_config(common, flags, io);
  validate_lint_config(cfg);
  if (lint_flags.list_rules) return list_rules(io);

  report::Report report;
  report.command = "lint";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  try {
    std::vector<std::string> paths = lint_flags.paths;
    if (paths.empty()) {
      if (cfg.migrations.dir.empty()) {
        throw usage_error("nothing to lint", "pass migration files or a directory, or set migrations.dir in pgdrift.yml");
      }
      paths.push_back(cfg.migrations.dir);
    }
    const auto format = migrations::parse_format(cfg.migrations.format);
    if (!format) {
      throw usage_error("unknown migrations format '" + cfg.migrations.format + "'",
                        "use one of: auto, plain, flyway, golang-migrate, dbmate, goose, prisma, drizzle, diesel");
    }
    lint::Options options;
    options.pg_version_num = k_default_pg_version_num;
    if (!cfg.postgres.version.empty()) options.pg_version_num = version_num(cfg.postgres.version, "postgres.version");
    if (lint_flags.pg_version) options.pg_version_num = version_num(*lint_flags.pg_version, "--pg-version");

    const auto inputs = collect(paths, cfg, *format, io.env);
    report.migrations_dir = util::join(paths, ", ");
    std::vector<std::string> formats;
    std::vector<migrations::Migration> judged;
    for (const auto& group : inputs.groups) {
      const std::string name(migrations::to_string(group.format));
      if (std::find(formats.begin(), formats.end(), name) == formats.end()) formats.push_back(name);
      for (std::size_t i = 0; i < group.migrations.size(); ++i) {
        if (group.judged[i]) judged.push_back(group.migrations[i]);
      }
      if (group.directory) report.migrations_found += group.migrations.size();
      else report.migrations_found += 1;
    }
    report.format = formats.empty() ? "nothing to lint" : util::join(formats, ", ");
    report.lint_pg_version = options.pg_version_num / 10000;
    report.judged = inputs.judged;
    report.judged.all_requested = cfg.migrations.base == "none";
    report.findings = inputs.findings;
    for (const auto& group : inputs.groups) {
      options.format = group.format;
      auto found = static_findings(group.migrations, group.judged, options, cfg);
      report.findings.insert(report.findings.end(), found.begin(), found.end());
    }
    if (common.verbose) {
      for (const auto& down : inputs.down_files) io.err << "pgdrift: " << down << " holds a down migration: not linted\n";
      for (const auto& code : inputs.code_files) {
        io.err << "pgdrift: " << code << " is a migration written in code: not linted (lint reads SQL; verify runs "
               << "code migrations with --command)\n";
      }
    }
    lint::apply_directives(report.findings, judged, allow_destructive(cfg, io.env));
    apply_severity_overrides(report.findings, cfg);
    sort_findings(report.findings);
    add_lint_checks(report, judged, static_rule_ids(), cfg);
  } catch (const Error& e) {
    report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    write_error_reports(report, e, flags, cfg.migrations.dir, io);
    throw;
  }
  report.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  write_outputs(report, common, flags, cfg.migrations.dir, io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
