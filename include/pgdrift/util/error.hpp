#pragma once

#include <stdexcept>
#include <string>

namespace pgdrift {

// Process exit codes, a public contract documented in the README.
enum class ExitCode : int {
  ok = 0,              // nothing at or above the failure threshold
  findings = 1,        // findings at or above the threshold
  usage = 2,           // bad command line, configuration or input files
  infrastructure = 3,  // sandbox could not start, database unreachable
};

// The run cannot continue. Adapters translate library exceptions into it; only cli catches it.
// `what()` is the full user-facing message (already naming file:line where there is one);
// `hint()` says what to do about it, or is empty.
class Error : public std::runtime_error {
 public:
  enum class Kind { usage, infrastructure };

  Error(Kind kind, std::string message, std::string hint = {});

  Kind kind() const noexcept { return m_kind; }
  const std::string& hint() const noexcept { return m_hint; }
  ExitCode exit_code() const noexcept;

 private:
  Kind m_kind;
  std::string m_hint;
};

// Bad input from the user (flags, config, migration files): exit 2.
Error usage_error(std::string message, std::string hint = {});
// Something outside the input failed (Postgres, a subprocess, the filesystem): exit 3.
Error infra_error(std::string message, std::string hint = {});

}  // namespace pgdrift
