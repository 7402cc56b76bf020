#include "pgdrift/lint/trace.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgdrift/lint/lint.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "rules/registry.hpp"
#include "trace_queries.hpp"

namespace pgdrift::lint {

namespace {

using trace::changes_nothing_traced;
using trace::command_name;
using trace::may_create_foreign_key;
using trace::may_create_relation;
using trace::may_drop_prepared;
using trace::Oid;
using trace::renames;
using trace::Row;
using trace::takes_no_snapshot;

// Lock modes by strength, numbered as in Postgres (lockdefs.h): 1 = ACCESS SHARE … 8 = ACCESS
// EXCLUSIVE. A set of modes is a bit mask (bit n = mode n).
using Modes = unsigned;
struct Mode {
  const char* id;    // as pg_locks shows it
  const char* name;  // as LOCK TABLE and the documentation write it
};
constexpr Mode k_modes[] = {{"", ""},
                            {"AccessShareLock", "ACCESS SHARE"},
                            {"RowShareLock", "ROW SHARE"},
                            {"RowExclusiveLock", "ROW EXCLUSIVE"},
                            {"ShareUpdateExclusiveLock", "SHARE UPDATE EXCLUSIVE"},
                            {"ShareLock", "SHARE"},
                            {"ShareRowExclusiveLock", "SHARE ROW EXCLUSIVE"},
                            {"ExclusiveLock", "EXCLUSIVE"},
                            {"AccessExclusiveLock", "ACCESS EXCLUSIVE"}};
constexpr int k_share = 5;  // the weakest mode that blocks writes
constexpr int k_access_exclusive = 8;
constexpr Modes bit(int mode) { return Modes{1} << mode; }

// The bit of a pg_locks mode ("ShareLock"); 0 for anything else.
Modes parse_mode(const std::string& id) {
  for (int mode = 1; mode <= k_access_exclusive; ++mode) {
    if (id == k_modes[mode].id) return bit(mode);
  }
  return 0;
}

int strongest(Modes modes) {
  for (int mode = k_access_exclusive; mode > 0; --mode) {
    if ((modes & bit(mode)) != 0) return mode;
  }
  return 0;
}

// "an ACCESS EXCLUSIVE", "a SHARE".
std::string with_article(int mode) {
  const std::string name = k_modes[mode].name;
  return (name[0] == 'A' || name[0] == 'E' ? "an " : "a ") + name;
}

// What other sessions cannot do while `mode` is held on a table.
std::string blocked_by(int mode) { return mode == k_access_exclusive ? "reads and writes" : "writes"; }

const RuleInfo& rule_info(const std::string& id) {
  static const std::vector<RuleInfo> k_infos = dynamic_rule_infos();
  for (const auto& info : k_infos) {
    if (info.id == id) return info;
  }
  throw std::logic_error("unknown dynamic rule " + id);
}

}  // namespace

struct Tracer::State {
  struct Relation {
    char kind = 'r';
    std::string filenode;
    Oid table = 0;  // the indexed table of an index; the relation itself otherwise
    std::string schema;
    std::string name;

    std::string display() const { return schema + "." + name; }
    std::string object() const {
      const std::string word = kind == 'm' ? "materialized view" : kind == 'i' || kind == 'I' ? "index" : "table";
      return word + " " + display();
    }
  };
  // A pre-existing relation this backend held locks on at the last trace of the transaction.
  struct Held {
    Modes modes = 0;
    int line = 0;         // where its ACCESS EXCLUSIVE lock was first seen
    std::string command;  // and by which command
  };
  // The statement being traced.
  struct Context {
    std::string command;  // "ALTER TABLE"
    std::string tag;      // the full command tag
    std::optional<Location> location;
  };

  int server_version_num = 0;
  bool started = false;
  Oid database = 0;
  Oid max_relation = 0;                  // largest oid in `relations`
  Oid after_relation = trace::k_first_user_oid - 1;  // largest relation oid seen by a snapshot
  Oid max_constraint = 0;                // largest constraint oid seen: newer ones are new
  bool may_have_created = true;          // a statement since the last snapshot may have made a relation
  std::map<Oid, Relation> relations;     // every relation that existed when the current migration began
  std::map<Oid, long long> scans;        // last sequential-scan count seen, per table
  std::map<Oid, std::optional<Location>> foreign_keys;  // every foreign key seen → the statement that made it
  std::map<std::pair<Oid, std::string>, std::optional<Location>> foreign_key_names;  // (table, name) → same
  // Foreign keys already without an index when the first watched migration began (made by
  // migrations nobody watched, e.g. history): not the watched migrations' doing.
  std::optional<std::set<Oid>> unindexed_at_start;
  std::set<Oid> existing_at_start;    // every foreign key then
  std::optional<Location> last_drop;  // the last watched DROP … / ALTER TABLE: what may drop an index

  const migrations::Migration* migration = nullptr;
  std::optional<util::LineIndex> lines;
  std::set<Oid> held_reported;  // tables reported as lock-held-across-statements in this migration

  std::string transaction;  // the (virtual) transaction the last trace ran in; empty: none open
  std::map<Oid, Held> held;

  std::vector<Finding> findings;
  TraceStats stats;

  // The statement queries prepared on the replay's connection (each variant once, on first use).
  // After a statement that may have dropped them the set is forgotten and the next ones get new
  // names (suffix _2, _3, …), so preparing never collides with a survivor. finish() deallocates
  // the set; after a failed replay they stay, harmless on the throwaway sandbox connection.
  std::set<std::string> prepared;
  std::set<std::string> maybe_prepared;  // of earlier generations: may or may not exist any more
  int generation = 1;

  bool shared_stats() const { return server_version_num >= 150000; }

  std::vector<Row> query(db::Connection& connection, const std::string& sql, const std::string& what,
                         bool statement) {
    const auto started_at = std::chrono::steady_clock::now();
    auto rows = trace::run(connection, sql, what, statement);
    count_query(started_at);
    return rows;
  }
  // Runs the statement query `q`, preparing it first when this connection has not yet.
  std::vector<Row> query(db::Connection& connection, trace::StatementQuery q, const std::string& what) {
    const auto started_at = std::chrono::steady_clock::now();
    if (generation > 1) q.name += "_" + std::to_string(generation);
    if (prepared.count(q.name) == 0) {
      try {
        connection.prepare(q.name, q.sql);
      } catch (const Error& e) {
        throw infra_error("tracing the replay failed (" + what + "): " + e.what());
      }
      prepared.insert(q.name);
    }
    auto rows = trace::run_prepared(connection, q, what);
    count_query(started_at);
    return rows;
  }
  void count_query(std::chrono::steady_clock::time_point started_at, bool counted = true) {
    if (counted) ++stats.queries;
    stats.query_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_at).count();
  }
  void forget_prepared() {
    if (prepared.empty()) return;  // none of this generation's names was used: no collision possible
    maybe_prepared.insert(prepared.begin(), prepared.end());
    prepared.clear();
    ++generation;
  }

  void end_transaction() {
    transaction.clear();
    held.clear();
    if (!shared_stats()) scans.clear();
  }

  void report(const std::string& rule, const Context& context, std::string message, std::string object,
              std::string fix = "") {
    const auto& info = rule_info(rule);
    Finding f;
    f.rule = finding_rule(info.id);
    f.severity = info.severity;
    f.message = std::move(message);
    f.location = context.location;
    f.object = std::move(object);
    f.hint = info.hint;
    f.fix = std::move(fix);
    findings.push_back(std::move(f));
  }

  // After a migration nobody watched: everything it made or changed (relations, their files and
  // scan counts, constraints, unindexed foreign keys) becomes the new starting point.
  void resync(db::Connection& connection) {
    if (!started) return;
    end_transaction();
    read_snapshot(connection, 0, true);
    for (const auto& [oid, where] : foreign_keys) {
      if (!where) existing_at_start.insert(oid);
    }
    if (unindexed_at_start) {
      for (const auto& fk : trace::unindexed_foreign_keys(connection, server_version_num)) {
        const auto known = foreign_keys.find(fk.oid);
        if (known == foreign_keys.end() || !known->second) unindexed_at_start->insert(fk.oid);
      }
    }
  }

  void snapshot(db::Connection& connection) {
    const bool first = !started;
    if (!first && !may_have_created) return;
    may_have_created = false;
    if (first) server_version_num = connection.server_version_num();
    read_snapshot(connection, after_relation, first);
    started = true;
  }

  // Records the snapshot query's rows (relations after `after`, or all of them with `all`): the
  // database, constraints (as made by nobody watched), relations with their files and scans.
  void read_snapshot(db::Connection& connection, Oid after, bool all) {
    for (const auto& row : query(connection, trace::snapshot_sql(after, all, server_version_num), "snapshot", false)) {
      if (row.kind == 'd') {
        database = row.oid;
      } else if (row.kind == 'c') {
        note_constraint(row, std::nullopt);
      } else if (row.kind == 'r' && trace::user_schema(row.schema)) {
        relations[row.oid] = Relation{row.relkind, row.filenode.value_or(""), row.table, row.schema, row.name};
        if (row.scans) scans[row.oid] = *row.scans;
        max_relation = std::max(max_relation, row.oid);
      }
      if (row.kind == 'r') after_relation = std::max(after_relation, row.oid);
    }
  }

  // A constraint newer than any seen: a foreign key belongs to the statement just run, unless a
  // key of the same name on the same table was seen before (ALTER COLUMN TYPE recreates them).
  void note_constraint(const Row& row, const std::optional<Location>& location) {
    max_constraint = std::max(max_constraint, row.oid);
    if (row.relkind != 'f' || foreign_keys.count(row.oid) != 0) return;
    const auto key = std::make_pair(row.table, row.name);
    const auto known = foreign_key_names.find(key);
    const auto where = known != foreign_key_names.end() ? known->second : location;
    foreign_keys[row.oid] = where;
    foreign_key_names[key] = where;
  }

  void trace(const std::vector<Row>& rows, const Context& context, bool in_transaction);
  void report_locks(const std::map<Oid, Modes>& now, const Context& context);
  void report_rewrites(const std::set<Oid>& rewritten, const Context& context);
  void report_scans(const std::vector<Oid>& scanned, const std::set<Oid>& rewritten, const std::map<Oid, Modes>& now,
                    const Context& context);
  void remember_locks(const std::map<Oid, Modes>& now, const Context& context);
};

void Tracer::State::trace(const std::vector<Row>& rows, const Context& context, bool in_transaction) {
  // What the rows say about each pre-existing relation.
  struct Seen {
    Modes modes = 0;
    std::optional<std::string> filenode;
    std::optional<long long> scans;
    const Row* named = nullptr;  // its 'r' row, with its name now
  };
  std::map<Oid, Seen> seen;
  std::string current;  // the transaction the rows come from (known when a lock is held)
  for (const auto& row : rows) {
    if (row.kind == 'c') note_constraint(row, context.location);
    if (row.kind == 'l') current = row.transaction;
    if ((row.kind != 'l' && row.kind != 'r') || relations.count(row.oid) == 0) continue;  // new, or not a table/index
    auto& entry = seen[row.oid];
    if (row.kind == 'l') entry.modes |= parse_mode(row.mode);
    if (row.kind == 'r') entry.named = &row;
    if (row.filenode) entry.filenode = row.filenode;
    if (row.scans) entry.scans = row.scans;
  }
  // Locks and transaction-local counters carry over only within one transaction (no lock at all:
  // nothing to carry).
  if (!in_transaction || current.empty() || current != transaction) end_transaction();
  transaction = in_transaction ? current : "";

  std::map<Oid, Modes> now;  // pre-existing relations and the modes held on them
  std::set<Oid> rewritten;
  std::vector<Oid> scanned;
  for (const auto& [oid, entry] : seen) {
    auto& relation = relations.at(oid);
    if (entry.modes != 0) now[oid] = entry.modes;
    if (entry.filenode && *entry.filenode != relation.filenode) {
      rewritten.insert(oid);
      relation.filenode = *entry.filenode;
    }
    // Before PostgreSQL 15 the count is the transaction's: meaningless after it committed.
    if (relation.kind == 'r' && entry.scans && (in_transaction || shared_stats())) {
      const auto base = scans.find(oid);
      if (base != scans.end() && *entry.scans > base->second) scanned.push_back(oid);
      scans[oid] = *entry.scans;
    }
  }
  report_locks(now, context);
  report_rewrites(rewritten, context);
  report_scans(scanned, rewritten, now, context);
  remember_locks(now, context);
  // Names as they are now (after a rename), for later statements; this one's findings used the old.
  for (const auto& [oid, entry] : seen) {
    if (entry.named == nullptr) continue;
    relations.at(oid).schema = entry.named->schema;
    relations.at(oid).name = entry.named->name;
  }
}

void Tracer::State::report_locks(const std::map<Oid, Modes>& now, const Context& context) {
  // One finding per table: its own locks and its indexes' (the planner locks every index of a
  // table, so a lock on an index blocks the table's queries as well).
  struct Group {
    Modes before = 0;
    int strongest = 0;
    Oid holder = 0;  // the relation holding the strongest mode, the table itself on a tie
  };
  std::map<Oid, Group> groups;
  for (const auto& [oid, modes] : now) {
    const auto& relation = relations.at(oid);
    auto& group = groups[relation.table];
    const auto before = held.find(oid);
    if (before != held.end()) group.before |= before->second.modes;
    const int mode = strongest(modes);
    if (mode > group.strongest || (mode == group.strongest && oid == relation.table)) {
      group.strongest = mode;
      group.holder = oid;
    }
    // lock-held-across-statements: ACCESS EXCLUSIVE held at the last trace and still held, so
    // held while this statement ran.
    if ((modes & bit(k_access_exclusive)) != 0 && before != held.end() &&
        (before->second.modes & bit(k_access_exclusive)) != 0 && held_reported.insert(relation.table).second) {
      const auto table = relations.find(relation.table);
      const auto& named = table != relations.end() ? table->second : relation;
      report("lock-held-across-statements", context,
             context.command + " ran while the ACCESS EXCLUSIVE lock that " + before->second.command + " took on " +
                 named.object() + " at line " + std::to_string(before->second.line) +
                 " was still held: everything waiting for the table also waits for this statement",
             named.object());
    }
  }
  for (const auto& [table_oid, group] : groups) {
    // A mode no stronger than one already held blocks nothing new.
    if (group.strongest < k_share || group.strongest <= strongest(group.before)) continue;
    const auto table = relations.find(table_oid);
    const auto& holder = relations.at(group.holder);
    const auto& named = table != relations.end() ? table->second : holder;
    const std::string blocked = blocked_by(group.strongest);
    std::string message = context.command + " took " + with_article(group.strongest) + " lock on " + holder.object();
    if (group.holder == table_oid) {
      message += ": " + blocked + (group.strongest == k_access_exclusive ? " of it" : " to it");
    } else {
      message += ": " + blocked + " of " + named.object();
    }
    report("lock-taken", context, message + " wait until the transaction ends", named.object());
  }
}

void Tracer::State::report_rewrites(const std::set<Oid>& rewritten, const Context& context) {
  if (context.tag == "TRUNCATE TABLE") return;  // lint/truncate covers it: emptying is the point
  for (const Oid oid : rewritten) {
    const auto& relation = relations.at(oid);
    if (relation.kind == 'r') {
      report("table-rewrite", context,
             context.command + " rewrote " + relation.object() +
                 ": every row was copied to a new file while reads and writes of it waited",
             relation.object());
    } else if (relation.kind == 'i' && rewritten.count(relation.table) == 0) {
      // An index rebuilt on its own (REINDEX, …); with its table it is part of the table's rewrite.
      const auto table = relations.find(relation.table);
      if (table != relations.end() && table->second.kind != 'r') continue;  // a materialized view's
      report("table-rewrite", context,
             context.command + " rebuilt " + relation.object() +
                 (table != relations.end() ? " of " + table->second.object() : std::string()) +
                 ": queries on the table waited for the whole build",
             relation.object());
    }
  }
}

void Tracer::State::report_scans(const std::vector<Oid>& scanned, const std::set<Oid>& rewritten,
                                 const std::map<Oid, Modes>& now, const Context& context) {
  // Only DDL: a backfill (UPDATE) or a query scans too, but that is the statement's work, not a check.
  if (!util::starts_with(context.tag, "ALTER")) return;
  for (const Oid oid : scanned) {
    if (rewritten.count(oid) != 0) continue;  // the rewrite read it, and table-rewrite says so
    const auto held_now = now.find(oid);
    const int mode = held_now == now.end() ? 0 : strongest(held_now->second);
    if (mode < k_share) continue;  // VALIDATE CONSTRAINT: a scan that blocks nobody
    const auto& relation = relations.at(oid);
    report("validation-scan", context,
           context.command + " read every row of " + relation.object() + " to check it while holding " +
               with_article(mode) + " lock: " + blocked_by(mode) + (mode == k_access_exclusive ? " of" : " to") +
               " it wait for the whole scan",
           relation.object());
  }
}

void Tracer::State::remember_locks(const std::map<Oid, Modes>& now, const Context& context) {
  std::map<Oid, Held> next;
  for (const auto& [oid, modes] : now) {
    Held h;
    h.modes = modes;
    const auto before = held.find(oid);
    if (before != held.end() && (before->second.modes & bit(k_access_exclusive)) != 0) {
      h.line = before->second.line;
      h.command = before->second.command;
    } else if ((modes & bit(k_access_exclusive)) != 0) {
      h.line = context.location ? context.location->line : 0;
      h.command = context.command;
    }
    next[oid] = std::move(h);
  }
  held = std::move(next);
}

Tracer::Tracer() : m_state(std::make_unique<State>()) {}
Tracer::~Tracer() = default;

void Tracer::before_migration(db::Connection& connection, const migrations::Migration& migration) {
  auto& s = *m_state;
  s.migration = &migration;
  s.lines.emplace(migration.source);
  s.held_reported.clear();
  s.end_transaction();
  s.snapshot(connection);
  if (!s.unindexed_at_start) {
    s.unindexed_at_start.emplace();
    for (const auto& [oid, where] : s.foreign_keys) s.existing_at_start.insert(oid);
    for (const auto& fk : trace::unindexed_foreign_keys(connection, s.server_version_num)) {
      s.unindexed_at_start->insert(fk.oid);
    }
  }
}

void Tracer::after_statement(db::Connection& connection, const migrations::Migration& migration,
                             const sql::Statement& statement, std::size_t index, std::string_view command_tag) {
  (void)index;
  auto& s = *m_state;
  const bool in_transaction = connection.in_transaction();
  State::Context context;
  context.tag = std::string(command_tag);
  context.command = command_name(command_tag);
  if (may_create_relation(statement)) s.may_have_created = true;
  if (may_drop_prepared(statement.node)) s.forget_prepared();
  if (takes_no_snapshot(statement.node) || changes_nothing_traced(statement.node, in_transaction)) {
    // Nothing to ask. Outside a transaction no lock is held any more, and ROLLBACK TO SAVEPOINT
    // releases locks without ending the transaction.
    if (!in_transaction || context.command == "ROLLBACK") s.end_transaction();
    return;
  }
  if (s.migration != &migration || !s.lines) {
    s.migration = &migration;
    s.lines.emplace(migration.source);
  }
  const auto begin = s.lines->at(migration.source_offset(statement.begin));
  const auto end = s.lines->at(migration.source_offset(statement.end));
  context.location = Location{migration.display_path, begin.line, begin.column, end.line, end.column};
  if (util::starts_with(command_tag, "DROP") || command_tag == "ALTER TABLE") s.last_drop = context.location;

  // Every relation, not only the locked ones, after a statement that committed on its own (its
  // locks are gone) or may have renamed some.
  const bool all_relations = !in_transaction || renames(statement.node);
  auto query = trace::statement_query(
      s.database, s.max_relation,
      may_create_foreign_key(statement) ? std::optional<trace::Oid>(s.max_constraint) : std::nullopt, all_relations,
      s.server_version_num);
  if (query.sql.empty()) return;  // nothing it could touch existed before, and it makes no foreign key
  const auto rows = s.query(connection, std::move(query), migration.display_path + ":" + std::to_string(begin.line));
  ++s.stats.statements;
  s.trace(rows, context, in_transaction);
}

void Tracer::unwatched_migration(db::Connection& connection, const migrations::Migration& migration) {
  (void)migration;
  m_state->resync(connection);
}

void Tracer::after_migration(db::Connection& connection, const migrations::Migration& migration, bool applied) {
  (void)connection;
  (void)migration;
  (void)applied;
  m_state->end_transaction();
  m_state->lines.reset();
  m_state->migration = nullptr;
}

void Tracer::finish(db::Connection& connection) {
  auto& s = *m_state;
  if (s.server_version_num == 0) s.server_version_num = connection.server_version_num();
  const auto started_at = std::chrono::steady_clock::now();
  const auto unindexed = trace::unindexed_foreign_keys(connection, s.server_version_num);
  s.count_query(started_at);
  // Leave the session as it was; deallocating is not counted as a query, only timed.
  const auto deallocating_at = std::chrono::steady_clock::now();
  for (const auto& name : s.prepared) {
    try {
      connection.deallocate(name);
    } catch (const Error& e) {
      throw infra_error(std::string("tracing the replay failed (cleanup): ") + e.what());
    }
  }
  s.prepared.clear();
  // Those a DO or CALL left alone are still there; an error (already gone) is harmless here,
  // outside any transaction.
  for (const auto& name : s.maybe_prepared) connection.execute("DEALLOCATE " + db::quote_ident(name));
  s.maybe_prepared.clear();
  s.count_query(deallocating_at, false);
  for (const auto& fk : unindexed) {
    State::Context context;
    const auto known = s.foreign_keys.find(fk.oid);
    const auto named = s.foreign_key_names.find(std::make_pair(fk.table_oid, fk.name));
    if (known != s.foreign_keys.end()) {
      context.location = known->second;
    } else if (named != s.foreign_key_names.end()) {
      context.location = named->second;  // re-created by ALTER COLUMN TYPE, not looked for since
    }
    if (!context.location && s.existing_at_start.count(fk.oid) != 0) {
      // Made before the first watched migration (history replayed unwatched): only the watched
      // migrations' doing when it had an index then (they dropped it, most likely last).
      if (!s.unindexed_at_start || s.unindexed_at_start->count(fk.oid) != 0) continue;
      context.location = s.last_drop;
    }
    const std::string table = fk.schema + "." + fk.table;
    s.report("foreign-key-without-index", context,
             "foreign key " + fk.name + " on table " + table + " (" + fk.columns +
                 ") has no index starting with its columns: each DELETE from " + fk.referenced +
                 ", or UPDATE of its key, scans " + table,
             "constraint " + table + "." + fk.name,
             std::string("CREATE INDEX ") + (fk.partitioned ? "" : "CONCURRENTLY ") + "ON " + fk.quoted_table + " (" +
                 fk.columns + ");");
  }
}

std::vector<Finding> Tracer::findings() const { return m_state->findings; }

const TraceStats& Tracer::stats() const { return m_state->stats; }

}  // namespace pgdrift::lint
