// Format names and auto-detection.

#include <array>
#include <fstream>
#include <sstream>
#include <utility>

#include "adapters.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations {
namespace fs = std::filesystem;

namespace {

constexpr std::array<std::pair<Format, std::string_view>, 10> k_names{{
    {Format::automatic, "auto"},
    {Format::plain, "plain"},
    {Format::flyway, "flyway"},
    {Format::golang_migrate, "golang-migrate"},
    {Format::dbmate, "dbmate"},
    {Format::goose, "goose"},
    {Format::prisma, "prisma"},
    {Format::drizzle, "drizzle"},
    {Format::diesel, "diesel"},
    {Format::supabase, "supabase"},
}};

// Detection must not fail on a file it cannot read: discovery reports that properly later.
std::string read_quietly(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  if (in) buffer << in.rdbuf();
  return buffer.str();
}

bool any_sql_line(const fs::path& dir, bool (*matches)(std::string_view line)) {
  for (const fs::path& file : detail::list_files(dir)) {
    if (file.extension() != ".sql") continue;
    const std::string text = read_quietly(file);
    for (const detail::Line& line : detail::split_lines(text)) {
      if (matches(std::string_view(text).substr(line.begin, line.end - line.begin))) return true;
    }
  }
  return false;
}

// The Supabase CLI keeps its migrations in supabase/migrations of the project.
bool is_supabase_dir(const fs::path& dir) {
  std::error_code error;
  fs::path absolute = fs::absolute(dir, error);
  if (error) return false;
  absolute = absolute.lexically_normal();
  if (!absolute.has_filename()) absolute = absolute.parent_path();
  return absolute.filename() == "migrations" && absolute.parent_path().filename() == "supabase";
}

bool any_subdir_with(const fs::path& dir, const char* file_name) {
  for (const fs::path& sub : detail::list_dirs(dir)) {
    std::error_code error;
    if (fs::is_regular_file(sub / file_name, error)) return true;
  }
  return false;
}

}  // namespace

std::string_view to_string(Format format) {
  for (const auto& [value, name] : k_names) {
    if (value == format) return name;
  }
  return "auto";
}

std::optional<Format> parse_format(std::string_view text) {
  for (const auto& [value, name] : k_names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

Format detect_format(const fs::path& dir) {
  detail::require_directory(dir);
  std::error_code error;
  if (fs::is_regular_file(dir / "meta" / "_journal.json", error)) return Format::drizzle;
  if (is_supabase_dir(dir)) return Format::supabase;
  if (any_subdir_with(dir, "migration.sql")) return Format::prisma;
  if (any_subdir_with(dir, "up.sql")) return Format::diesel;
  for (const fs::path& file : detail::list_tree(dir)) {
    if (detail::is_flyway_versioned_name(file.filename().string())) return Format::flyway;
  }
  for (const fs::path& file : detail::list_files(dir)) {
    if (util::ends_with(file.filename().string(), ".up.sql")) return Format::golang_migrate;
  }
  if (any_sql_line(dir,
                   [](std::string_view line) { return detail::goose_annotation(line) == "up"; })) {
    return Format::goose;
  }
  if (any_sql_line(dir, [](std::string_view line) {
        bool up = false;
        return detail::is_dbmate_marker(line, up) && up;
      })) {
    return Format::dbmate;
  }
  return Format::plain;
}

}  // namespace pgdrift::migrations
