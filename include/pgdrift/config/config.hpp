#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/util/environment.hpp"

namespace pgdrift::config {

// Everything pgdrift.yml can set. CLI flags override these after loading.
// Relative paths in a file are resolved against the file's directory.
struct Config {
  std::filesystem::path file;  // the file this came from; empty when none was found

  struct Migrations {
    std::string dir;                          // migrations directory
    std::string format = "auto";              // auto|plain|flyway|golang-migrate|dbmate|goose|prisma|drizzle|diesel|supabase
    std::map<std::string, std::string> vars;  // template placeholders substituted in SQL
    std::vector<std::string> command;         // framework command replaying migrations instead (argv)
    // The git ref whose merge base with HEAD splits history from new migrations; the CI's base
    // (GITHUB_BASE_REF, CI_MERGE_REQUEST_DIFF_BASE_SHA) wins over it unless it came from --base;
    // "none" = no git base at all.
    std::string base;
    bool base_from_flag = false;              // `base` came from --base (it then wins over the CI's)
    std::string baseline;                     // migrations at or below this version are history
  } migrations;

  struct Sandbox {
    std::string backend = "auto";  // auto|local|docker|server
    std::string server_url;        // admin URL for the server backend
    std::string docker = "docker"; // docker backend: the CLI, a name on PATH or a path (podman works)
    std::string cache_dir;         // template-cluster cache; empty = XDG cache
    std::chrono::milliseconds start_timeout{60000};
    bool replay_cache = true;                          // keep history replays under cache_dir/replay
    std::uint64_t replay_cache_size = 2ULL << 30;      // bytes; least recently used entries go first
    // SQL files run in every sandbox database before the first migration (roles, schemas,
    // extensions the real clusters already have), in order; --setup adds to them.
    std::vector<std::string> setup;
  } sandbox;

  struct Postgres {
    std::string version;  // wanted major version, e.g. "15"; empty = any
    std::string image;    // docker backend's image; empty = postgres:<version>
  } postgres;

  struct Replay {
    std::chrono::milliseconds statement_timeout{300000};  // per statement
    std::chrono::milliseconds command_timeout{1800000};   // migrations.command as a whole
  } replay;

  struct Catalog {
    std::vector<std::string> include_schemas;  // empty = every non-system schema
    std::vector<std::string> exclude_schemas;
    std::vector<std::string> exclude_objects;  // globs on "schema.name" or "name"
    std::vector<std::string> history_tables;   // empty = the known migration tools' tables
  } catalog;

  // Environments to compare with the replayed migrations: name → URL (read only). An empty URL
  // (e.g. `${PROD_URL:-}` when unset) skips the target with a notice.
  std::map<std::string, std::string> targets;

  struct Model {
    std::string file;                  // a .sql schema the application declares
    std::vector<std::string> command;  // or a command printing that SQL on stdout (argv)
  } model;

  struct Drift {
    // Informational properties to compare too: comments, privileges, column-order.
    std::vector<std::string> compare;
    struct Ignore {
      std::string schema = "*";  // glob
      std::string kind = "*";    // an object kind ("index", "column", …) or "*"
      std::string name = "*";    // glob on the object's name (a column's or index's own name)
    };
    std::vector<Ignore> ignore;
    std::map<std::string, std::string> severity;  // rule id → error|warning|notice|off
    bool detect_renames = true;
    // Every target session's lock_timeout: a catalog or history read waiting longer for a lock
    // another session holds is retried, then reported (drift/target-locked).
    std::chrono::milliseconds lock_timeout{5000};
  } drift;

  struct Lint {
    std::vector<std::string> exclude;              // globs on migration paths (or file names) not linted
    std::map<std::string, std::string> severity;   // rule id ("drop-column" or "lint/drop-column") → error|warning|notice|off
    int severity_line = 0;                         // where lint.severity is in the file (for errors)
    std::map<std::string, int> severity_lines;     // and each of its keys
    std::map<std::string, std::string> allow_destructive;  // glob on a migration's path or file name → reason
    bool trace = true;        // verify: dynamic tracing during replay
    bool destructive = true;  // verify: destructive-change guard between migrations
  } lint;

  std::string fail_on = "error";  // error|warning|notice
};

// Loads `explicit_path` if given (missing = error), else `<cwd>/pgdrift.yml` or
// `<cwd>/pgdrift.yaml` if present, else defaults. `${VAR}` and `${VAR:-default}` in values are
// expanded from `env` (`$$` is a literal `$`). Throws pgdrift::Error (usage) naming file, line
// and key for unknown keys, wrong types, bad values and unset variables.
Config load(const std::optional<std::filesystem::path>& explicit_path,
            const std::filesystem::path& cwd, const Environment& env);

// Expands `${VAR}`, `${VAR:-default}` and `$$` in `value`. `where` names the place for errors
// ("pgdrift.yml:4: key migrations.dir"). Throws pgdrift::Error (usage) for an unset variable
// without default or an unterminated `${`.
std::string expand_env(const std::string& value, const Environment& env, const std::string& where);

// The names of the variables `value` refers to with `${NAME}` or `${NAME:-default}`, in order,
// each once (`$$` escapes are skipped; malformed references are left to expand_env).
std::vector<std::string> referenced_variables(const std::string& value);

// How an error message quotes a config value whose text in the file is `written` and whose
// expanded value is `value`: "'value'", or "the value of ${NAME}" (", ${OTHER}" for more) when
// a variable was expanded into it and either its name looks secret (util::secret_name: PASS,
// SECRET, TOKEN, KEY, URL, DSN, CREDENTIAL) or the value holds a password
// (util::redact would change it), so a CI secret is never echoed. Literal text is redacted.
std::string quoted_value(const std::string& written, const std::string& value);

// Parses "500MB", "2GB", "2GiB", "1024KiB" or a bare number of bytes (KB/MB/GB are powers of 1000,
// KiB/MiB/GiB of 1024). Nullopt when malformed.
std::optional<std::uint64_t> parse_size(const std::string& text);

// Parses "250ms", "30s", "5min", "2h" or a bare number of seconds. Nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

}  // namespace pgdrift::config
