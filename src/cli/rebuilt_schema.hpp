#pragma once

// Private to cli: expression probes for `pgdrift diff URL URL`, where no sandbox holds either
// schema.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/diff/expressions.hpp"
#include "pgdrift/diff/server_canonicalizer.hpp"
#include "pgdrift/sandbox/backend.hpp"

namespace pgdrift::cli {

// An ExpressionCanonicalizer that, on first use only, starts a sandbox, builds `reference`'s
// schema there from its own model (diff::heal from an empty schema, statement by statement; a
// statement that fails is left out, so a probe that needs what it would have made fails and its
// pair stays drift) and probes there with a diff::ServerCanonicalizer. `reference` must outlive
// it. When no sandbox can start (comparing two URLs never needed one before), every answer is
// nullopt (the texts compare as written) and unavailable() says why.
class RebuiltSchemaCanonicalizer : public diff::ExpressionCanonicalizer {
 public:
  RebuiltSchemaCanonicalizer(const catalog::SchemaModel& reference, sandbox::Options options);
  ~RebuiltSchemaCanonicalizer() override;

  std::vector<std::optional<std::string>> canonicalize(
      const std::vector<diff::Expression>& expressions) override;

  // Whether a sandbox was started (some expression differed).
  bool started() const { return m_backend != nullptr; }
  // Why no sandbox could be started; empty when one was, or none was needed.
  const std::string& unavailable() const { return m_unavailable; }
  // Stops the sandbox, when one was started; reports failures (pgdrift::Error).
  void stop();

 private:
  const catalog::SchemaModel& m_reference;
  sandbox::Options m_options;
  std::unique_ptr<sandbox::Backend> m_backend;
  std::unique_ptr<diff::ServerCanonicalizer> m_server;
  std::string m_unavailable;
};

}  // namespace pgdrift::cli
