#pragma once

#include <memory>
#include <string>

#include "pgdrift/sandbox/backend.hpp"

namespace pgdrift::sandbox {

// An existing server (a CI `services:` container, a local install): scratch databases named
// `pgdrift_<run id>_<n>` are created on it and dropped at the end.
class ServerBackend final : public Backend {
 public:
  ServerBackend(db::ConnectionInfo admin, Options options);
  ~ServerBackend() override;

  void start() override;
  db::ConnectionInfo create_database(const std::string& purpose) override;
  db::ConnectionInfo admin() const override;
  void stop() override;
  std::string kind() const override { return "server"; }
  std::string description() const override;
  std::string server_version() const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace pgdrift::sandbox
