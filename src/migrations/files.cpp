// Shared helpers of the format adapters: listing, reading, line splitting, version numbers.

#include <algorithm>
#include <system_error>

#include "adapters.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::detail {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

[[noreturn]] void throw_list_error(const fs::path& dir, const std::error_code& error) {
  throw usage_error(display_path(dir) + ": cannot list directory: " + error.message(),
                    "check that it exists and is readable by the user running pgdrift");
}

enum class Kind { files, dirs };

// An entry that is neither a file nor a directory (a dangling symbolic link, a link loop, a FIFO,
// a socket, a device) would be skipped silently, and a migration with it: an error naming it.
// Hidden entries (".#name" lock links of editors, say) are left alone.
void reject_odd_entry(const fs::directory_entry& entry) {
  if (entry.path().filename().string().rfind('.', 0) == 0) return;
  std::error_code ec;
  const auto status = fs::status(entry.path(), ec);
  if (!ec && (fs::is_regular_file(status) || fs::is_directory(status))) return;
  std::string what = "is neither a file nor a directory";
  std::error_code link_ec;
  if (fs::is_symlink(fs::symlink_status(entry.path(), link_ec))) {
    what = ec == std::errc::too_many_symbolic_link_levels ? "is a symbolic link loop"
                                                         : "is a symbolic link to nothing (" + ec.message() + ")";
  } else if (fs::is_fifo(status)) {
    what = "is a FIFO (named pipe)";
  } else if (fs::is_socket(status)) {
    what = "is a socket";
  } else if (fs::is_block_file(status) || fs::is_character_file(status)) {
    what = "is a device file";
  }
  throw usage_error(display_path(entry.path()) + ": " + what + " in the migrations directory",
                    "remove it, or make it a regular migration file: pgdrift does not skip what it cannot read");
}

std::vector<fs::path> list(const fs::path& dir, Kind kind, NameOrder order) {
  std::vector<fs::path> out;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error) throw_list_error(dir, error);
  for (; it != fs::directory_iterator(); it.increment(error)) {
    std::error_code ignored;
    reject_odd_entry(*it);
    const bool wanted =
        kind == Kind::files ? it->is_regular_file(ignored) : it->is_directory(ignored);
    if (wanted) out.push_back(dir / it->path().filename());
  }
  if (error) throw_list_error(dir, error);
  std::sort(out.begin(), out.end(), [order](const fs::path& a, const fs::path& b) {
    return order == NameOrder::natural ? util::natural_less(a.filename().string(), b.filename().string())
                                       : a.filename().string() < b.filename().string();
  });
  return out;
}

}  // namespace

std::string display_path(const fs::path& path) { return path.lexically_normal().generic_string(); }

void require_directory(const fs::path& dir) {
  std::error_code error;
  const auto status = fs::status(dir, error);
  if (!fs::exists(status)) {
    throw usage_error(display_path(dir) + ": migrations directory does not exist",
                      "set --migrations (or migrations.dir) to the folder holding the migration files");
  }
  if (!fs::is_directory(status)) {
    throw usage_error(display_path(dir) + ": migrations path is not a directory",
                      "point --migrations (or migrations.dir) at the folder holding the migration files");
  }
}

std::vector<fs::path> list_files(const fs::path& dir, NameOrder order) { return list(dir, Kind::files, order); }

std::vector<fs::path> list_dirs(const fs::path& dir, NameOrder order) { return list(dir, Kind::dirs, order); }

std::vector<fs::path> list_tree(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code error;
  fs::recursive_directory_iterator it(dir, error);
  if (error) throw_list_error(dir, error);
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code ignored;
    reject_odd_entry(*it);
    if (it->is_regular_file(ignored)) out.push_back(it->path());
  }
  if (error) throw_list_error(dir, error);
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return util::natural_less(a.generic_string(), b.generic_string());
  });
  return out;
}

std::string read_source(const fs::path& path) {
  const std::string shown = display_path(path);
  std::string text;
  try {
    text = util::read_file(path.string());
  } catch (const Error&) {
    throw usage_error(shown + ": cannot read file",
                      "check that it exists and is readable by the user running pgdrift");
  }
  if (const auto nul = text.find('\0'); nul != std::string::npos) {
    const auto at = util::line_col(text, nul);
    throw usage_error(shown + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                          ": file holds a NUL byte, where PostgreSQL would stop reading the statement",
                      "remove it: a migration is text (a binary file in the migrations directory, or a broken save?)");
  }
  if (const auto bad = util::find_invalid_utf8(text)) {
    const auto at = util::line_col(text, *bad);
    throw usage_error(shown + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                          ": file is not valid UTF-8",
                      "re-save the file with UTF-8 encoding (Postgres reads migrations as UTF-8)");
  }
  return text;
}

Migration load_migration(const fs::path& path) {
  Migration migration;
  migration.path = path;
  migration.display_path = display_path(path);
  migration.source = read_source(path);
  migration.checksum = util::sha256_hex(migration.source);
  return migration;
}

void set_up(Migration& migration, std::size_t begin, std::size_t end, const Vars& vars) {
  migration.up_offset = begin;
  migration.substitutions.clear();
  const std::string_view raw = std::string_view(migration.source).substr(begin, end - begin);
  migration.up_sql =
      vars.empty() ? std::string(raw) : substitute(raw, vars, begin, migration.substitutions);
}

void set_whole_file_up(Migration& migration, const Vars& vars) {
  // A byte order mark is not SQL; Postgres would report a syntax error at it.
  const std::size_t begin = util::starts_with(migration.source, k_bom) ? k_bom.size() : 0;
  set_up(migration, begin, migration.source.size(), vars);
}

std::string substitute_plain(std::string_view sql, const Vars& vars) {
  if (vars.empty()) return std::string(sql);
  std::vector<Substitution> ignored;
  return substitute(sql, vars, 0, ignored);
}

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t newline = text.find('\n', begin);
    Line line;
    line.begin = begin;
    line.next = newline == std::string_view::npos ? text.size() : newline + 1;
    line.end = newline == std::string_view::npos ? text.size() : newline;
    if (line.end > line.begin && text[line.end - 1] == '\r') --line.end;
    lines.push_back(line);
    begin = line.next;
  }
  return lines;
}

int line_of(std::string_view text, std::size_t offset) { return util::line_col(text, offset).line; }

bool is_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void sort_by_numeric_version(std::vector<Migration>& migrations) {
  std::stable_sort(migrations.begin(), migrations.end(), [](const Migration& a, const Migration& b) {
    return compare_numbers(a.version, b.version) < 0;
  });
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (compare_numbers(migrations[i - 1].version, migrations[i].version) == 0) {
      throw_duplicate(migrations[i - 1], migrations[i]);
    }
  }
}

int compare_numbers(std::string_view a, std::string_view b) {
  const auto strip = [](std::string_view s) {
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    return s;
  };
  a = strip(a);
  b = strip(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

std::string_view leading_digits(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  return text.substr(0, n);
}

void throw_duplicate(const Migration& first, const Migration& second) {
  throw usage_error(second.display_path + ": version " + second.version + " is already used by " +
                        first.display_path,
                    "every migration needs its own version; rename one of the two files");
}

}  // namespace pgdrift::migrations::detail
