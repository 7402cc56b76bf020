#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pgdrift/migrations/migration.hpp"
#include "pgdrift/sandbox/backend.hpp"
#include "pgdrift/sql/statement.hpp"

namespace pgdrift::replay {

// The sandbox setup (`sandbox.setup`, `--setup`): SQL files describing what the real clusters
// already have (roles, schemas, extensions, settings), run in every sandbox database before the
// first migration, so that what they create is part of the expected schema.
struct Setup {
  std::vector<migrations::Migration> files;  // in the order given

  // Reads `paths` in order as psql scripts (migrations::load_file: meta-commands that only set
  // psql up and COPY data are skipped, placeholders from `vars` substituted). Throws
  // pgdrift::Error (usage) naming a missing, unreadable or non-UTF-8 file, or a meta-command that
  // cannot be honoured.
  static Setup load(const std::vector<std::string>& paths, const std::map<std::string, std::string>& vars);

  bool empty() const { return files.empty(); }
  // SHA-256 hex over the files' SQL in order (placeholders substituted): what the replay cache key
  // adds for a setup. Empty when there is no setup.
  std::string digest() const;
};

// Whether `statement` changes the cluster rather than the database it runs in (roles and their
// memberships, tablespaces, databases, ALTER SYSTEM): a setup runs these once per cluster, so a
// second database of the same sandbox does not fail on "role already exists".
bool cluster_wide(const sql::Statement& statement);

struct SetupOptions {
  std::chrono::milliseconds statement_timeout{300000};  // per statement; 0 = none
  std::function<void(const std::string&)> log;           // progress lines (verbose); may be empty
};

// `backend` with the setup run in every database it creates, before create_database() returns:
// the whole of it in the first one, and all but the cluster-wide statements in later ones (or in
// every one after start_from_snapshot(): the snapshot holds the cluster-wide part). Statements
// run one at a time in autocommit on a session of their own (as `psql -v ON_ERROR_STOP=1 -f`
// would: a `SET` ends with it), as the sandbox's normal connection. Replay-cache keys are
// combined with Setup::digest(), so a changed setup never restores a stale snapshot. On the
// server backend (a cluster shared with others) a CREATE ROLE of a role that already exists is
// skipped (said in verbose output). create_database() throws pgdrift::Error (usage) at the first
// failing statement, naming the file:line:column and the server's message (an unavailable
// extension with where to get it), or when a file leaves a transaction open; (infrastructure) for
// a lost connection.
std::unique_ptr<sandbox::Backend> with_setup(std::unique_ptr<sandbox::Backend> backend, Setup setup,
                                             SetupOptions options);

}  // namespace pgdrift::replay
