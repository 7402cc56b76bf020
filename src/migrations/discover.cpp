// discover(): picks the format and hands the directory to its adapter.

#include <string>

#include "adapters.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations {
namespace {

// What the files of each format look like, for the "no migrations found" hint.
std::string_view expected_files(Format format) {
  switch (format) {
    case Format::plain:
      return "*.sql files directly in the directory, applied in natural name order";
    case Format::flyway:
      return "V<version>__<description>.sql files (and R__<description>.sql), in any subfolder";
    case Format::golang_migrate:
      return "<version>_<name>.up.sql files (with optional .down.sql)";
    case Format::dbmate:
      return "<version>_<name>.sql files with a '-- migrate:up' section";
    case Format::goose:
      return "<version>_<name>.sql files with a '-- +goose Up' section";
    case Format::prisma:
      return "<timestamp>_<name>/migration.sql folders";
    case Format::drizzle:
      return "meta/_journal.json listing <tag>.sql files";
    case Format::diesel:
      return "<version>_<name>/up.sql folders (with optional down.sql)";
    case Format::supabase:
      return "<timestamp>_<name>.sql files in supabase/migrations";
    case Format::automatic:
      break;
  }
  return "";
}

std::vector<Migration> run_adapter(Format format, const DiscoverOptions& options,
                                   std::vector<std::string>& skipped) {
  switch (format) {
    case Format::plain:
      return detail::discover_plain(options);
    case Format::flyway:
      return detail::discover_flyway(options);
    case Format::golang_migrate:
      return detail::discover_golang_migrate(options);
    case Format::dbmate:
      return detail::discover_dbmate(options);
    case Format::goose:
      return detail::discover_goose(options, skipped);
    case Format::prisma:
      return detail::discover_prisma(options);
    case Format::drizzle:
      return detail::discover_drizzle(options);
    case Format::diesel:
      return detail::discover_diesel(options);
    case Format::supabase:
      return detail::discover_supabase(options);
    case Format::automatic:
      break;
  }
  return {};
}

}  // namespace

Discovery discover(const DiscoverOptions& options) {
  detail::require_directory(options.dir);
  const bool detected = options.format == Format::automatic;
  Discovery discovery;
  discovery.format = detected ? detect_format(options.dir) : options.format;
  discovery.migrations = run_adapter(discovery.format, options, discovery.skipped_code);
  for (Migration& migration : discovery.migrations) set_tool(discovery.format, migration);
  if (discovery.migrations.empty() && discovery.skipped_code.empty()) {
    const std::string format_name(to_string(discovery.format));
    std::string message = detail::display_path(options.dir) + ": no migrations found (format " +
                          format_name + (detected ? ", detected" : ", as configured") + ")";
    std::string hint = format_name + " expects " + std::string(expected_files(discovery.format));
    hint += detected ? "; set migrations.format (or --format) if the directory uses another layout"
                     : "; check migrations.format (or --format) and migrations.dir";
    hint += ". Migrations written in a framework's own language are run with migrations.command";
    throw usage_error(std::move(message), std::move(hint));
  }
  return discovery;
}

// What the format's tool is called in messages, and how it sends each migration to the server
// (TransactionShape). Every tool's documentation and source agree on these; README lists them.
void set_tool(Format format, Migration& m) {
  using Shape = TransactionShape;
  const bool out = m.no_transaction;
  m.format = format;
  switch (format) {
    case Format::flyway:
      m.tool = "Flyway";
      m.shape = out ? Shape::statements : Shape::flyway;
      break;
    case Format::golang_migrate:
      m.tool = "golang-migrate";
      m.shape = Shape::one_query;
      break;
    case Format::dbmate:
      m.tool = "dbmate";
      m.shape = out ? Shape::one_query : Shape::transaction;
      break;
    case Format::goose:
      m.tool = "goose";
      m.shape = out ? Shape::statements : Shape::transaction;
      break;
    case Format::prisma:
      m.tool = "Prisma Migrate";
      m.shape = Shape::one_query;
      break;
    case Format::drizzle:
      m.tool = "drizzle-kit";
      m.shape = Shape::transaction;
      break;
    case Format::diesel:
      m.tool = "Diesel";
      m.shape = out ? Shape::one_query : Shape::transaction;
      break;
    case Format::supabase:
      m.tool = "the Supabase CLI";
      m.shape = Shape::batch;
      break;
    case Format::plain:
    case Format::automatic:
      m.shape = Shape::flexible;
      break;
  }
}

Migration load_file(const std::filesystem::path& file,
                    const std::map<std::string, std::string>& vars) {
  Migration migration = detail::load_migration(file);
  migration.version = file.stem().string();
  migration.name = migration.version;
  detail::set_whole_file_up(migration, vars);
  // A schema file is usually pg_dump's: a psql script. What psql itself consumes (\restrict, SET up
  // lines stay: they are SQL) is not sent; what cannot be honoured is an error at its line.
  std::vector<sql::MetaCommand> unsupported;
  migration.up_sql = sql::blank_psql_commands(migration.up_sql, unsupported);
  if (!unsupported.empty()) {
    const auto& first = unsupported.front();
    const auto at = util::line_col(migration.source, migration.source_offset(first.offset));
    throw usage_error(
        migration.display_path + ":" + std::to_string(at.line) + ": psql meta-command \\" +
            first.name +
            " cannot be honoured: pgdrift loads the file's SQL into one database, as psql would "
            "without it",
        "remove it (a schema dump made with pg_dump -s without -C has none), or run the file "
        "through "
        "psql yourself and dump that database");
  }
  return migration;
}

}  // namespace pgdrift::migrations
