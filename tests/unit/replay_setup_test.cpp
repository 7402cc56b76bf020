// The sandbox setup's statement classes: what changes the cluster runs once per sandbox.
#include <gtest/gtest.h>

#include "pgdrift/replay/setup.hpp"
#include "pgdrift/sql/statement.hpp"

namespace pgdrift::replay {
namespace {

TEST(SetupClusterWide, RolesTablespacesAndDatabasesAreTheClustersTheRestTheDatabases) {
  const struct {
    const char* sql;
    bool cluster;
  } cases[] = {
      {"CREATE ROLE anon NOLOGIN", true},
      {"create user authenticator with password 'x'", true},
      {"ALTER ROLE authenticator SET search_path = public, extensions", true},
      {"ALTER ROLE anon NOINHERIT", true},
      {"GRANT anon TO authenticator", true},
      {"REVOKE anon FROM authenticator", true},
      {"DROP ROLE IF EXISTS anon", true},
      {"ALTER ROLE anon RENAME TO anonymous", true},
      {"COMMENT ON ROLE anon IS 'public access'", true},
      {"CREATE TABLESPACE fast LOCATION '/ssd'", true},
      {"ALTER SYSTEM SET work_mem = '8MB'", true},
      {"CREATE DATABASE other", true},
      {"CREATE SCHEMA auth", false},
      {"GRANT USAGE ON SCHEMA auth TO anon, authenticated", false},
      {"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO anon", false},
      {"CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$", false},
      {"CREATE EXTENSION IF NOT EXISTS pgcrypto", false},
      {"ALTER TABLE t RENAME TO u", false},
      {"COMMENT ON SCHEMA auth IS 'x'", false},
      {"DO $$ BEGIN CREATE ROLE anon; EXCEPTION WHEN duplicate_object THEN NULL; END $$", false},
      {"SET search_path = auth", false},
  };
  for (const auto& c : cases) {
    const auto statements = sql::split(c.sql);
    ASSERT_EQ(1u, statements.size()) << c.sql;
    EXPECT_EQ(c.cluster, cluster_wide(statements.front())) << c.sql;
  }
}

}  // namespace
}  // namespace pgdrift::replay
