#include "rebuilt_schema.hpp"

#include <utility>

#include "pgdrift/db/connection.hpp"
#include "pgdrift/diff/heal.hpp"
#include "pgdrift/util/error.hpp"

namespace pgdrift::cli {

RebuiltSchemaCanonicalizer::RebuiltSchemaCanonicalizer(const catalog::SchemaModel& reference,
                                                       sandbox::Options options)
    : m_reference(reference), m_options(std::move(options)) {}

RebuiltSchemaCanonicalizer::~RebuiltSchemaCanonicalizer() = default;

std::vector<std::optional<std::string>> RebuiltSchemaCanonicalizer::canonicalize(
    const std::vector<diff::Expression>& expressions) {
  if (!m_unavailable.empty()) return std::vector<std::optional<std::string>>(expressions.size());
  if (!m_server) {
    auto backend = sandbox::make_backend(m_options);
    try {
      backend->start();
    } catch (const Error& e) {
      m_unavailable = e.what();
      return std::vector<std::optional<std::string>>(expressions.size());
    }
    const auto database = backend->create_database("expressions");
    {
      auto connection = db::Connection::open(database, "pgdrift");
      // As pg_dump does: routine bodies may name tables created further down.
      connection->execute("SET check_function_bodies = false");
      diff::HealOptions everything;
      everything.allow_destructive = true;
      for (const auto& step : diff::heal(catalog::SchemaModel{}, m_reference, everything)) {
        // Each step alone (autocommit): one that fails (an extension this server lacks, say)
        // takes nothing else with it.
        connection->execute(step.sql);
      }
    }
    m_backend = std::move(backend);
    m_server = std::make_unique<diff::ServerCanonicalizer>(database);
  }
  return m_server->canonicalize(expressions);
}

void RebuiltSchemaCanonicalizer::stop() {
  m_server.reset();
  if (m_backend) m_backend->stop();
  m_backend.reset();
}

}  // namespace pgdrift::cli
