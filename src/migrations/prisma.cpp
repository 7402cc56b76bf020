// Prisma layout: <timestamp>_<name>/migration.sql folders; migration_lock.toml is not SQL.

#include <map>
#include <system_error>

#include "adapters.hpp"

namespace pgdrift::migrations::detail {

std::vector<Migration> discover_prisma(const DiscoverOptions& options) {
  std::vector<Migration> out;
  std::map<std::string, std::size_t> by_version;
  // Prisma applies folders sorted by name, byte by byte (Rust's string order): "19_a" before
  // "3_d". Generated names start with a 14-digit timestamp, where that is the time order.
  for (const std::filesystem::path& folder : list_dirs(options.dir, NameOrder::bytes)) {
    const std::filesystem::path file = folder / "migration.sql";
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) continue;
    const std::string folder_name = folder.filename().string();
    const std::size_t underscore = folder_name.find('_');
    Migration migration = load_migration(file);
    migration.version = folder_name.substr(0, underscore);
    migration.name =
        underscore == std::string::npos ? folder_name : folder_name.substr(underscore + 1);
    set_whole_file_up(migration, options.vars);
    const auto [seen, inserted] = by_version.emplace(migration.version, out.size());
    if (!inserted) throw_duplicate(out[seen->second], migration);
    out.push_back(std::move(migration));
  }
  return out;
}

}  // namespace pgdrift::migrations::detail
