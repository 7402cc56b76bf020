#pragma once

// One shared set of findings for every reporter's golden test: errors, warnings and notices,
// with and without locations, and text that needs escaping in each format (XML, JSON, workflow
// commands: %, CR, LF, ':', ',', '<', '&', quotes, ANSI escapes, control characters).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "pgdrift/report/report.hpp"

namespace pgdrift::report::testing {

inline Report sample_report() {
  Report r;
  r.command = "verify";
  r.tool_version = "0.1.0";
  r.migrations_dir = "db/migrations";
  r.format = "flyway";
  r.backend = "local";
  r.server_version = "15.4";
  r.migrations = {{"1", "users", "db/migrations/V1__users.sql", "applied", true, "", 12.5, {}},
                  {"2", "orders", "db/migrations/V2__orders.sql", "failed", true, "", 3.25, {}},
                  {"3", "later", "db/migrations/V3__later.sql", "skipped", true, "", 0, {}}};
  r.checks = {{"replay", "db/migrations/V1__users.sql", "db/migrations/V1__users.sql", "", 12.5, false, "", ""},
              {"replay", "db/migrations/V2__orders.sql", "db/migrations/V2__orders.sql", "", 3.25, false, "", ""},
              {"replay", "db/migrations/V3__later.sql", "db/migrations/V3__later.sql", "", 0, false, "", ""},
              {"drift", "staging", "", "staging", 40, false, "", ""},
              {"drift", "production", "", "production", 5, true,
               "target production: cannot connect to postgresql://deploy:***@db:5432/app: timeout", ""},
              {"model", "model", "", "model", 8, false, "", ""},
              {"history", "staging", "", "staging", 2, false, "", ""}};

  Finding failed;
  failed.rule = "replay/statement-failed";
  failed.severity = Severity::error;
  failed.message = "column \"nam\" does not exist";
  failed.location = Location{"db/migrations/V2__orders.sql", 4, 8, 4, 11};
  failed.detail = "SQLSTATE 42703\ncontext: <line 4> & more";
  failed.hint = "Perhaps you meant to reference the column \"orders.name\".";

  Finding ghost;
  ghost.rule = "drift/unexpected-index";
  ghost.severity = Severity::warning;
  ghost.message = "index public.users.users_email_ghost exists in staging but no migration creates it";
  ghost.object = "index public.users.users_email_ghost";
  ghost.target = "staging";
  ghost.hint = "write a migration for it if it should stay, or drop it from staging";
  ghost.fix = "DROP INDEX public.users_email_ghost;";

  Finding changed;
  changed.rule = "drift/changed-column";
  changed.severity = Severity::error;
  changed.message = "column public.users.email: type is character varying(50) in staging, character varying(200) "
                    "from the migrations; 100% sure, a,b:c\r\nsecond line \x1b[31mred\x1b[0m\x01";
  changed.object = "column public.users.email";
  changed.target = "staging";
  changed.fix = "ALTER TABLE public.users ALTER COLUMN email TYPE character varying(200);";

  Finding unreachable;
  unreachable.rule = "drift/target-unreachable";
  unreachable.severity = Severity::error;
  unreachable.message = "target production: cannot connect to postgresql://deploy:***@db:5432/app: timeout";
  unreachable.target = "production";

  Finding pending;
  pending.rule = "history/pending";
  pending.severity = Severity::notice;
  pending.message = "migration 3 is not applied in staging yet";
  pending.object = "migration 3 (later)";
  pending.target = "staging";
  pending.location = Location{"db/migrations/V3__later.sql", 0, 0, 0, 0};

  Finding model;
  model.rule = "drift/unexpected-column";
  model.severity = Severity::error;
  model.message = "the model declares column public.users.nickname but no migration creates it";
  model.object = "column public.users.nickname";
  model.target = "model";

  r.findings = {failed, ghost, changed, unreachable, pending, model};
  sort_findings(r.findings);
  r.duration_ms = 1234.5;
  return r;
}

// Compares `actual` with tests/fixtures/reports/<name>; PGDRIFT_UPDATE_GOLDEN=1 rewrites it.
inline void expect_golden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path = std::filesystem::path(PGDRIFT_FIXTURES_DIR) / "reports" / name;
  const char* update = std::getenv("PGDRIFT_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; run with PGDRIFT_UPDATE_GOLDEN=1 to create it";
  const std::string expected{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(expected, actual) << "golden " << path << " differs; PGDRIFT_UPDATE_GOLDEN=1 rewrites it";
}

}  // namespace pgdrift::report::testing
