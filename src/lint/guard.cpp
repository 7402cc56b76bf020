// The destructive-change guard's rules and where its findings point. The comparison is in
// guard_compare.cpp (type widening in guard_types.cpp), which migrations need no snapshot in
// guard_additive.cpp, the replay observer in guard_observer.cpp. Only the observer needs the
// catalog's and db's sources: the rest links in a lint-only build (PGDRIFT_DEV_MODULES).

#include "pgdrift/lint/guard.hpp"

#include <algorithm>

#include "guard_text.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/text.hpp"
#include "rules/registry.hpp"

namespace pgdrift::lint {

namespace {

const std::string k_category = "destructive changes";
const std::string k_allow = "; if it is deliberate, say why with `-- pgdrift:allow-destructive <reason>`";

const RuleInfo* info_of(const std::vector<RuleInfo>& infos, const std::string& rule) {
  for (const auto& info : infos) {
    if (info.id == rule) return &info;
  }
  return nullptr;
}

}  // namespace

std::vector<RuleInfo> destructive_rule_infos() {
  return {
      {"destructive/drop-table", Severity::error, k_category,
       "the table and every row in it are gone, and code still reading or writing it fails at once",
       "expand/contract: stop using the table in a release first, back it up, and drop it in a later "
       "migration" +
           k_allow},
      {"destructive/drop-column", Severity::error, k_category,
       "the column's data is gone, and running code that still selects or inserts it fails",
       "expand/contract: stop reading and writing the column in a release first, back it up, and drop "
       "it in a later migration (to rename, add the new column and copy, then drop the old one later)" +
           k_allow},
      {"destructive/drop-index", Severity::warning, k_category,
       "no data is lost, but queries that used the index fall back to scans and may slow to a crawl, "
       "and a unique index stops rejecting duplicates (a notice only when an index or constraint "
       "with the same definition remains)",
       "check that no query needs it (pg_stat_user_indexes.idx_scan), drop it with DROP INDEX "
       "CONCURRENTLY in its own migration" +
           k_allow},
      {"destructive/drop-constraint", Severity::error, k_category,
       "the rule the constraint enforced (key, uniqueness, reference, check) no longer holds, so bad "
       "data can get in",
       "keep the constraint, or replace it first (a new one added NOT VALID then validated) and drop "
       "the old one after" +
           k_allow},
      {"destructive/drop-view", Severity::error, k_category,
       "queries and reports that select from the view (or materialized view) fail at once",
       "stop using the view in a release first and drop it in a later migration; to change it, use "
       "CREATE OR REPLACE VIEW" +
           k_allow},
      {"destructive/drop-object", Severity::error, k_category,
       "a sequence, function, type, schema, trigger, policy or extension disappeared, and whatever "
       "still uses it fails (or, for a trigger or policy, silently stops being enforced)",
       "stop using the object in a release first and drop it in a later migration; to change a "
       "function, use CREATE OR REPLACE with the same arguments" +
           k_allow},
      {"destructive/narrow-type", Severity::error, k_category,
       "the column's new type cannot hold every value of the old one: the migration fails on real "
       "data, or values are silently cut or rounded",
       "widen only (varchar(n) to varchar(m > n) or text, int to bigint, more numeric precision); to "
       "narrow, add a new column, backfill and check the data, then switch over" +
           k_allow},
      {"destructive/add-not-null", Severity::error, k_category,
       "a nullable column became NOT NULL: running code that inserts or sets NULL there now fails",
       "backfill the column and ship code that always writes it before adding NOT NULL (via CHECK "
       "(col IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL)" +
           k_allow},
      {"destructive/rename", Severity::error, k_category,
       "a table, column, view, schema or enum label was renamed: its data is kept, but running code "
       "that still uses the old name fails at once",
       "expand and contract: keep the old name working while the code moves (a view with the old "
       "name, or a new column written alongside), and remove it in a later migration" +
           k_allow},
      {"destructive/change-default", Severity::error, k_category,
       "the column's default changed or was removed: running code that leaves the column out now "
       "stores a different value, NULL, or fails on NOT NULL",
       "change the default only after the code writes the column explicitly, or keep the old "
       "default" +
           k_allow},
  };
}

std::vector<Finding> destructive_findings(const migrations::Migration& migration,
                                          const std::vector<DestructiveChange>& changes) {
  std::vector<Finding> out;
  if (changes.empty()) return out;
  const auto infos = destructive_rule_infos();
  const auto statements = sql::split(migration.up_sql);
  std::vector<std::string> texts;
  for (const auto& statement : statements) texts.push_back(util::to_lower(statement.text(migration.up_sql)));
  const util::LineIndex lines(migration.source);
  for (const auto& change : changes) {
    Finding f;
    f.rule = change.rule;
    f.severity = change.severity;
    f.message = change.message;
    f.object = change.object;
    if (const auto* info = info_of(infos, change.rule)) f.hint = info->hint;
    const sql::Statement* blamed = statements.empty() ? nullptr : &statements.front();
    // All names first ("ALTER TABLE users DROP COLUMN id" over an earlier "CREATE TABLE t (id …)"),
    // with a keyword ("… SET DEFAULT 1" over an earlier "… ALTER COLUMN qty TYPE bigint").
    struct Try {
      std::vector<std::string> names;
      bool keyword = false;
    };
    std::vector<Try> tries{{change.names, !change.keywords.empty()}, {change.names, false}};
    for (const auto& name : change.names) tries.push_back({{name}, false});
    for (const auto& attempt : tries) {
      if (attempt.names.empty()) continue;
      const auto it = std::find_if(texts.begin(), texts.end(), [&](const std::string& text) {
        const auto mentioned = [&](const std::string& word) { return guard::mentions(text, util::to_lower(word)); };
        return std::all_of(attempt.names.begin(), attempt.names.end(), mentioned) &&
               (!attempt.keyword || std::any_of(change.keywords.begin(), change.keywords.end(), mentioned));
      });
      if (it == texts.end()) continue;
      blamed = &statements[static_cast<std::size_t>(it - texts.begin())];
      break;
    }
    if (blamed != nullptr) {
      const auto at = lines.at(migration.source_offset(blamed->begin));
      const auto end = lines.at(migration.source_offset(blamed->end));
      f.location = Location{migration.display_path, at.line, at.column, end.line, end.column};
    } else {
      f.location = Location{migration.display_path, 0, 0, 0, 0};
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace pgdrift::lint
