#pragma once

// Private to the migrations module: shared helpers and one discover function per format.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pgdrift/migrations/migration.hpp"

namespace pgdrift::migrations::detail {

using Vars = std::map<std::string, std::string>;

// `path` as the user would name it: lexically normal, '/'-separated, relative when `path` is.
std::string display_path(const std::filesystem::path& path);

// Throws pgdrift::Error (usage) unless `dir` is an existing directory.
void require_directory(const std::filesystem::path& dir);

// How names are sorted: `natural` ("2_a" before "10_b"), or `bytes`, byte by byte as Go's and
// Rust's string sorts do ("10_b" before "2_a"), for tools that apply files in that order.
enum class NameOrder { natural, bytes };

// The regular files directly in `dir`, each `dir / name`, sorted by name.
// Throws pgdrift::Error (usage) when `dir` cannot be listed.
std::vector<std::filesystem::path> list_files(const std::filesystem::path& dir,
                                              NameOrder order = NameOrder::natural);
// The subdirectories directly in `dir`, sorted by name.
std::vector<std::filesystem::path> list_dirs(const std::filesystem::path& dir,
                                             NameOrder order = NameOrder::natural);
// Every regular file below `dir` at any depth, sorted by generic path (natural order).
std::vector<std::filesystem::path> list_tree(const std::filesystem::path& dir);

// The whole file. Throws pgdrift::Error (usage) when it cannot be read or is not UTF-8
// ("path:LINE:COL: file is not valid UTF-8").
std::string read_source(const std::filesystem::path& path);

// A migration for `path` with path, display_path, source and checksum set; the up SQL not yet.
Migration load_migration(const std::filesystem::path& path);

// Sets up_offset/up_sql/substitutions from source bytes [begin, end) with `vars` substituted.
void set_up(Migration& migration, std::size_t begin, std::size_t end, const Vars& vars);
// The whole of `source` after a leading UTF-8 byte order mark, if any, as the up SQL.
void set_whole_file_up(Migration& migration, const Vars& vars);
// `sql` with `vars` substituted (offsets not recorded): for down SQL.
std::string substitute_plain(std::string_view sql, const Vars& vars);

// One line of a text: bytes [begin, end) without the line break; `next` starts the next line.
struct Line {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t next = 0;
};
std::vector<Line> split_lines(std::string_view text);

// 1-based line number of byte `offset` in `text`.
int line_of(std::string_view text, std::size_t offset);

bool is_digits(std::string_view text);
// Orders two digit strings by numeric value (no overflow): <0, 0, >0.
int compare_numbers(std::string_view a, std::string_view b);
// The leading run of ASCII digits of `text` (may be empty).
std::string_view leading_digits(std::string_view text);

// Throws pgdrift::Error (usage) saying `second` has the same version as `first`.
[[noreturn]] void throw_duplicate(const Migration& first, const Migration& second);

// Sorts by numeric version (leading zeros ignored: 00002 == 2) and throws (usage) naming both
// files when two versions are equal. For formats whose versions are integers.
void sort_by_numeric_version(std::vector<Migration>& migrations);

// Format adapters: the migrations under `options.dir` in apply order (possibly none).
std::vector<Migration> discover_plain(const DiscoverOptions& options);
std::vector<Migration> discover_flyway(const DiscoverOptions& options);
std::vector<Migration> discover_golang_migrate(const DiscoverOptions& options);
std::vector<Migration> discover_dbmate(const DiscoverOptions& options);
std::vector<Migration> discover_goose(const DiscoverOptions& options, std::vector<std::string>& skipped_code);
std::vector<Migration> discover_prisma(const DiscoverOptions& options);
std::vector<Migration> discover_drizzle(const DiscoverOptions& options);
std::vector<Migration> discover_diesel(const DiscoverOptions& options);
std::vector<Migration> discover_supabase(const DiscoverOptions& options);

// Detection probes used by detect_format.
bool is_flyway_versioned_name(std::string_view file_name);
// The annotation of a goose comment line, lowercased ("up", "statementbegin"), or empty.
std::string goose_annotation(std::string_view line);
// True for a dbmate section marker line; sets `up` for `migrate:up`, `down` otherwise.
bool is_dbmate_marker(std::string_view line, bool& up);

}  // namespace pgdrift::migrations::detail
