#pragma once

#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"

namespace pgdrift::diff {

// Where a step runs. CREATE/DROP INDEX CONCURRENTLY and VALIDATE CONSTRAINT cannot (or should
// not) share the transaction of the other steps, and a new enum value is unusable until the
// transaction that added it commits: those run on their own, before or after it.
enum class Section {
  before,       // outside a transaction, before the others (ADD VALUE, DROP INDEX CONCURRENTLY)
  transaction,  // in the script's one transaction
  after,        // outside a transaction, after it (CREATE INDEX CONCURRENTLY, VALIDATE)
};

// One statement of a healing migration.
struct HealStep {
  catalog::ObjectId id;  // the object this step creates, alters or drops
  std::string sql;       // one statement, ending with ';'
  bool destructive = false;  // drops or narrows something (DROP, narrowing type change, SET NOT NULL, …)
  Section section = Section::transaction;
  // Why a step that loses no data still breaks something (a RENAME: code reading the old name);
  // written as a `-- pgdrift:allow-destructive` directive before it. Empty for most steps.
  std::string caution = {};
  // Set on a step that was left out (the additive script comments it out): the destructive step
  // it depends on, e.g. "DROP TYPE public.state (destructive) is left out".
  std::string left_out_because = {};
};

struct HealOptions {
  bool allow_destructive = false;  // false: destructive steps are still returned, marked
};

// The statements that turn the schema `from` into the schema `to`, ordered so they apply:
// schemas, extensions, types, sequences, tables, columns, constraints (FKs after the keys they
// reference), indexes, views (by dependency), functions, triggers, policies — and drops in the
// reverse order. Comments and privileges too when they differ. Objects that exist in both but
// differ are altered in place where Postgres can (ALTER COLUMN TYPE/SET DEFAULT/…), else
// dropped and re-created (views, functions: CREATE OR REPLACE when possible).
std::vector<HealStep> heal(const catalog::SchemaModel& from, const catalog::SchemaModel& to,
                           const HealOptions& options = {});

// The steps as one SQL script: a header comment, `SET lock_timeout`, the steps that run before the
// transaction, the transaction (BEGIN … COMMIT when there are sections outside it), then the
// steps that run after it, each section introduced by a comment. Unless options.allow_destructive,
// destructive steps, and every step that depends on one (`left_out_because`), are written as
// comments saying why; with it, each destructive step is preceded by a
// `-- pgdrift:allow-destructive` directive, so `pgdrift lint` accepts the script.
std::string render_script(const std::vector<HealStep>& steps, const HealOptions& options);

}  // namespace pgdrift::diff
