#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "pgdrift/util/finding.hpp"

namespace pgdrift::report {

// One statement's timing in the JSON report.
struct StatementRow {
  int line = 0;
  int column = 0;
  std::string status;  // applied|failed|skipped
  double duration_ms = 0;
  std::string command_tag;
};

// One migration as the reports show it.
struct MigrationRow {
  std::string version;
  std::string name;
  std::string file;
  std::string status;      // applied|failed|skipped|cached
  bool in_transaction = true;
  std::string transaction_note;
  double duration_ms = 0;
  std::vector<StatementRow> statements;
  bool judged = true;      // new (linted, traced, guarded); false: history, only replayed
};

// One item a run checked, so reporters can list what passed too (JUnit test cases): each
// migration replayed, each lint rule on each file, each target compared, the model, each
// target's history.
struct Check {
  std::string family;  // "replay", "drift", "model", "history"
  std::string name;    // the migration's file, or the target's name
  std::string file;    // a file to attach it to (the migration; empty otherwise)
  std::string target;  // the environment (drift, history; "model" for the model)
  double duration_ms = 0;
  bool error = false;          // could not be checked (unreachable target, infrastructure)
  std::string error_message;   // why, when error
  std::string rule;            // lint: the rule checked in `file` ("lint/drop-column", "destructive/drop-table")
};

// Which migrations a run judged (verify, lint).
struct Judged {
  bool present = false;            // the command judges migrations (verify, lint)
  bool narrowed = false;           // a base, a baseline or the targets made some migrations history
  bool all_requested = false;      // --base none: judging everything was asked for
  std::string base;                // what narrowed it: "origin/main", "baseline 20240101", …
  std::vector<std::string> new_files;  // the judged migrations' files, in apply order
  std::size_t history_count = 0;
  std::string cache;               // verify: replay cache "hit", "saved", "off", "not saved: …"
  std::size_t cache_covers = 0;    // verify: the leading history migrations the cache entry holds
};

// Everything one pgdrift run has to say; reporters render it and compute nothing.
struct Report {
  std::string command;             // "replay", "verify", …
  std::string tool_version;
  std::string migrations_dir;
  // verify/status --command: the framework's command as given (migrations_dir is then empty)
  std::string migrations_command;
  std::string format;              // migrations format used (the framework's name with a command)
  std::string backend;             // sandbox backend kind
  std::string server_version;
  int lint_pg_version = 0;         // lint: the PostgreSQL major version the rules assumed (0: none)
  std::vector<MigrationRow> migrations;
  Judged judged;
  std::size_t migrations_found = 0;  // migrations discovered, for commands that list no rows (status)
  std::vector<Check> checks;       // what was checked, in order
  std::vector<Finding> findings;   // sorted
  // Target name → the whole SQL script that brings it in line, in dependency order
  // (diff::fix_script); targets without one use their findings' `fix` in report order.
  std::map<std::string, std::string> fix_scripts;
  Severity fail_on = Severity::error;
  double duration_ms = 0;
  // Set when the run stopped early with a usage (2) or infrastructure (3) error.
  int error_exit_code = 0;
  std::string error_message;
  std::string error_hint;
};

// `report` with every password masked (util::redact) in the text others wrote into it: server
// messages, command output, error texts, target names, fixes. Every renderer here and in
// ci_formats.hpp renders this copy, so no output carries a secret whatever built the findings.
Report without_secrets(const Report& report);

// The findings that belong to `check`: replay/* findings located in its file (replay), findings
// of its rule located in its file (lint), drift/* findings of its target (drift, model),
// history/* findings of its target (history).
std::vector<const Finding*> findings_of(const Report& report, const Check& check);

// One sentence saying which migrations were judged and how many history migrations were only
// replayed (or read, for lint), e.g. "Judged 1 new migration since origin/main (V9__x.sql); 8
// history migrations replayed, not judged." Without a base it says how to set one. Empty when
// the command judges nothing.
std::string judged_sentence(const Report& report);

// error_exit_code when set, else 1 when any finding is at or above report.fail_on, else 0.
int exit_code(const Report& report);

struct TextOptions {
  bool color = false;
  bool verbose = false;  // per-statement lines
  bool quiet = false;    // findings and the summary line only
};

// Human-readable text for a terminal or a CI log.
void write_text(std::ostream& out, const Report& report, const TextOptions& options);

// The JSON report: {"version":1,"tool":…,"findings":[…],"summary":{…},…}; fields in README.
std::string to_json(const Report& report);

// Whether to colour: only on a TTY, never when NO_COLOR is set (any value) or TERM=dumb.
bool use_color(int fd, const std::optional<std::string>& no_color, const std::optional<std::string>& term);

}  // namespace pgdrift::report
