// Plain layout: every *.sql file directly in the directory, in natural file-name order.

#include "adapters.hpp"

namespace pgdrift::migrations::detail {

std::vector<Migration> discover_plain(const DiscoverOptions& options) {
  std::vector<Migration> out;
  for (const std::filesystem::path& file : list_files(options.dir)) {
    if (file.extension() != ".sql") continue;
    Migration migration = load_migration(file);
    migration.version = file.stem().string();
    migration.name = migration.version;
    set_whole_file_up(migration, options.vars);
    out.push_back(std::move(migration));
  }
  return out;
}

}  // namespace pgdrift::migrations::detail
