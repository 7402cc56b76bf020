#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/sandbox/backend.hpp"

namespace pgdrift::testing {

// One local sandbox shared by the whole integration binary (started on first use, stopped at
// exit); each test takes a fresh database from it.
class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override;
  // The shared backend; valid in tests (SetUp fails or skips when there is none).
  static sandbox::Backend& backend();
  // A new empty database in the shared sandbox.
  static db::ConnectionInfo fresh_database();
  // Runs `sql` and returns the first column of the first row, or "" when there are no rows.
  static std::string scalar(const db::ConnectionInfo& database, const std::string& sql);
};

// Options for a local backend built from this process's environment.
sandbox::Options local_options();

// Why no local PostgreSQL can be started here, or "" when one can.
std::string local_postgres_unavailable_reason();

}  // namespace pgdrift::testing
