#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/diff/expressions.hpp"

namespace pgdrift::diff {

// The real ExpressionCanonicalizer: lets PostgreSQL parse and deparse each text once more, in a
// sandbox database that holds the expected schema (never a target: it writes, then rolls back).
// Each call is one transaction, always rolled back, with the settings introspect() uses
// (catalog::deparse_settings) and a SAVEPOINT per probe. A probe re-creates the text in place
// and reads it back with the deparser the model was read with. Constraint: ALTER TABLE ADD
// CONSTRAINT probe (NOT VALID for CHECK and FOREIGN KEY), pg_get_constraintdef. Domain checks:
// ALTER DOMAIN ADD CONSTRAINT probe … NOT VALID, one per check. Domain and column default: SET
// DEFAULT, pg_get_expr. Generated column: a scratch column of the same type GENERATED ALWAYS AS
// (…) STORED. Index: CREATE INDEX probe ON [ONLY] table, pg_get_indexdef. View and materialized
// view: CREATE TEMPORARY VIEW probe, pg_get_viewdef. Policy: CREATE POLICY probe … USING / WITH
// CHECK. Trigger: DROP TRIGGER, then the CREATE TRIGGER text, pg_get_triggerdef. Function and
// procedure with a BEGIN ATOMIC body (LANGUAGE sql): its CREATE OR REPLACE text,
// pg_get_functiondef; any other body is kept as written and gets no canonical form.
// Every probe statement is sent alone through the extended protocol, so a text can never end
// the transaction or run a second statement. A probe that fails gives nullopt.
class ServerCanonicalizer : public ExpressionCanonicalizer {
 public:
  // Probes in `database`; connects on first use, so a comparison without differing expressions
  // never connects.
  explicit ServerCanonicalizer(db::ConnectionInfo database);
  ~ServerCanonicalizer() override;
  ServerCanonicalizer(const ServerCanonicalizer&) = delete;
  ServerCanonicalizer& operator=(const ServerCanonicalizer&) = delete;

  // Throws pgdrift::Error (infrastructure) when the sandbox database cannot be reached or the
  // transaction itself fails; a failing probe is a nullopt, not an error. Answers repeated
  // (object, property, text) requests from a cache.
  std::vector<std::optional<std::string>> canonicalize(
      const std::vector<Expression>& expressions) override;

  // How many probes ran on the server so far (cache hits excluded).
  std::size_t probes() const { return m_probes; }

 private:
  std::optional<std::string> probe(const Expression& expression);

  db::ConnectionInfo m_database;
  std::unique_ptr<db::Connection> m_connection;
  std::map<std::tuple<catalog::ObjectId, std::string, std::string>, std::optional<std::string>>
      m_cache;
  std::size_t m_probes = 0;
};

}  // namespace pgdrift::diff
