// goose layout: <version>_<name>.sql files with `-- +goose Up` / `-- +goose Down` sections,
// `StatementBegin/End` blocks (left in the SQL: they are comments) and `NO TRANSACTION`.

#include <algorithm>

#include "adapters.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::detail {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

[[noreturn]] void throw_section_error(const Migration& migration, std::size_t offset,
                                      const std::string& what) {
  throw usage_error(migration.display_path + ":" +
                        std::to_string(line_of(migration.source, offset)) + ": " + what,
                    "a goose migration has one '-- +goose Up' section, optionally one "
                    "'-- +goose Down' section, and every StatementBegin closed by a StatementEnd");
}

// Fills the up and down parts of a goose file from its annotations.
void split_sections(Migration& migration, const Vars& vars) {
  const std::string_view source = migration.source;
  const std::vector<Line> lines = split_lines(source);
  const Line* up = nullptr;
  const Line* down = nullptr;
  const Line* open_block = nullptr;
  for (const Line& line : lines) {
    const std::string_view text = source.substr(line.begin, line.end - line.begin);
    const std::string annotation = goose_annotation(text);
    if (annotation == "up" || annotation == "down") {
      if (open_block != nullptr) {
        throw_section_error(migration, open_block->begin, "StatementBegin has no StatementEnd");
      }
      const Line*& slot = annotation == "up" ? up : down;
      if (slot != nullptr)
        throw_section_error(migration, line.begin,
                            "second '-- +goose " + annotation + "' annotation");
      slot = &line;
    } else if (annotation == "statementbegin") {
      if (open_block != nullptr)
        throw_section_error(migration, line.begin, "StatementBegin inside another StatementBegin");
      open_block = &line;
    } else if (annotation == "statementend") {
      if (open_block == nullptr)
        throw_section_error(migration, line.begin, "StatementEnd without StatementBegin");
      open_block = nullptr;
    } else if (annotation == "no transaction") {
      migration.no_transaction = true;
      migration.transaction_reason = std::string(util::trim(text));
    }
  }
  if (open_block != nullptr) {
    throw_section_error(migration, open_block->begin, "StatementBegin has no StatementEnd");
  }
  if (up == nullptr) {
    throw usage_error(migration.display_path + ": no '-- +goose Up' annotation",
                      "goose migrations start with a '-- +goose Up' line above the SQL to apply");
  }
  const std::size_t up_end =
      down != nullptr && down->begin > up->begin ? down->begin : source.size();
  set_up(migration, up->next, up_end, vars);
  if (down != nullptr) {
    const std::size_t down_end = up->begin > down->begin ? up->begin : source.size();
    migration.down_sql = substitute_plain(source.substr(down->next, down_end - down->next), vars);
    migration.down_path = migration.path;
  }
}

// "<digits>_<name>" with the extension removed; false otherwise.
bool split_stem(std::string_view stem, std::string& version, std::string& name) {
  const std::string_view digits = leading_digits(stem);
  if (digits.empty() || digits.size() >= stem.size() || stem[digits.size()] != '_') return false;
  version = std::string(digits);
  name = std::string(stem.substr(digits.size() + 1));
  return true;
}

}  // namespace

std::string goose_annotation(std::string_view line) {
  if (!util::starts_with(line, "--")) return {};
  const std::string_view rest = util::trim(line.substr(2));
  if (!util::starts_with(rest, "+goose")) return {};
  const std::string_view after = rest.substr(6);
  if (!after.empty() && !is_space(after.front())) return {};
  // Lowercase and collapse inner whitespace: "NO   TRANSACTION" → "no transaction".
  std::string annotation;
  for (const char c : util::to_lower(util::trim(after))) {
    if (!is_space(c)) {
      annotation += c;
    } else if (annotation.back() != ' ') {
      annotation += ' ';
    }
  }
  return annotation;
}

std::vector<Migration> discover_goose(const DiscoverOptions& options, std::vector<std::string>& skipped_code) {
  std::vector<Migration> out;
  for (const std::filesystem::path& file : list_files(options.dir)) {
    const std::string extension = file.extension().string();
    std::string version;
    std::string name;
    if (!split_stem(file.stem().string(), version, name)) continue;
    if (extension == ".go" && !util::ends_with(name, "_test")) {
      if (options.skip_code_migrations) {
        skipped_code.push_back(display_path(file));
        continue;
      }
      throw usage_error(display_path(file) + ": Go migrations can't be replayed from SQL files",
                        "run the directory with its own tool instead: set migrations.command, "
                        "e.g. `goose up` (or your binary that registers the Go migrations)");
    }
    if (extension != ".sql") continue;
    Migration migration = load_migration(file);
    migration.version = version;
    migration.name = name;
    split_sections(migration, options.vars);
    out.push_back(std::move(migration));
  }
  // goose versions are integers: 00002 and 2 are the same version.
  sort_by_numeric_version(out);
  return out;
}

}  // namespace pgdrift::migrations::detail
