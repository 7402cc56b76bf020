// Supabase CLI layout: supabase/migrations/<version>_<name>.sql, applied in file-name order
// (Go's byte order, so the versions compare as text: "19_a" before "3_d"). Files that do not match
// are skipped by the CLI, with a message; so are they here, silently only for non-.sql files.

#include <map>

#include "adapters.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::detail {
namespace fs = std::filesystem;

namespace {

// The CLI skips a first file `<14 digits>_init.sql` older than 2021-12-09 (its old layout kept
// the initial schema there).
bool is_legacy_init(std::string_view file_name) {
  const std::string_view digits = leading_digits(file_name);
  return digits.size() == 14 && file_name.substr(14) == "_init.sql" && digits < "20211209000000";
}

}  // namespace

std::vector<Migration> discover_supabase(const DiscoverOptions& options) {
  std::vector<Migration> out;
  std::map<std::string, std::size_t> by_version;
  const std::vector<fs::path> files = list_files(options.dir, NameOrder::bytes);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string file_name = files[i].filename().string();
    if (!util::ends_with(file_name, ".sql")) continue;
    if (i == 0 && is_legacy_init(file_name)) continue;
    const std::string_view digits = leading_digits(file_name);
    if (digits.empty() || file_name.size() < digits.size() + 5 || file_name[digits.size()] != '_') {
      throw usage_error(display_path(files[i]) + ": not a Supabase migration name",
                        "the Supabase CLI applies only <timestamp>_<name>.sql files (and skips this one); "
                        "rename it, e.g. with `supabase migration new <name>`, or move it out of the directory");
    }
    Migration migration = load_migration(files[i]);
    migration.version = std::string(digits);
    migration.name = file_name.substr(digits.size() + 1, file_name.size() - digits.size() - 5);
    set_whole_file_up(migration, options.vars);
    const auto [seen, inserted] = by_version.emplace(migration.version, out.size());
    if (!inserted) throw_duplicate(out[seen->second], migration);
    out.push_back(std::move(migration));
  }
  return out;
}

}  // namespace pgdrift::migrations::detail
