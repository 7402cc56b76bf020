#pragma once

// The healing generator's shared state (Plan) and SQL-writing helpers. Private to the diff module.
// heal() analyses both models once (heal_analysis.cpp: what must be re-created or rebuilt), then
// one writer per object family adds steps to the Plan under a Phase; steps come out in phase
// order, and in the order they were added within a phase.

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "pgdrift/catalog/render.hpp"
#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/diff/heal.hpp"

namespace pgdrift::diff::healing {

using catalog::Kind;
using catalog::ObjectId;
using catalog::Properties;
using catalog::SchemaModel;

// Where a step goes in the script, in script order.
enum class Phase {
  // Dependents that are removed or rebuilt go first, so that what they depend on can change.
  drop_policies,
  drop_triggers,
  drop_views,
  drop_indexes,
  drop_foreign_keys,
  drop_constraints,
  drop_early,  // re-created tables and routines, and objects whose name a new object takes
  // Creates and in-place alters, dependencies first.
  schemas,
  extensions,
  enums,
  domains,
  composite_types,
  sequences,
  functions,  // routines whose signature names no relation (bodies are not checked)
  tables,
  columns,
  owned_by,
  constraints,
  foreign_keys,
  indexes,
  views,  // views, materialized views and the routines whose signature names a relation
  view_indexes,
  table_options,  // replica identity and CLUSTER ON, which need the indexes
  triggers,
  policies,
  // What `to` no longer has, dependents first.
  drop_columns,
  drop_tables,
  drop_routines,
  drop_sequences,
  drop_types,
  drop_extensions,
  drop_schemas,
};

// (schema, table name).
using TableName = std::pair<std::string, std::string>;

class Plan {
 public:
  Plan(const SchemaModel& from, const SchemaModel& to) : m_from(from), m_to(to) {}

  const SchemaModel& from() const { return m_from; }
  const SchemaModel& to() const { return m_to; }
  // The object's properties in `from` / `to`; nullptr when it is not there.
  const Properties* in_from(const ObjectId& id) const;
  const Properties* in_to(const ObjectId& id) const;

  // Adds one statement (`sql` ends with ';'), in the script's transaction unless `section` says.
  // The step returned is valid until the next add().
  HealStep& add(Phase phase, const ObjectId& id, std::string sql, bool destructive,
           Section section = Section::transaction);
  // Moves the steps of `id` in `phase` to `section`.
  void move_to_section(const ObjectId& id, Phase phase, Section section);
  // Every step added, in phase order.
  std::vector<HealStep> steps() const;

  // Whether the table or materialized view owning sub-object `id` is created by the script
  // (absent from `from`, or re-created) / dropped by it (absent from `to`, or re-created).
  bool owner_created(const ObjectId& id) const;
  bool owner_dropped(const ObjectId& id) const;
  // Whether that owner is in both models but dropped and created again.
  bool owner_recreated(const ObjectId& id) const;
  // Whether `id` (in both models) is dropped and created again.
  bool rebuilt(const ObjectId& id) const { return rebuilt_ids.count(id) != 0; }

  // Decisions made by analyze() before any step is written.
  std::set<ObjectId> rebuilt_ids;       // in both models, dropped and created again
  std::set<ObjectId> early_drops;       // dropped in Phase::drop_early
  std::set<std::string> rebuilt_enums;  // qualified names of enums re-created under their name
  // Columns whose type or collation changes (ALTER COLUMN TYPE), by table.
  std::map<TableName, std::set<std::string>> retyped_columns;
  // Generated columns re-created (dropped before, added after) because a column their expression
  // uses changes type.
  std::set<ObjectId> regenerated_columns;

 private:
  struct Entry {
    Phase phase;
    std::size_t order;
    HealStep step;
  };
  const SchemaModel& m_from;
  const SchemaModel& m_to;
  std::vector<Entry> m_entries;
};

// `from` with the tables and columns that compare() pairs as renamed in `to` renamed (and the
// definitions that name them, and their auto-named constraints and indexes), and the RENAME
// statements that do it (heal_renames.cpp).
struct Renames {
  SchemaModel from;
  std::vector<HealStep> steps;
};
Renames apply_renames(const SchemaModel& from, const SchemaModel& to);

// Decides what is rebuilt, re-created, retyped or dropped early (see Plan's public fields).
void analyze(Plan& plan);

// The writers, one per object family.
void heal_namespaces(Plan& plan);  // schemas, extensions
void heal_types(Plan& plan);       // enums, domains, composite types
void heal_sequences(Plan& plan);
void heal_tables(Plan& plan);
void heal_columns(Plan& plan);
void heal_constraints(Plan& plan);
void heal_indexes(Plan& plan);
void heal_views(Plan& plan);  // views, materialized views, functions, procedures
void heal_triggers(Plan& plan);
void heal_policies(Plan& plan);

// "name type [COLLATE …] [GENERATED …] [DEFAULT …][ NOT NULL]" for CREATE TABLE / ADD COLUMN; NOT
// NULL only when `with_not_null` (heal_columns.cpp).
using catalog::column_definition;
// The parents a table's properties name (partition_of, inherits), as deparsed (heal_tables.cpp).
std::vector<std::string> table_parents(const Properties& table);
// ALTER COLUMN SET (…) / RESET (…) turning the column's attribute options `from` into `to`'s
// (heal_tables.cpp).
void heal_column_options(Plan& plan, const ObjectId& id, const Properties* from,
                         const Properties& to, bool destructive);

// ---- SQL text helpers (heal_sql.cpp) ----

// The value of `key`, nullptr / "" when absent.
const std::string* get(const Properties& p, const std::string& key);
std::string value(const Properties& p, const std::string& key);
bool is_true(const Properties& p, const std::string& key);
// Whether `key` has the same value (or is absent) in both; a null `a` has nothing.
bool same(const Properties* a, const Properties& b, const std::string& key);

inline std::string literal(const std::string& text) { return catalog::sql_literal(text); }
// "schema.name" quoted as needed; just the name when `schema` is empty.
inline std::string qualified(const std::string& schema, const std::string& name) {
  return catalog::qualified_name(schema, name);
}
// The qualified name of the table owning sub-object `id`.
std::string owner_name(const ObjectId& id);
// A function or procedure as "schema.name(argument types)".
std::string routine_name(const ObjectId& id);
// The identity-free part of a routine's name: "schema.name" (quoted as needed).
std::string routine_base_name(const ObjectId& id);
using catalog::parenthesized;
using catalog::without_semicolon;
// Whether `text` mentions `name` (an SQL name as deparsed, e.g. `public.users`) as a whole
// token, not as part of a longer name (nor after a '.' unless `qualified_ok`: a column after its
// table's name).
bool mentions(const std::string& text, const std::string& name, bool qualified_ok = false);
// `text` split at top-level `separator`s (not inside parentheses or quotes), each part trimmed.
std::vector<std::string> split_top_level(const std::string& text, char separator);
// The identifier `text` starts with (quoted or not, as written), and the rest after it trimmed.
std::pair<std::string, std::string> leading_identifier(const std::string& text);

// "TABLE public.t", "COLUMN public.t.c", "FUNCTION public.f(integer)", … as COMMENT ON names it.
std::string comment_target(const ObjectId& id);
// COMMENT ON and GRANT/REVOKE statements turning `from`'s comment and privileges (nullptr: a new
// object, with the built-in defaults) into `to`'s. REVOKEs on existing objects are destructive.
void heal_metadata(Plan& plan, Phase phase, const ObjectId& id, const Properties* from,
                   const Properties& to, bool destructive = false);

// A sequence's settings, all explicit.
struct SequenceSettings {
  std::string type;
  std::string start;
  std::string increment;
  std::string min;
  std::string max;
  std::string cache;
  bool cycle = false;
  friend bool operator==(const SequenceSettings& a, const SequenceSettings& b);
};
// The settings of a sequence of `type` with CREATE SEQUENCE `options` (the model's
// identity_sequence / serial_sequence text: only the non-default ones, "AS t" first when present).
SequenceSettings sequence_settings(const std::string& type, const std::string& options);
// The settings of a standalone sequence from its model properties.
SequenceSettings sequence_settings(const Properties& p);
// The options of `to` that differ from `from`, in CREATE SEQUENCE order, each preceded by `prefix`
// ("SET " for identity columns): "AS t MINVALUE … MAXVALUE …" when the type differs, then
// "INCREMENT BY …", "START WITH …", "CACHE …", "[NO ]CYCLE"; "" when none differ.
std::string sequence_clause(const SequenceSettings& from, const SequenceSettings& to,
                            const std::string& prefix);
// CREATE SEQUENCE's options for `s`: "AS t" unless bigint, then those that are not the defaults.
std::string create_sequence_clause(const SequenceSettings& s);
// Whether `to` allows fewer values than `from` (ALTER can fail on the current value).
bool narrows(const SequenceSettings& from, const SequenceSettings& to);

}  // namespace pgdrift::diff::healing
