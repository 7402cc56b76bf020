// Prisma: _prisma_migrations(id, checksum, finished_at, migration_name, logs, rolled_back_at,
// started_at, applied_steps_count), one row per attempt, known by migration_name (the folder
// name, "20240101000000_init"). finished_at set: applied. Neither finished_at nor rolled_back_at:
// failed (prisma migrate deploy stops with P3009 until `prisma migrate resolve`). rolled_back_at
// set: the attempt was marked rolled back and does not count.

#include <algorithm>
#include <map>

#include "pgdrift/util/hash.hpp"
#include "tools.hpp"

namespace pgdrift::history::detail {
namespace {

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t begin = 0;
  for (std::size_t at = text.find(from); at != std::string_view::npos;
       at = text.find(from, begin)) {
    out.append(text.substr(begin, at - begin));
    out.append(to);
    begin = at + from.size();
  }
  out.append(text.substr(begin));
  return out;
}

// The hex Prisma wrote before it zero-padded bytes ("0a" became "a").
std::string unpadded_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    if (hex[i] != '0') out.push_back(hex[i]);
    out.push_back(hex[i + 1]);
  }
  return out;
}

std::string folder_name(const Migration& migration) {
  return migration.path.parent_path().filename().string();
}

// "20240101000000_init" → {"20240101000000", "init"}, as the migrations module splits folders.
std::pair<std::string, std::string> split_name(const std::string& name) {
  const std::size_t underscore = name.find('_');
  if (underscore == std::string::npos) return {name, name};
  return {name.substr(0, underscore), name.substr(underscore + 1)};
}

std::string first_line(const std::string& text) {
  const std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_first_of("\r\n", begin) - begin);
}

std::string failed_detail(const Applied& row) {
  std::string detail =
      "Prisma recorded it as started but never finished: fix the database, then run prisma "
      "migrate resolve --rolled-back or --applied";
  const std::string log = first_line(row.log);
  if (!log.empty()) detail += " (log: " + log + ")";
  return detail;
}

}  // namespace

bool prisma_checksum_matches(std::string_view source, std::string_view recorded) {
  constexpr std::size_t k_length = 64;
  const std::string candidates[] = {util::sha256_hex(source),
                                    util::sha256_hex(replace_all(source, "\r\n", "\n")),
                                    util::sha256_hex(replace_all(source, "\n", "\r\n"))};
  return std::any_of(std::begin(candidates), std::end(candidates), [&](const std::string& hex) {
    const bool old = !recorded.empty() && recorded.size() != k_length;
    return (old ? unpadded_hex(hex) : hex) == recorded;
  });
}

History read_prisma(db::Connection& connection) {
  const std::string tool = "Prisma";
  const auto table = find_table(connection, "_prisma_migrations", tool);
  if (!table) return {false, "_prisma_migrations", {}};
  const db::Rows rows =
      select(connection, *table, tool,
             "SELECT migration_name, checksum, logs, finished_at IS NOT NULL AS finished, "
             "rolled_back_at IS NOT NULL AS rolled_back FROM " +
                 table->sql + " ORDER BY started_at, id");
  History history{true, table->name, {}};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Applied row;
    row.version = text(rows, r, "migration_name");
    row.checksum = text(rows, r, "checksum");
    row.log = text(rows, r, "logs");
    row.rolled_back = is_true(rows, r, "rolled_back");
    row.success = is_true(rows, r, "finished") && !row.rolled_back;
    history.applied.push_back(std::move(row));
  }
  return history;
}

std::vector<Entry> compare_prisma(const Migrations& repository, const History& history) {
  const std::vector<Applied>& rows = history.applied;
  std::vector<bool> used(rows.size(), false);
  std::vector<Entry> out;
  for (const Migration& migration : repository) {
    const std::string name = folder_name(migration);
    const Applied* failed = nullptr;
    const Applied* finished = nullptr;
    bool rolled_back = false;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].version != name) continue;
      used[i] = true;
      if (rows[i].rolled_back)
        rolled_back = true;
      else if (rows[i].success)
        finished = &rows[i];
      else
        failed = &rows[i];
    }
    if (failed != nullptr) {
      out.push_back(entry(State::failed, migration, failed_detail(*failed)));
    } else if (finished == nullptr) {
      out.push_back(entry(State::pending, migration,
                          rolled_back ? "an earlier attempt was marked rolled back; prisma "
                                        "migrate deploy applies it again"
                                      : ""));
    } else if (finished->checksum &&
               !prisma_checksum_matches(migration.source, *finished->checksum)) {
      out.push_back(
          entry(State::checksum_mismatch, migration,
                "recorded checksum " + *finished->checksum + ", file now " + migration.checksum));
    }
  }

  // Rows of folders the repository lacks, one entry per folder, in the order first started.
  std::map<std::string, std::size_t> listed;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Applied& row = rows[i];
    if (used[i] || row.rolled_back) continue;
    const auto [version, name] = split_name(row.version);
    Entry item = row.success ? entry(State::unknown, version, name,
                                     "applied on the target, not in the repository")
                             : entry(State::failed, version, name,
                                     failed_detail(row) + "; it is not in the repository");
    const auto [at, inserted] = listed.emplace(row.version, out.size());
    if (inserted)
      out.push_back(std::move(item));
    else if (item.state == State::failed)
      out[at->second] = std::move(item);
  }
  return out;
}

}  // namespace pgdrift::history::detail
