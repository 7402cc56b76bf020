// Diesel layout: <version>_<name>/up.sql folders with optional down.sql and metadata.toml
// (`run_in_transaction = false`). The version is the part before the first '_' without dashes.

#include <algorithm>
#include <system_error>

#include "adapters.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::detail {
namespace fs = std::filesystem;

namespace {

// Reads the one metadata.toml key pgdrift needs; everything else in the file is ignored.
void read_metadata(Migration& migration, const fs::path& folder) {
  const fs::path file = folder / "metadata.toml";
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return;
  const std::string text = read_source(file);
  for (const Line& line : split_lines(text)) {
    std::string_view content = std::string_view(text).substr(line.begin, line.end - line.begin);
    content = util::trim(content.substr(0, content.find('#')));
    const std::size_t equals = content.find('=');
    if (equals == std::string_view::npos) continue;
    if (util::trim(content.substr(0, equals)) == "run_in_transaction" &&
        util::trim(content.substr(equals + 1)) == "false") {
      migration.no_transaction = true;
      migration.transaction_reason = std::string(content) + " (" + display_path(file) + ")";
    }
  }
}

}  // namespace

std::vector<Migration> discover_diesel(const DiscoverOptions& options) {
  std::vector<Migration> out;
  for (const fs::path& folder : list_dirs(options.dir)) {
    const fs::path up = folder / "up.sql";
    std::error_code error;
    if (!fs::is_regular_file(up, error)) continue;
    const std::string folder_name = folder.filename().string();
    const std::size_t underscore = folder_name.find('_');
    Migration migration = load_migration(up);
    migration.version = folder_name.substr(0, underscore);
    migration.version.erase(std::remove(migration.version.begin(), migration.version.end(), '-'),
                            migration.version.end());
    migration.name =
        underscore == std::string::npos ? folder_name : folder_name.substr(underscore + 1);
    set_whole_file_up(migration, options.vars);
    const fs::path down = folder / "down.sql";
    if (fs::is_regular_file(down, error)) {
      migration.down_sql = substitute_plain(read_source(down), options.vars);
      migration.down_path = down;
    }
    read_metadata(migration, folder);
    out.push_back(std::move(migration));
  }
  // Diesel sorts by version as a string (Rust's byte order): "10" before "9".
  std::stable_sort(out.begin(), out.end(),
                   [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i - 1].version == out[i].version) throw_duplicate(out[i - 1], out[i]);
  }
  return out;
}

}  // namespace pgdrift::migrations::detail
