// Drizzle layout: meta/_journal.json lists the migrations (applied by `idx`); each entry's SQL is
// <dir>/<tag>.sql, statements separated by `--> statement-breakpoint` comments (left in place).

#include <algorithm>
#include <nlohmann/json.hpp>
#include <system_error>

#include "adapters.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::migrations::detail {
namespace fs = std::filesystem;

namespace {

constexpr const char* k_journal_hint =
    "meta/_journal.json is written by drizzle-kit: {\"entries\": [{\"idx\": 0, \"tag\": "
    "\"0000_name\", ...}]}; regenerate it with drizzle-kit or fix it by hand";

struct Entry {
  long long idx = 0;
  std::string tag;
  std::string when;  // ms since the epoch, as written; drizzle records it as created_at
};

// "journal:LINE: " when `needle` occurs in the journal text, else "journal: ".
std::string journal_prefix(const std::string& shown, const std::string& text,
                           const std::string& needle) {
  const std::size_t at = needle.empty() ? std::string::npos : text.find(needle);
  if (at == std::string::npos) return shown + ": ";
  return shown + ":" + std::to_string(line_of(text, at)) + ": ";
}

std::vector<Entry> parse_journal(const fs::path& journal) {
  const std::string shown = display_path(journal);
  const std::string text = read_source(journal);
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann counts the failing byte from 1; its message repeats the position, keep the reason.
    const auto at = util::line_col(text, error.byte > 0 ? error.byte - 1 : 0);
    std::string reason = error.what();
    const std::size_t colon = reason.find(": ", reason.find("parse error"));
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
    throw usage_error(shown + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                          ": malformed JSON: " + reason,
                      k_journal_hint);
  }
  if (!root.is_object() || !root.contains("entries") || !root["entries"].is_array()) {
    throw usage_error(shown + ": no \"entries\" array in the journal", k_journal_hint);
  }
  std::vector<Entry> entries;
  for (const nlohmann::json& item : root["entries"]) {
    const std::string number = std::to_string(entries.size() + 1);
    if (!item.is_object() || !item.contains("tag") || !item["tag"].is_string()) {
      throw usage_error(shown + ": journal entry " + number + " has no \"tag\" string",
                        k_journal_hint);
    }
    Entry entry;
    entry.tag = item["tag"].get<std::string>();
    if (!item.contains("idx") || !item["idx"].is_number_integer()) {
      throw usage_error(journal_prefix(shown, text, "\"" + entry.tag + "\"") + "journal entry \"" +
                            entry.tag + "\" has no integer \"idx\"",
                        k_journal_hint);
    }
    entry.idx = item["idx"].get<long long>();
    if (item.contains("when") && item["when"].is_number_integer()) {
      entry.when = std::to_string(item["when"].get<long long>());
    }
    entries.push_back(std::move(entry));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.idx < b.idx; });
  return entries;
}

}  // namespace

std::vector<Migration> discover_drizzle(const DiscoverOptions& options) {
  const fs::path journal = options.dir / "meta" / "_journal.json";
  std::error_code error;
  if (!fs::is_regular_file(journal, error)) {
    throw usage_error(display_path(journal) + ": Drizzle journal not found",
                      "drizzle-kit writes meta/_journal.json next to the SQL files; point "
                      "migrations.dir at that folder");
  }
  const std::vector<Entry> entries = parse_journal(journal);
  std::vector<Migration> out;
  for (const Entry& entry : entries) {
    const fs::path file = options.dir / (entry.tag + ".sql");
    if (!fs::is_regular_file(file, error)) {
      const std::string text = read_source(journal);
      throw usage_error(journal_prefix(display_path(journal), text, "\"" + entry.tag + "\"") +
                            "journal entry \"" + entry.tag + "\" names " + display_path(file) +
                            ", which does not exist",
                        "restore the SQL file, or remove the entry with drizzle-kit drop");
    }
    Migration migration = load_migration(file);
    const std::string_view digits = leading_digits(entry.tag);
    migration.version = digits.empty() ? entry.tag : std::string(digits);
    migration.name = entry.tag;
    migration.recorded_at = entry.when;
    set_whole_file_up(migration, options.vars);
    for (const Migration& earlier : out) {
      if (earlier.version == migration.version) throw_duplicate(earlier, migration);
    }
    out.push_back(std::move(migration));
  }
  return out;
}

}  // namespace pgdrift::migrations::detail
