// pgdrift.yml: the configuration file. Every key is optional; CLI flags override it.
//
//   migrations:
//     dir: db/migrations            # path
//     format: auto                  # auto|plain|flyway|golang-migrate|dbmate|goose|prisma|drizzle|diesel|supabase
//     vars: {Namespace: app}        # placeholder name -> value (numbers, booleans taken as text)
//     command: alembic upgrade head # a string split into words like a shell would, or a list
//     base: origin/main             # git ref: migrations added or changed since its merge base are
//                                   # judged, the rest is history; the CI's base (and --base) win over
//                                   # it; none = no git base at all
//     baseline: "20240101000000"    # migrations at or below this version are history
//   sandbox:
//     backend: auto                 # auto|local|docker|server
//     server_url: ${CI_DATABASE_URL}
//     docker: docker                # the docker backend's CLI: a name on PATH or a path (podman)
//     cache_dir: .cache/pgdrift     # path; unset = the XDG cache directory
//     start_timeout: 60s            # duration, > 0
//     replay_cache: true            # keep the state after the history migrations (local backend)
//     replay_cache_size: 2GiB       # bound of cache_dir/replay; least recently used entries go first
//     setup: [db/setup.sql]         # paths: SQL run in every sandbox database before the migrations
//   postgres:
//     version: 15                   # major version, digits only
//     image: postgres:15-alpine     # the docker backend's image; unset = postgres:<version>
//   replay:
//     statement_timeout: 5min       # duration; 0 = no timeout
//     command_timeout: 30min        # duration; 0 = no timeout
//   catalog:                        # what schema models (dump, diff) include
//     include_schemas: [public, app] # default: every non-system schema
//     exclude_schemas: [audit]
//     exclude_objects: ["public.tmp_*"] # globs on "schema.name" or "name"
//     history_tables: [schema_migrations] # migration tools' tables to leave out (default: the known ones)
//   targets:                        # environments compared with the migrations (read only)
//     staging: ${STAGING_DATABASE_URL}
//     production: ${PROD_DATABASE_URL:-}   # empty → skipped with a notice
//   model:                          # the schema the application declares
//     file: db/schema.sql           # or:
//     command: npx prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script
//   drift:
//     compare: [comments, privileges, column-order]  # informational properties to compare too
//     ignore: [{schema: audit}, {kind: index, name: "tmp_*"}]
//     severity: {drift/unexpected-index: off}        # per rule: error|warning|notice|off
//     detect_renames: true
//     lock_timeout: 5s              # a target's lock wait before pgdrift gives up (and retries)
//   lint:
//     exclude: ["*__baseline.sql"]  # globs on migration paths or file names that are not linted
//     severity: {prefer-text: off, drop-column: warning}  # per rule id: error|warning|notice|off
//     allow_destructive: {"V7__drop_legacy.sql": "legacy table, unused since 2024"}  # glob: reason
//     trace: true                   # verify: watch locks, rewrites and scans while replaying
//     destructive: true             # verify: compare the schema before and after each migration
//   fail_on: error                  # error|warning|notice
//
// Finding the file: `--config PATH` must exist; otherwise pgdrift.yml, then pgdrift.yaml, in the
// current directory (.yml wins when both exist); with neither, the defaults above apply. An
// empty file, or one holding only comments, also means defaults. One YAML document per file.
//
// Values: a key with no value (`dir:` or `dir: ~`) keeps its default, and so does an empty
// section (`sandbox:`). Keys are case-sensitive; unknown or repeated keys are errors.
//
// Paths: relative paths are resolved against the directory of the config file as it was named,
// so `pgdrift.yml` in the current directory gives `db/migrations` and `--config sub/pgdrift.yml`
// gives `sub/db/migrations`. Absolute paths stay absolute.
//
// Durations: a whole number followed by ms, s, min or h ("250ms", "30s", "5min", "2h"); a bare
// number is seconds. No fractions ("1500ms", not "1.5s") and no negative values.
//
// Environment variables: every scalar value (including vars values, command words and the
// enum/duration settings) may use `${NAME}`, `${NAME:-default}` (the default also replaces a
// variable that is set but empty) and `$$` for a literal `$`. A `$` followed by anything else
// is kept as is, so `$HOME` reaches a command untouched. An unset variable without a default is
// an error. A command given as one string is expanded first and split into words afterwards,
// so a variable whose value has spaces yields several words unless the reference is quoted:
// `command: migrate -url "${DATABASE_URL}"`. Items of a command list are never split.
//
// Errors name the file, the 1-based line and the dotted key, e.g.
//   pgdrift.yml:7: unknown key 'sandbox.bakend'   (hint: did you mean 'backend'? ...)

#include "pgdrift/config/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "reader.hpp"

namespace pgdrift::config {

namespace fs = std::filesystem;

namespace {

using detail::Entry;
using detail::Handlers;
using detail::Reader;

const std::vector<std::string> k_default_names = {"pgdrift.yml", "pgdrift.yaml"};
const std::vector<std::string> k_formats = {
    "auto", "plain", "flyway", "golang-migrate", "dbmate", "goose", "prisma", "drizzle", "diesel"};
const std::vector<std::string> k_backends = {"auto", "local", "docker", "server"};
const std::vector<std::string> k_severities = {"error", "warning", "notice"};

const std::vector<std::string> k_comparable = {"comments", "privileges", "column-order"};
const std::vector<std::string> k_kinds = {"*", "schema", "extension", "enum", "domain", "composite type", "sequence",
                                          "table", "column", "constraint", "index", "view", "materialized view",
                                          "function", "procedure", "trigger", "policy"};

void read_compare(const Reader& r, const Entry& e, std::vector<std::string>& out) {
  std::vector<std::string> items;
  r.read_list(e, items);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    if (std::find(k_comparable.begin(), k_comparable.end(), item) == k_comparable.end()) {
      const std::string shown = Reader::shown(e.value.IsSequence() ? e.value[i] : e.value, item);
      throw r.error_at(e.line, e.key + ": " + shown + " cannot be compared",
                       "use any of: comments, privileges, column-order");
    }
  }
  out = std::move(items);
}

void read_ignore(const Reader& r, const Entry& e, std::vector<Config::Drift::Ignore>& out) {
  if (e.value.IsNull()) return;
  const std::string example = "for example: ignore: [{kind: index, name: \"tmp_*\"}, {schema: audit}]";
  if (!e.value.IsSequence()) throw r.error_at(e.line, e.key + " must be a list of {schema, kind, name} maps", example);
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const int line = Reader::line_of(item, e.line);
    if (!item.IsMap()) throw r.error_at(line, e.key + "[" + std::to_string(i) + "] must be a map", example);
    Config::Drift::Ignore rule;
    r.read_map(item, e.key + "[" + std::to_string(i) + "]", line,
               {{"schema", [&](const Entry& x) { r.read_string(x, rule.schema); }},
                {"kind", [&](const Entry& x) { r.read_choice(x, k_kinds, rule.kind); }},
                {"name", [&](const Entry& x) { r.read_string(x, rule.name); }}});
    out.push_back(std::move(rule));
  }
}

void read_severity(const Reader& r, const Entry& e, std::map<std::string, std::string>& out) {
  std::map<std::string, std::string> values;
  r.read_vars(e, values);
  for (const auto& [rule, severity] : values) {
    if (severity != "error" && severity != "warning" && severity != "notice" && severity != "off") {
      throw r.error_at(e.line, e.key + "." + rule + ": " + Reader::shown(e.value[rule], severity) +
                                   " is not a severity",
                       "use error, warning, notice or off");
    }
  }
  out = std::move(values);
}

void read_bool(const Reader& r, const Entry& e, bool& out) {
  std::string value = out ? "true" : "false";
  r.read_choice(e, {"true", "false"}, value);
  out = value == "true";
}

void read_size(const Reader& r, const Entry& e, std::uint64_t& out) {
  std::string text;
  r.read_string(e, text);
  if (text.empty()) return;
  const auto size = parse_size(text);
  if (!size || *size == 0) {
    throw r.error_at(Reader::line_of(e.value, e.line),
                     e.key + " must be a size like 500MB or 2GiB (got " + Reader::shown(e.value, text) + ")",
                     "write a whole number with B, KB, MB, GB, KiB, MiB or GiB");
  }
  out = *size;
}

// A map of glob → reason; every reason must say something.
void read_reasons(const Reader& r, const Entry& e, std::map<std::string, std::string>& out) {
  std::map<std::string, std::string> values;
  r.read_vars(e, values);
  for (const auto& [glob, reason] : values) {
    if (reason.empty()) {
      throw r.error_at(e.line, e.key + "." + glob + " needs a reason",
                       "say why the destructive change is intended, e.g. \"V7__*.sql\": \"legacy table, unused since 2024\"");
    }
  }
  out = std::move(values);
}

void read_config(const Reader& r, const YAML::Node& root, Config& c) {
  const auto section = [&r](Handlers handlers) {
    return [&r, handlers = std::move(handlers)](const Entry& e) {
      r.read_map(e.value, e.key, e.line, handlers);
    };
  };
  r.read_map(
      root, "", 1,
      {
          {"migrations",
           section({
               {"dir", [&](const Entry& e) { r.read_path(e, c.migrations.dir); }},
               {"format",
                [&](const Entry& e) { r.read_choice(e, k_formats, c.migrations.format); }},
               {"vars", [&](const Entry& e) { r.read_vars(e, c.migrations.vars); }},
               {"command", [&](const Entry& e) { r.read_command(e, c.migrations.command); }},
               {"base", [&](const Entry& e) { r.read_string(e, c.migrations.base); }},
               {"baseline", [&](const Entry& e) { r.read_string(e, c.migrations.baseline); }},
           })},
          {"sandbox",
           section({
               {"backend",
                [&](const Entry& e) { r.read_choice(e, k_backends, c.sandbox.backend); }},
               {"server_url", [&](const Entry& e) { r.read_string(e, c.sandbox.server_url); }},
               {"docker", [&](const Entry& e) { r.read_string(e, c.sandbox.docker); }},
               {"cache_dir", [&](const Entry& e) { r.read_path(e, c.sandbox.cache_dir); }},
               {"start_timeout",
                [&](const Entry& e) { r.read_duration(e, false, c.sandbox.start_timeout); }},
               {"replay_cache", [&](const Entry& e) { read_bool(r, e, c.sandbox.replay_cache); }},
               {"replay_cache_size", [&](const Entry& e) { read_size(r, e, c.sandbox.replay_cache_size); }},
               {"setup", [&](const Entry& e) { r.read_paths(e, c.sandbox.setup); }},
           })},
          {"postgres",
           section({
               {"version", [&](const Entry& e) { r.read_version(e, c.postgres.version); }},
               {"image", [&](const Entry& e) { r.read_string(e, c.postgres.image); }},
           })},
          {"replay",
           section({
               {"statement_timeout",
                [&](const Entry& e) { r.read_duration(e, true, c.replay.statement_timeout); }},
               {"command_timeout",
                [&](const Entry& e) { r.read_duration(e, true, c.replay.command_timeout); }},
           })},
          {"catalog",
           section({
               {"include_schemas", [&](const Entry& e) { r.read_list(e, c.catalog.include_schemas); }},
               {"exclude_schemas", [&](const Entry& e) { r.read_list(e, c.catalog.exclude_schemas); }},
               {"exclude_objects", [&](const Entry& e) { r.read_list(e, c.catalog.exclude_objects); }},
               {"history_tables", [&](const Entry& e) { r.read_list(e, c.catalog.history_tables); }},
           })},
          {"targets", [&](const Entry& e) { r.read_vars(e, c.targets); }},
          {"model",
           section({
               {"file", [&](const Entry& e) { r.read_path(e, c.model.file); }},
               {"command", [&](const Entry& e) { r.read_command(e, c.model.command); }},
           })},
          {"drift",
           section({
               {"compare", [&](const Entry& e) { read_compare(r, e, c.drift.compare); }},
               {"ignore", [&](const Entry& e) { read_ignore(r, e, c.drift.ignore); }},
               {"severity", [&](const Entry& e) { read_severity(r, e, c.drift.severity); }},
               {"detect_renames", [&](const Entry& e) { read_bool(r, e, c.drift.detect_renames); }},
               {"lock_timeout", [&](const Entry& e) { r.read_duration(e, false, c.drift.lock_timeout); }},
           })},
          {"lint",
           section({
               {"exclude", [&](const Entry& e) { r.read_list(e, c.lint.exclude); }},
               {"severity", [&](const Entry& e) {
                  read_severity(r, e, c.lint.severity);
                  c.lint.severity_line = e.line;
                  if (e.value.IsMap()) {
                    for (const auto& pair : e.value) {
                      c.lint.severity_lines[pair.first.Scalar()] = Reader::line_of(pair.first, e.line);
                    }
                  }
                }},
               {"allow_destructive", [&](const Entry& e) { read_reasons(r, e, c.lint.allow_destructive); }},
               {"trace", [&](const Entry& e) { read_bool(r, e, c.lint.trace); }},
               {"destructive", [&](const Entry& e) { read_bool(r, e, c.lint.destructive); }},
           })},
          {"fail_on", [&](const Entry& e) { r.read_choice(e, k_severities, c.fail_on); }},
      });
}

// The file to read, as the user named it (relative names stay relative), or nullopt.
std::optional<fs::path> find_file(const std::optional<fs::path>& explicit_path,
                                  const fs::path& cwd) {
  if (explicit_path) {
    std::error_code ec;
    if (!fs::exists(cwd / *explicit_path, ec)) {
      throw usage_error(explicit_path->string() + ": config file not found",
                        "check the --config path, or omit it to use ./pgdrift.yml when present");
    }
    if (fs::is_directory(cwd / *explicit_path, ec)) {
      throw usage_error(
          explicit_path->string() + ": config path is a directory",
          "give the path of the file, e.g. " + (*explicit_path / "pgdrift.yml").string());
    }
    return explicit_path;
  }
  for (const auto& name : k_default_names) {
    std::error_code ec;
    if (fs::is_regular_file(cwd / name, ec)) return fs::path(name);
  }
  return std::nullopt;
}

}  // namespace

Config load(const std::optional<fs::path>& explicit_path, const fs::path& cwd,
            const Environment& env) {
  Config config;
  const auto file = find_file(explicit_path, cwd);
  if (!file) return config;
  config.file = *file;
  const std::string text = util::read_file((cwd / *file).string());
  const Reader reader(file->string(), file->parent_path(), env);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw reader.error_at(e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg,
                          "check the indentation and quoting on and just above that line");
  }
  if (documents.empty()) return config;
  if (documents.size() > 1) {
    throw reader.error_at(Reader::line_of(documents[1], 0), "a config file holds one YAML document",
                          "remove the second '---' and merge the settings into one map");
  }
  const YAML::Node& root = documents.front();
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    throw reader.error_at(Reader::line_of(root, 1), "the top level must be a map of settings",
                          "start with a key such as 'migrations:'");
  }
  try {
    read_config(reader, root, config);
  } catch (const YAML::Exception& e) {
    throw reader.error_at(e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg,
                          "check the indentation and quoting on and just above that line");
  }
  return config;
}

}  // namespace pgdrift::config
