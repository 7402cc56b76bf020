// start_and_replay: a replay whose history part may come from the replay cache.
#include "pgdrift/replay/replay.hpp"

namespace pgdrift::replay {

namespace {

std::vector<const migrations::Migration*> slice(const std::vector<migrations::Migration>& all, std::size_t begin,
                                                std::size_t end) {
  std::vector<const migrations::Migration*> out;
  for (std::size_t i = begin; i < end && i < all.size(); ++i) out.push_back(&all[i]);
  return out;
}

// `head` followed by `tail`, as one result.
ReplayResult join(ReplayResult head, ReplayResult tail) {
  for (auto& m : tail.migrations) head.migrations.push_back(std::move(m));
  head.duration_ms += tail.duration_ms;
  head.journal = head.journal || tail.journal;  // one database: either part saw it installed
  return head;
}

// The first `count` migrations as restored from the cache.
ReplayResult cached_rows(const std::vector<migrations::Migration>& migrations, std::size_t count) {
  ReplayResult out;
  for (std::size_t i = 0; i < count; ++i) {
    MigrationResult row;
    row.migration = &migrations[i];
    row.status = Status::cached;
    out.migrations.push_back(std::move(row));
  }
  return out;
}

ReplayResult skipped_rows(const std::vector<migrations::Migration>& migrations, std::size_t from) {
  ReplayResult out;
  for (std::size_t i = from; i < migrations.size(); ++i) {
    MigrationResult row;
    row.migration = &migrations[i];
    out.migrations.push_back(std::move(row));
  }
  return out;
}

}  // namespace

SandboxReplay start_and_replay(sandbox::Backend& backend, const std::vector<migrations::Migration>& migrations,
                               const Options& options, const CacheOptions& cache) {
  SandboxReplay out;
  const std::size_t prefix = std::min(cache.history_prefix, migrations.size());
  if (!cache.enabled || prefix == 0 || !backend.supports_snapshots()) {
    backend.start();
    out.cache = "off";
    out.database = backend.create_database("verify");
    auto connection = db::Connection::open(out.database, "pgdrift");
    out.result = run(*connection, migrations, options);
    return out;
  }
  const std::vector<migrations::Migration> history(migrations.begin(), migrations.begin() + static_cast<long>(prefix));
  const std::string key = cache_key(history, cache.format, backend.description());
  const auto rest = slice(migrations, prefix, migrations.size());
  if (const auto database = backend.start_from_snapshot(key)) {
    out.cache = "hit";
    out.database = backend.admin().with_dbname(*database);
    auto connection = db::Connection::open(out.database, "pgdrift");
    out.result = join(cached_rows(migrations, prefix), run(*connection, rest, options));
    return out;
  }
  backend.start();
  out.database = backend.create_database("history");
  ReplayResult head;
  {
    // Nobody watches history: observers would see a part of the replay a warm run skips.
    Options unwatched = options;
    unwatched.observers.clear();
    auto connection = db::Connection::open(out.database, "pgdrift");
    head = run(*connection, slice(migrations, 0, prefix), unwatched);
  }
  if (!head.ok()) {
    out.cache = "not saved: the history does not replay";
    out.result = join(std::move(head), skipped_rows(migrations, prefix));
    return out;
  }
  const std::string why = backend.save_snapshot(key, out.database.dbname);
  out.cache = why.empty() ? "saved" : "not saved: " + why;
  auto connection = db::Connection::open(out.database, "pgdrift");
  out.result = join(std::move(head), run(*connection, rest, options));
  return out;
}

}  // namespace pgdrift::replay
