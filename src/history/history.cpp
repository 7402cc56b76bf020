// read(), compare() and tool_checksum(): hand each format to its tool's reader and comparison.

#include "pgdrift/history/history.hpp"

#include "pgdrift/util/error.hpp"
#include "tools.hpp"

namespace pgdrift::history {

using migrations::Format;

History read(db::Connection& connection, Format format) {
  switch (format) {
    case Format::flyway:
      return detail::read_flyway(connection);
    case Format::golang_migrate:
      return detail::read_golang_migrate(connection);
    case Format::dbmate:
      return detail::read_dbmate(connection);
    case Format::goose:
      return detail::read_goose(connection);
    case Format::prisma:
      return detail::read_prisma(connection);
    case Format::drizzle:
      return detail::read_drizzle(connection);
    case Format::diesel:
      return detail::read_diesel(connection);
    case Format::supabase:
      return detail::read_supabase(connection);
    case Format::plain:
      return {};  // plain SQL files are applied by hand or by a script: nothing records them
    case Format::automatic:
      break;
  }
  throw usage_error("the migrations format must be known to read a migration history",
                    "discover the migrations first and pass the format it detected");
}

std::string to_string(State state) {
  switch (state) {
    case State::pending:
      return "pending";
    case State::unknown:
      return "unknown";
    case State::checksum_mismatch:
      return "checksum-mismatch";
    case State::failed:
      return "failed";
  }
  return "";
}

std::vector<Entry> compare(const std::vector<migrations::Migration>& repository,
                           const History& history, Format format) {
  if (format == Format::plain || format == Format::automatic) return {};
  if (!history.found) return detail::all_pending(repository);
  switch (format) {
    case Format::flyway:
      return detail::compare_flyway(repository, history);
    case Format::golang_migrate:
      return detail::compare_golang_migrate(repository, history);
    case Format::dbmate:
      return detail::compare_dbmate(repository, history);
    case Format::goose:
      return detail::compare_goose(repository, history);
    case Format::prisma:
      return detail::compare_prisma(repository, history);
    case Format::drizzle:
      return detail::compare_drizzle(repository, history);
    case Format::diesel:
      return detail::compare_diesel(repository, history);
    case Format::supabase:
      return detail::compare_supabase(repository, history);
    case Format::plain:
    case Format::automatic:
      break;
  }
  return {};
}

std::optional<std::string> tool_checksum(const migrations::Migration& migration, Format format) {
  switch (format) {
    case Format::flyway:
      return migrations::flyway_checksum(migration.source);
    case Format::prisma:
    case Format::drizzle:
      return migration.checksum;  // both record the SHA-256 hex of the file as read
    default:
      return std::nullopt;
  }
}

}  // namespace pgdrift::history
