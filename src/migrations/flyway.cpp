// Flyway layout: V<version>__<description>.sql (versioned), R__<description>.sql (repeatable,
// applied after all versioned ones), U<version>__… (undo, never replayed), B<version>__…
// (baseline: on an empty database Flyway applies the latest one, then only the V files above it),
// in any subfolder.

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <system_error>

#include "adapters.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations {

namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> k_crc_table = make_crc_table();

}  // namespace

std::string flyway_checksum(std::string_view source) {
  // Flyway reads the file line by line (java.io.BufferedReader: lines end at \n, \r or \r\n),
  // drops a byte order mark from the first line and feeds each line's UTF-8 bytes, without the
  // terminator, to one java.util.zip.CRC32. Files are UTF-8 here, so that is the CRC32 of the file
  // with every CR and LF byte left out.
  if (util::starts_with(source, "\xEF\xBB\xBF")) source.remove_prefix(3);
  std::uint32_t crc = 0xFFFFFFFFU;
  for (char c : source) {
    if (c == '\n' || c == '\r') continue;
    crc = k_crc_table[(crc ^ static_cast<unsigned char>(c)) & 0xFFU] ^ (crc >> 8);
  }
  crc ^= 0xFFFFFFFFU;
  // Flyway stores (int) crc32.getValue(): the same 32 bits read as a signed integer.
  const long long value = crc >= 0x80000000U ? static_cast<long long>(crc) - 0x100000000LL
                                             : static_cast<long long>(crc);
  return std::to_string(value);
}

}  // namespace pgdrift::migrations

namespace pgdrift::migrations::detail {
namespace fs = std::filesystem;

namespace {

struct FlywayName {
  char kind = 'V';                 // 'V', 'U', 'B' or 'R'
  std::string version_text;        // as written between the prefix and "__"
  std::vector<std::string> parts;  // numeric parts; empty when version_text is malformed
  std::string description;         // as written, underscores kept
};

// Parses a Flyway file name; nullopt for files Flyway would not treat as migrations.
std::optional<FlywayName> parse_name(std::string_view file_name) {
  if (file_name.size() <= 4 || !util::ends_with(file_name, ".sql")) return std::nullopt;
  const std::string_view stem = file_name.substr(0, file_name.size() - 4);
  FlywayName parsed;
  parsed.kind = stem.front();
  if (parsed.kind == 'R') {
    if (!util::starts_with(stem, "R__")) return std::nullopt;
    parsed.description = std::string(stem.substr(3));
    return parsed;
  }
  if (parsed.kind != 'V' && parsed.kind != 'U' && parsed.kind != 'B') return std::nullopt;
  const std::size_t separator = stem.find("__", 1);
  if (separator == std::string_view::npos || separator == 1) return std::nullopt;
  const std::string_view version = stem.substr(1, separator - 1);
  if (version.front() < '0' || version.front() > '9') return std::nullopt;
  parsed.version_text = std::string(version);
  parsed.description = std::string(stem.substr(separator + 2));
  std::size_t begin = 0;
  while (begin <= version.size()) {
    std::size_t end = version.find_first_of("._", begin);
    if (end == std::string_view::npos) end = version.size();
    const std::string_view part = version.substr(begin, end - begin);
    if (!is_digits(part)) {
      parsed.parts.clear();
      break;
    }
    parsed.parts.emplace_back(part);
    begin = end + 1;
  }
  return parsed;
}

// Part by part, numerically; a missing part counts as 0 (so 1 == 1.0).
int compare_versions(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const int order = compare_numbers(i < a.size() ? a[i] : "0", i < b.size() ? b[i] : "0");
    if (order != 0) return order;
  }
  return 0;
}

std::string spaces_for_underscores(std::string text) {
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

// A `<file>.conf` beside the script saying `executeInTransaction=false` (Flyway 9 script config).
void read_script_config(Migration& migration) {
  fs::path conf = migration.path;
  conf += ".conf";
  std::error_code error;
  if (!fs::is_regular_file(conf, error)) return;
  const std::string text = read_source(conf);
  for (const Line& line : split_lines(text)) {
    const std::string_view content =
        util::trim(std::string_view(text).substr(line.begin, line.end - line.begin));
    const std::size_t equals = content.find('=');
    if (equals == std::string_view::npos) continue;
    if (util::trim(content.substr(0, equals)) == "executeInTransaction" &&
        util::to_lower(util::trim(content.substr(equals + 1))) == "false") {
      migration.no_transaction = true;
      migration.transaction_reason = std::string(content) + " (" + display_path(conf) + ")";
    }
  }
}

struct Versioned {
  Migration migration;
  std::vector<std::string> parts;
};

}  // namespace

bool is_flyway_versioned_name(std::string_view file_name) {
  const auto parsed = parse_name(file_name);
  return parsed && (parsed->kind == 'V' || parsed->kind == 'B') && !parsed->parts.empty();
}

std::vector<Migration> discover_flyway(const DiscoverOptions& options) {
  std::vector<Versioned> versioned;
  std::vector<Versioned> baselines;
  std::vector<Migration> repeatable;
  std::vector<std::pair<std::vector<std::string>, fs::path>> undo;
  for (const fs::path& file : list_tree(options.dir)) {
    const auto parsed = parse_name(file.filename().string());
    if (!parsed) continue;
    if (parsed->kind != 'R' && parsed->parts.empty()) {
      throw usage_error(
          display_path(file) + ": '" + parsed->version_text + "' is not a Flyway version",
          "versions are numbers separated by '.' or '_', e.g. V1.2__add_email.sql");
    }
    if (parsed->kind == 'U') {
      undo.emplace_back(parsed->parts, file);
      continue;
    }
    Migration migration = load_migration(file);
    migration.name = spaces_for_underscores(parsed->description);
    set_whole_file_up(migration, options.vars);
    read_script_config(migration);
    if (parsed->kind == 'R') {
      migration.repeatable = true;
      migration.version = migration.name;
      repeatable.push_back(std::move(migration));
    } else if (parsed->kind == 'B') {
      migration.baseline = true;
      migration.version = util::join(parsed->parts, ".");
      baselines.push_back({std::move(migration), parsed->parts});
    } else {
      migration.version = util::join(parsed->parts, ".");
      versioned.push_back({std::move(migration), parsed->parts});
    }
  }

  std::stable_sort(versioned.begin(), versioned.end(), [](const Versioned& a, const Versioned& b) {
    return compare_versions(a.parts, b.parts) < 0;
  });
  std::stable_sort(repeatable.begin(), repeatable.end(),
                   [](const Migration& a, const Migration& b) { return a.version < b.version; });

  for (std::size_t i = 1; i < versioned.size(); ++i) {
    if (compare_versions(versioned[i - 1].parts, versioned[i].parts) == 0) {
      throw_duplicate(versioned[i - 1].migration, versioned[i].migration);
    }
  }
  for (std::size_t i = 1; i < repeatable.size(); ++i) {
    if (repeatable[i - 1].version == repeatable[i].version)
      throw_duplicate(repeatable[i - 1], repeatable[i]);
  }

  // On an empty database Flyway runs the latest baseline script, then the V files above it: the
  // baseline stands for everything up to its version.
  const Versioned* baseline = nullptr;
  for (const Versioned& item : baselines) {
    if (baseline != nullptr && compare_versions(baseline->parts, item.parts) == 0) {
      throw_duplicate(baseline->migration, item.migration);
    }
    if (baseline == nullptr || compare_versions(baseline->parts, item.parts) < 0) baseline = &item;
  }
  std::vector<Migration> out;
  if (baseline != nullptr) {
    out.push_back(baseline->migration);
    const std::vector<std::string> below = baseline->parts;
    versioned.erase(std::remove_if(versioned.begin(), versioned.end(),
                                   [&](const Versioned& item) { return compare_versions(item.parts, below) <= 0; }),
                    versioned.end());
  }
  for (Versioned& item : versioned) {
    for (const auto& [parts, path] : undo) {
      if (compare_versions(parts, item.parts) != 0) continue;
      item.migration.down_sql = substitute_plain(read_source(path), options.vars);
      item.migration.down_path = path;
      break;
    }
    out.push_back(std::move(item.migration));
  }
  for (Migration& migration : repeatable) out.push_back(std::move(migration));
  return out;
}

}  // namespace pgdrift::migrations::detail
