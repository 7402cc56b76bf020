#pragma once

#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"

namespace pgdrift::diff {

// One statement of a healing migration.
struct HealStep {
  catalog::ObjectId id;  // the object this step creates, alters or drops
  std::string sql;       // one statement, ending with ';'
  bool destructive = false;  // drops or narrows something (DROP, type change, SET NOT NULL, …)
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

// The steps as one SQL script: a header comment, then each step; destructive steps are written
// as comments preceded by a warning line unless options.allow_destructive.
std::string render_script(const std::vector<HealStep>& steps, const HealOptions& options);

}  // namespace pgdrift::diff
