// What the per-tool readers and comparisons share: finding and reading a history table, integer
// versions, building entries.

#include <algorithm>
#include <utility>

#include "pgdrift/util/error.hpp"
#include "tools.hpp"

namespace pgdrift::history::detail {
namespace {

std::string hint_for(const std::string& what, const std::string& table, const std::string& tool) {
  if (what.find("permission denied") != std::string::npos) {
    return "grant the role pgdrift connects as SELECT on " + table +
           " (and USAGE on its schema); pgdrift only reads it";
  }
  return "check that " + table + " was written by " + tool +
         " and that migrations.format (or --format) names the tool that migrates this database";
}

// "-12" → {true, "12"}; leading zeros dropped ("007" → "7", "000" → "0").
std::pair<bool, std::string_view> sign_and_digits(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
  return {negative && text != "0", text};
}

bool is_integer(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int compare_magnitudes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

}  // namespace

std::optional<Table> find_table(db::Connection& connection, const std::string& name,
                                const std::string& tool) {
  db::Rows rows;
  try {
    rows = connection.query(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.oid = pg_catalog.to_regclass($1::text)",
        {name});
  } catch (const db::LockNotAvailable&) {
    throw;
  } catch (const Error& error) {
    throw infra_error(
        std::string("cannot look up the ") + tool + " history table " + name + ": " + error.what(),
        hint_for(error.what(), name, tool));
  }
  if (rows.size() == 0) return std::nullopt;
  const std::string schema = text(rows, 0, "nspname");
  const std::string relation = text(rows, 0, "relname");
  return Table{schema + "." + relation, db::quote_ident(schema) + "." + db::quote_ident(relation)};
}

db::Rows select(db::Connection& connection, const Table& table, const std::string& tool,
                const std::string& sql) {
  try {
    return connection.query(sql);
  } catch (const db::LockNotAvailable&) {
    throw;  // the caller waits and retries
  } catch (const Error& error) {
    throw infra_error(
        "cannot read the " + tool + " history table " + table.name + ": " + error.what(),
        hint_for(error.what(), table.name, tool));
  }
}

std::string text(const db::Rows& rows, std::size_t r, const std::string& column) {
  const auto& value = rows.at(r, column);
  return value ? *value : std::string();
}

bool is_true(const db::Rows& rows, std::size_t r, const std::string& column) {
  return text(rows, r, column) == "t";
}

int compare_numbers(std::string_view a, std::string_view b) {
  const bool a_integer = is_integer(a);
  const bool b_integer = is_integer(b);
  if (a_integer != b_integer) return a_integer ? -1 : 1;
  if (!a_integer) return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  const auto [a_negative, a_digits] = sign_and_digits(a);
  const auto [b_negative, b_digits] = sign_and_digits(b);
  if (a_negative != b_negative) return a_negative ? -1 : 1;
  const int order = compare_magnitudes(a_digits, b_digits);
  return a_negative ? -order : order;
}

Entry entry(State state, const Migration& migration, std::string detail) {
  Entry out;
  out.state = state;
  out.version = migration.version;
  out.name = migration.name;
  out.migration = &migration;
  out.detail = std::move(detail);
  return out;
}

Entry entry(State state, std::string version, std::string name, std::string detail) {
  Entry out;
  out.state = state;
  out.version = std::move(version);
  out.name = std::move(name);
  out.detail = std::move(detail);
  return out;
}

std::vector<Entry> all_pending(const Migrations& repository) {
  std::vector<Entry> out;
  for (const Migration& migration : repository) out.push_back(entry(State::pending, migration));
  return out;
}

std::vector<Entry> compare_versions(const Migrations& repository,
                                    const std::vector<Applied>& applied, bool numeric,
                                    const std::string& tool) {
  const auto same = [numeric](const std::string& a, const std::string& b) {
    return numeric ? compare_numbers(a, b) == 0 : a == b;
  };
  std::vector<bool> used(applied.size(), false);
  std::vector<Entry> out;
  for (const Migration& migration : repository) {
    const Applied* row = nullptr;
    for (std::size_t i = 0; i < applied.size(); ++i) {
      if (!same(applied[i].version, migration.version)) continue;
      used[i] = true;
      row = &applied[i];  // the latest row for the version decides
    }
    if (row == nullptr || row->rolled_back) {
      out.push_back(entry(State::pending, migration));
    } else if (!row->success) {
      out.push_back(entry(State::failed, migration, tool + " recorded this migration as failed"));
    }
  }
  for (std::size_t i = 0; i < applied.size(); ++i) {
    const Applied& row = applied[i];
    if (used[i] || row.rolled_back) continue;
    if (!row.success) {
      out.push_back(
          entry(State::failed, row.version, row.description,
                tool + " recorded this migration as failed; it is not in the repository"));
    } else {
      out.push_back(entry(State::unknown, row.version, row.description,
                          "applied on the target, not in the repository"));
    }
  }
  return out;
}

}  // namespace pgdrift::history::detail
