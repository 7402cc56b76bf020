// golang-migrate layout: <version>_<name>.up.sql with an optional <version>_<name>.down.sql;
// versions are unsigned integers ordered numerically. A down file without an up file is ignored.

#include <algorithm>
#include <optional>

#include "adapters.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::detail {
namespace fs = std::filesystem;

namespace {

struct GolangName {
  std::string version;
  std::string name;
  bool up = true;
};

// "<digits>_<name>.up.sql" / ".down.sql"; nullopt for anything else.
std::optional<GolangName> parse_name(std::string_view file_name) {
  GolangName parsed;
  std::string_view stem;
  if (util::ends_with(file_name, ".up.sql")) {
    stem = file_name.substr(0, file_name.size() - 7);
  } else if (util::ends_with(file_name, ".down.sql")) {
    stem = file_name.substr(0, file_name.size() - 9);
    parsed.up = false;
  } else {
    return std::nullopt;
  }
  const std::string_view digits = leading_digits(stem);
  if (digits.empty() || digits.size() >= stem.size() || stem[digits.size()] != '_') {
    return std::nullopt;
  }
  parsed.version = std::string(digits);
  parsed.name = std::string(stem.substr(digits.size() + 1));
  return parsed;
}

}  // namespace

std::vector<Migration> discover_golang_migrate(const DiscoverOptions& options) {
  std::vector<Migration> out;
  std::vector<std::pair<std::string, fs::path>> downs;
  for (const fs::path& file : list_files(options.dir)) {
    const auto parsed = parse_name(file.filename().string());
    if (!parsed) continue;
    if (!parsed->up) {
      downs.emplace_back(parsed->version, file);
      continue;
    }
    Migration migration = load_migration(file);
    migration.version = parsed->version;
    migration.name = parsed->name;
    set_whole_file_up(migration, options.vars);
    out.push_back(std::move(migration));
  }
  sort_by_numeric_version(out);
  // golang-migrate pairs up and down files by version number, not by name.
  for (Migration& migration : out) {
    for (const auto& [version, path] : downs) {
      if (compare_numbers(version, migration.version) != 0) continue;
      migration.down_sql = substitute_plain(read_source(path), options.vars);
      migration.down_path = path;
      break;
    }
  }
  return out;
}

}  // namespace pgdrift::migrations::detail
