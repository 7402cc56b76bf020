#include "pgdrift/util/error.hpp"

#include <utility>

namespace pgdrift {

Error::Error(Kind kind, std::string message, std::string hint)
    : std::runtime_error(std::move(message)), m_kind(kind), m_hint(std::move(hint)) {}

ExitCode Error::exit_code() const noexcept {
  return m_kind == Kind::usage ? ExitCode::usage : ExitCode::infrastructure;
}

Error usage_error(std::string message, std::string hint) {
  return Error(Error::Kind::usage, std::move(message), std::move(hint));
}

Error infra_error(std::string message, std::string hint) {
  return Error(Error::Kind::infrastructure, std::move(message), std::move(hint));
}

}  // namespace pgdrift
