#pragma once

// Private to cli: the stages of `pgdrift verify`, one function each, over one Run.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/db/connection.hpp"
#include "pgdrift/diff/compare.hpp"
#include "pgdrift/diff/server_canonicalizer.hpp"
#include "pgdrift/history/history.hpp"
#include "pgdrift/history/judge.hpp"
#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/replay/capture.hpp"
#include "pgdrift/report/report.hpp"
#include "pgdrift/sandbox/backend.hpp"

namespace pgdrift::cli {

// One target as the history stage left it for the drift stage.
struct TargetState {
  std::string name;
  std::string url;
  std::unique_ptr<db::Connection> connection;  // null: skipped or unreachable
  std::vector<history::Entry> entries;         // what needs attention in its history
  std::optional<std::set<std::string>> applied;  // paths of migrations applied there, when its history was read
  double history_ms = 0;
};

// Everything the stages share.
struct VerifyRun {
  VerifyRun(config::Config config, Io streams) : cfg(std::move(config)), io(streams) {}
  config::Config cfg;
  Io io;
  bool verbose = false;
  bool interactive = false;  // a terminal watches (docker may draw pull progress)
  report::Report report;
  migrations::Discovery discovery;
  catalog::IntrospectOptions introspection;
  diff::CompareOptions comparison;
  std::vector<TargetState> targets;
  history::Judged judged;
  std::unique_ptr<sandbox::Backend> backend;
  std::optional<catalog::SchemaModel> expected;  // the replayed migrations' model, when they replay
  // The sandbox database `expected` was read from, and the canonicalizer probing expressions
  // there (made on first use by the model and drift stages).
  std::optional<db::ConnectionInfo> expected_database;
  std::unique_ptr<diff::ServerCanonicalizer> canonicalizer;
  std::vector<std::string> infrastructure_errors;
  // verify --command: what the framework ran, cut into its migrations (run.discovery holds them).
  std::optional<replay::FrameworkCapture> framework;
};

// Stage 1: each target's connection and migration history (findings for unreachable targets
// and history states). Runs before the replay: what every target applied is history.
void read_targets(VerifyRun& run, const std::map<std::string, std::string>& targets);

// Stage 2: new vs history (base, baseline, targets); history/edited-migration findings.
void judge_stage(VerifyRun& run);

// Stage 3: one sandbox; the replay (history from the replay cache when it can) watched by the
// tracer and the destructive guard on new migrations only; static lint of the new migrations
// (knowing what the history built); the expected model.
void replay_and_lint(VerifyRun& run);

// Stage 4: the model file or command against the expected model.
void model_stage(VerifyRun& run);

// Stage 5: each target against the expected model (what its applied migrations build).
void drift_stage(VerifyRun& run);

}  // namespace pgdrift::cli
