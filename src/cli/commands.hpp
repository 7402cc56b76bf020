#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/config/config.hpp"
#include "pgdrift/util/environment.hpp"

namespace pgdrift::cli {

// Flags every subcommand accepts.
struct CommonFlags {
  std::string config;
  bool no_color = false;
  bool verbose = false;
  bool quiet = false;
};

// Flags of `pgdrift replay` (and later `verify`) that override pgdrift.yml when given.
struct ReplayFlags {
  std::optional<std::string> migrations;
  std::optional<std::string> format;
  std::vector<std::string> vars;  // NAME=VALUE
  std::optional<std::string> command;
  std::optional<std::string> backend;
  std::optional<std::string> server_url;
  std::optional<std::string> postgres_version;
  std::optional<std::string> docker;
  std::optional<std::string> image;
  std::optional<std::string> cache_dir;
  std::vector<std::string> setup;  // SQL files run before the first migration, after sandbox.setup's
  std::optional<std::string> statement_timeout;
  std::optional<std::string> start_timeout;
  std::optional<std::string> fail_on;
  std::string json;   // path, "-" for stdout, empty for none
  std::string junit;  // JUnit XML path
  std::string sarif;  // SARIF 2.1.0 path
  std::string gitlab; // GitLab Code Quality path
  bool github = false;  // GitHub annotations, job summary and outputs (also when GITHUB_ACTIONS=true)
  bool github_comment = false;    // the job summary as a pull request comment, updated in place
  std::string github_comment_id;  // tells several pgdrift comments on one pull request apart
  bool no_trace = false;        // verify: no dynamic tracing (lint.trace: false)
  bool no_destructive = false;  // verify: no destructive-change guard (lint.destructive: false)
  std::optional<std::string> base;      // verify, lint: git ref splitting new from history (migrations.base)
  std::optional<std::string> baseline;  // verify, lint: history up to this version (migrations.baseline)
  bool no_cache = false;                // verify: no replay cache
  std::optional<std::string> replay_cache_size;  // verify: bound of the replay cache (sandbox.replay_cache_size)
};

// Where a command writes and what it may read.
struct Io {
  std::ostream& out;
  std::ostream& err;
  const Environment& env;
};

// Loads pgdrift.yml (or --config) and applies the flags over it. Throws pgdrift::Error (usage).
config::Config load_config(const CommonFlags& common, const ReplayFlags& flags, Io io);

// `pgdrift replay`: returns the exit code. Throws pgdrift::Error for usage/infrastructure errors
// after writing what it can (the JSON report with the error).
int replay_command(const CommonFlags& common, const ReplayFlags& flags, Io io);

// Flags of `pgdrift lint` beyond the report flags.
struct LintFlags {
  std::vector<std::string> paths;           // files and directories; empty = migrations.dir
  std::optional<std::string> pg_version;    // major version the rules assume
  bool list_rules = false;
};

// `pgdrift lint`: static checks of migration files, no database; returns the exit code. Throws
// pgdrift::Error (usage) for missing paths, bad flags and bad configuration.
int lint_command(const CommonFlags& common, const ReplayFlags& flags, const LintFlags& lint_flags, Io io);

// Flags of `pgdrift sandbox prune`.
struct PruneFlags {
  std::optional<std::string> docker;
  bool dry_run = false;
};

// `pgdrift sandbox prune`: removes containers of pgdrift runs that no longer exist; returns the
// exit code. Throws pgdrift::Error (infrastructure) when docker is missing or fails.
int sandbox_prune_command(const CommonFlags& common, const PruneFlags& flags, Io io);

}  // namespace pgdrift::cli
