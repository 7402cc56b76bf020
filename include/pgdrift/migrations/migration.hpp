#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgdrift::migrations {

// Migration file layouts pgdrift understands.
enum class Format { automatic, plain, flyway, golang_migrate, dbmate, goose, prisma, drizzle, diesel, supabase };

// "auto", "plain", "flyway", "golang-migrate", "dbmate", "goose", "prisma", "drizzle", "diesel",
// "supabase".
std::string_view to_string(Format format);
std::optional<Format> parse_format(std::string_view text);

// A placeholder replaced in the up SQL: `length` bytes of the file at `file_offset` became
// `replacement_length` bytes at `sql_offset` of up_sql.
struct Substitution {
  std::size_t sql_offset = 0;
  std::size_t replacement_length = 0;
  std::size_t file_offset = 0;
  std::size_t length = 0;
};

// How a migration's own tool sends it to the server; replay does the same, so that a statement
// the tool's transaction would refuse fails in pgdrift too (README, "Migration formats").
enum class TransactionShape {
  flexible,     // pgdrift's own (plain): one transaction, unless a statement cannot run in one or
                // the file manages its own
  transaction,  // the tool wraps the migration in BEGIN … COMMIT (goose, dbmate, Diesel, drizzle)
  one_query,    // the tool sends the file as one query: several statements are one implicit
                // transaction (golang-migrate, Prisma, dbmate transaction:false, Diesel
                // run_in_transaction = false)
  batch,        // statements and the history row in one pipeline: always one implicit
                // transaction, even for one statement (Supabase CLI)
  statements,   // each statement on its own, no transaction (goose NO TRANSACTION, Flyway
                // executeInTransaction=false)
  flyway,       // Flyway: a transaction, none when every statement cannot run in one; a mix of
                // both is refused (Flyway's mixed=false)
};

// One migration, ready to replay.
struct Migration {
  std::string version;        // ordering key as written ("1.2", "20240101120000"); description for R__
  std::string name;           // human description ("create users")
  std::filesystem::path path; // the file holding the up SQL
  std::string display_path;   // `path` as the user named it (relative to what they passed)
  bool repeatable = false;    // Flyway R__ migration (applied after versioned ones)

  std::string source;         // the whole file, as read
  std::string up_sql;         // the up part, placeholders substituted
  std::size_t up_offset = 0;  // byte offset in `source` where up_sql begins
  std::vector<Substitution> substitutions;  // sorted by sql_offset

  std::optional<std::string> down_sql;  // the down part or file, when there is one (substituted)
  std::filesystem::path down_path;      // the file holding it (may equal path)

  bool no_transaction = false;     // the file says: do not wrap in a transaction
  std::string transaction_reason;  // the directive that said so, e.g. "-- +goose NO TRANSACTION"
  Format format = Format::plain;   // the layout it was found in (set by discover())
  TransactionShape shape = TransactionShape::flexible;  // set by discover() from the format
  std::string tool;                // the tool that applies it, for messages ("goose"); "" for plain
  bool baseline = false;           // a Flyway B<version> baseline script
  std::string recorded_at;         // drizzle: the journal's `when` (ms since the epoch), as written

  std::string checksum;  // SHA-256 hex of `source`

  // Maps a byte offset in up_sql to the byte offset in `source` (accounts for up_offset and
  // substitutions; an offset inside a replacement maps to the placeholder's start).
  std::size_t source_offset(std::size_t sql_offset) const;
};

struct DiscoverOptions {
  std::filesystem::path dir;                // the migrations directory as the user gave it
  Format format = Format::automatic;
  std::map<std::string, std::string> vars;  // placeholder name → value
  // Leave out migrations written in code (goose .go files) instead of failing: for reading the
  // SQL ones only (lint). They are listed in Discovery::skipped_code.
  bool skip_code_migrations = false;
};

struct Discovery {
  Format format = Format::automatic;  // the format used (detected or given)
  std::vector<Migration> migrations;  // in apply order
  std::vector<std::string> skipped_code;  // with skip_code_migrations: the files left out
};

// Finds, reads and orders the migrations under `options.dir`. Throws pgdrift::Error (usage)
// naming the file (and line where there is one) for: a missing or empty directory, duplicate
// versions, unreadable files, bytes that are not UTF-8, malformed sections or journals.
Discovery discover(const DiscoverOptions& options);

// Sets format, tool and shape of `migration` (found in `format`'s layout, its own directives
// already read into no_transaction): how that tool sends it to the server. discover() does this.
void set_tool(Format format, Migration& migration);

// One SQL file (a schema file, for instance) as a single plain migration: version and name are
// the file name without ".sql". Same errors as discover() for unreadable or non-UTF-8 files.
Migration load_file(const std::filesystem::path& file, const std::map<std::string, std::string>& vars);

// Flyway's checksum of a file: CRC32 over its lines' bytes without line terminators (\n, \r\n or
// \r) and without a leading byte order mark, as a signed 32-bit decimal ("-1282276342").
std::string flyway_checksum(std::string_view source);

// The format `dir` looks like (never Format::automatic; plain when nothing more specific fits).
// Throws pgdrift::Error (usage) when `dir` is not a directory or cannot be listed.
Format detect_format(const std::filesystem::path& dir);

// Replaces placeholders whose name is in `vars`: `{{ index .Options "NAME" }}`, `{{ .NAME }}`,
// `{{NAME}}`, `$%NAME%$` and `${NAME}`. Unknown names are left as written. `base_offset` is
// added to every Substitution::file_offset.
std::string substitute(std::string_view sql, const std::map<std::string, std::string>& vars,
                       std::size_t base_offset, std::vector<Substitution>& out);

// A placeholder left in SQL because no value was given for it (`{{ .Namespace }}`,
// `${flyway:defaultSchema}`, …): its byte offset and length in the text scanned, and its name.
struct UnresolvedPlaceholder {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string name;
};

// The placeholders (the forms substitute() knows) in text[begin, end).
std::vector<UnresolvedPlaceholder> unresolved_placeholders(std::string_view text, std::size_t begin,
                                                           std::size_t end);

}  // namespace pgdrift::migrations
