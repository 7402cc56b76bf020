// dbmate layout: <version>_<name>.sql files holding a `-- migrate:up` section and an optional
// `-- migrate:down` section; `-- migrate:up transaction:false` runs the up part outside a
// transaction.

#include <algorithm>
#include <map>

#include "adapters.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// The options after a marker ("transaction:false"), split on whitespace.
std::vector<std::string_view> marker_options(std::string_view line) {
  std::vector<std::string_view> words;
  const std::size_t colon = line.find(':');
  std::size_t p = line.find_first_of(" \t", colon);
  while (p != std::string_view::npos && p < line.size()) {
    while (p < line.size() && is_space(line[p])) ++p;
    std::size_t end = p;
    while (end < line.size() && !is_space(line[end])) ++end;
    if (end > p) words.push_back(line.substr(p, end - p));
    p = end;
  }
  return words;
}

[[noreturn]] void throw_section_error(const Migration& migration, std::size_t offset,
                                      const std::string& what) {
  throw usage_error(migration.display_path + ":" +
                        std::to_string(line_of(migration.source, offset)) + ": " + what,
                    "a dbmate migration has one '-- migrate:up' section, then optionally one "
                    "'-- migrate:down' section");
}

// Fills the up and down parts of a dbmate file from its markers.
void split_sections(Migration& migration, const Vars& vars) {
  const std::string_view source = migration.source;
  const Line* up = nullptr;
  const Line* down = nullptr;
  const std::vector<Line> lines = split_lines(source);
  for (const Line& line : lines) {
    bool is_up = false;
    if (!is_dbmate_marker(source.substr(line.begin, line.end - line.begin), is_up)) continue;
    const Line*& slot = is_up ? up : down;
    if (slot != nullptr) {
      throw_section_error(
          migration, line.begin,
          is_up ? "second '-- migrate:up' section" : "second '-- migrate:down' section");
    }
    slot = &line;
  }
  if (up == nullptr) {
    throw usage_error(migration.display_path + ": no '-- migrate:up' section",
                      "dbmate migrations start with a '-- migrate:up' line above the SQL to apply");
  }
  const std::size_t up_end =
      down != nullptr && down->begin > up->begin ? down->begin : source.size();
  set_up(migration, up->next, up_end, vars);
  const std::string_view marker = source.substr(up->begin, up->end - up->begin);
  for (const std::string_view option : marker_options(marker)) {
    if (option == "transaction:false") {
      migration.no_transaction = true;
      migration.transaction_reason = std::string(util::trim(marker));
    }
  }
  if (down != nullptr) {
    const std::size_t down_end = up->begin > down->begin ? up->begin : source.size();
    migration.down_sql = substitute_plain(source.substr(down->next, down_end - down->next), vars);
    migration.down_path = migration.path;
  }
}

}  // namespace

bool is_dbmate_marker(std::string_view line, bool& up) {
  if (!util::starts_with(line, "--")) return false;
  std::size_t p = 2;
  while (p < line.size() && is_space(line[p])) ++p;
  const std::string_view rest = line.substr(p);
  std::size_t length = 0;
  if (util::starts_with(rest, "migrate:up")) {
    up = true;
    length = 10;
  } else if (util::starts_with(rest, "migrate:down")) {
    up = false;
    length = 12;
  } else {
    return false;
  }
  return rest.size() == length || is_space(rest[length]);
}

std::vector<Migration> discover_dbmate(const DiscoverOptions& options) {
  std::vector<Migration> out;
  std::map<std::string, std::size_t> by_version;
  for (const std::filesystem::path& file : list_files(options.dir)) {
    const std::string file_name = file.filename().string();
    const std::string_view digits = leading_digits(file_name);
    if (file.extension() != ".sql" || digits.empty()) continue;
    Migration migration = load_migration(file);
    migration.version = std::string(digits);
    std::string_view name = std::string_view(file_name).substr(0, file_name.size() - 4);
    name.remove_prefix(digits.size());
    if (util::starts_with(name, "_")) name.remove_prefix(1);
    migration.name = std::string(name);
    split_sections(migration, options.vars);
    const auto [seen, inserted] = by_version.emplace(migration.version, out.size());
    if (!inserted) throw_duplicate(out[seen->second], migration);
    out.push_back(std::move(migration));
  }
  std::stable_sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) {
    return compare_numbers(a.version, b.version) < 0;
  });
  return out;
}

}  // namespace pgdrift::migrations::detail
