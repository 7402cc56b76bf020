// The healing round trip, data-driven: every tests/fixtures/heal/pairs/<name>.sql holds a schema A
// ("-- == a ==") and a schema B ("-- == b =="). For each pair, on a real server:
//   1. the --allow-destructive script applied to A gives exactly B (re-diff empty);
//   2. the default (additive) script applies to A, and keeps every table and column of A;
//   3. pgdrift's own lint finds no error in either script.
// A is loaded once and cloned (CREATE DATABASE … TEMPLATE) for the additive run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "integration/sandbox_fixture.hpp"
#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/diff/compare.hpp"
#include "pgdrift/diff/heal.hpp"
#include "pgdrift/lint/lint.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::testing {
namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::SchemaModel;
using diff::HealOptions;

const std::string k_pairs_dir = std::string(PGDRIFT_FIXTURES_DIR) + "/heal/pairs";

std::vector<std::string> pair_names() {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(k_pairs_dir)) {
    if (entry.path().extension() == ".sql") out.push_back(entry.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Pair {
  std::string a;
  std::string b;
};

// Splits a pair file at its "-- == a ==" and "-- == b ==" lines.
Pair read_pair(const std::string& name) {
  const std::string text = util::read_file(k_pairs_dir + "/" + name + ".sql");
  const auto a = text.find("-- == a ==\n");
  const auto b = text.find("-- == b ==\n");
  if (a == std::string::npos || b == std::string::npos || b < a) {
    ADD_FAILURE() << name << ".sql needs '-- == a ==' then '-- == b ==' lines";
    return {};
  }
  return {text.substr(a, b - a), text.substr(b)};
}

std::string show(const catalog::Properties& properties, const std::string& name) {
  const auto it = properties.find(name);
  return it == properties.end() ? "(none)" : "'" + it->second + "'";
}

// What `pgdrift diff` compares, comments and privileges included.
diff::CompareOptions everything() {
  diff::CompareOptions options;
  options.include_informational = {"comment", "privileges"};
  return options;
}

// One line per difference between the healed model and B's, in any property but a column's
// position: Postgres appends a column it adds (and one a script must drop and add again, such as
// a generated column before PostgreSQL 17), and cannot reorder columns.
std::vector<std::string> differences(const SchemaModel& actual, const SchemaModel& expected) {
  std::vector<std::string> out;
  for (const auto& [id, properties] : expected.objects) {
    const auto it = actual.objects.find(id);
    if (it == actual.objects.end()) {
      out.push_back(id.display() + ": missing");
      continue;
    }
    std::set<std::string> names;
    for (const auto& entry : properties) names.insert(entry.first);
    for (const auto& entry : it->second) names.insert(entry.first);
    for (const auto& name : names) {
      if (id.kind == Kind::column && name == "position") continue;
      if (show(it->second, name) != show(properties, name)) {
        out.push_back(id.display() + " " + name + ": " + show(it->second, name) + ", expected " +
                      show(properties, name));
      }
    }
  }
  for (const auto& entry : actual.objects) {
    if (expected.objects.count(entry.first) == 0) out.push_back(entry.first.display() + ": unexpected");
  }
  return out;
}

class HealRoundTrip : public SandboxTest, public ::testing::WithParamInterface<std::string> {
 protected:
  static std::string load(const db::ConnectionInfo& database, const std::string& sql) {
    const auto result = db::Connection::open(database, "pgdrift-test")->execute(sql);
    return result.ok ? "" : result.error->message;
  }
  static SchemaModel model_of(const db::ConnectionInfo& database) {
    auto connection = db::Connection::open(database, "pgdrift-test");
    return catalog::introspect(*connection);
  }
  // A copy of `database` (which must have no open connection).
  static db::ConnectionInfo clone(const db::ConnectionInfo& database) {
    const std::string name = database.dbname + "_additive";
    auto admin = db::Connection::open(backend().admin(), "pgdrift-test");
    const auto result = admin->execute("CREATE DATABASE \"" + name + "\" TEMPLATE \"" +
                                       database.dbname + "\" STRATEGY = FILE_COPY");
    EXPECT_TRUE(result.ok) << (result.ok ? "" : result.error->message);
    return database.with_dbname(name);
  }
  // Runs `script` statement by statement in autocommit, as `psql -f` does: the first error with
  // its statement, or "".
  static std::string apply(const db::ConnectionInfo& database, const std::string& script) {
    auto connection = db::Connection::open(database, "pgdrift-test");
    for (const auto& statement : sql::split(script)) {
      const std::string text(statement.text(script));
      const auto result = connection->execute(text);
      if (!result.ok) return result.error->message + "\n    in: " + text;
    }
    return "";
  }
  // The error-level findings of pgdrift's lint on `script`, its directives applied.
  static std::vector<std::string> lint_errors(const std::string& script) {
    migrations::Migration migration;
    migration.version = "1";
    migration.name = "heal";
    migration.path = "heal.sql";
    migration.display_path = "heal.sql";
    migration.source = script;
    migration.up_sql = script;
    auto findings = lint::check(migration, lint::Options{});
    lint::apply_directives(findings, {migration}, lint::AllowDestructive{});
    std::vector<std::string> out;
    for (const auto& finding : findings) {
      if (finding.severity != Severity::error) continue;
      out.push_back(finding.rule + " at line " +
                    std::to_string(finding.location ? finding.location->line : 0) + ": " +
                    finding.message);
    }
    return out;
  }
};

TEST_P(HealRoundTrip, AppliesAndYieldsB) {
  const Pair pair = read_pair(GetParam());
  const auto a = fresh_database();
  const auto b = fresh_database();
  ASSERT_EQ(load(a, pair.a), "") << "a.sql does not load";
  ASSERT_EQ(load(b, pair.b), "") << "b.sql does not load";
  const auto from = model_of(a);
  const auto to = model_of(b);
  ASSERT_FALSE(diff::compare(to, from, everything()).empty()) << "the pair has no difference";
  const auto additive_database = clone(a);

  // 1. --allow-destructive: applies, and the re-diff is empty.
  HealOptions allow;
  allow.allow_destructive = true;
  const auto full_script = diff::render_script(diff::heal(from, to, allow), allow);
  ASSERT_EQ(apply(a, full_script), "") << "--allow-destructive script:\n" << full_script;
  const auto healed = model_of(a);
  const auto remaining = differences(healed, to);
  EXPECT_TRUE(remaining.empty()) << util::join(remaining, "\n") << "\nscript:\n" << full_script;
  EXPECT_TRUE(diff::compare(to, healed, everything()).empty()) << full_script;
  EXPECT_TRUE(diff::heal(healed, to, allow).empty()) << full_script;

  // 2. The additive script applies and loses no table or column of A.
  const auto additive_script = diff::render_script(diff::heal(from, to), HealOptions{});
  ASSERT_EQ(apply(additive_database, additive_script), "") << "additive script:\n"
                                                           << additive_script;
  const auto added = model_of(additive_database);
  for (const auto& [id, properties] : from.objects) {
    if (id.kind != Kind::table && id.kind != Kind::column) continue;
    if (additive_script.find("RENAME") != std::string::npos) break;  // renames keep the data
    EXPECT_EQ(added.objects.count(id), 1u) << id.display() << " lost by the additive script:\n"
                                           << additive_script;
  }

  // 3. pgdrift's own lint has no error about either script.
  const auto full_errors = lint_errors(full_script);
  EXPECT_TRUE(full_errors.empty()) << util::join(full_errors, "\n") << "\nscript:\n"
                                   << full_script;
  const auto additive_errors = lint_errors(additive_script);
  EXPECT_TRUE(additive_errors.empty()) << util::join(additive_errors, "\n") << "\nscript:\n"
                                       << additive_script;
}

INSTANTIATE_TEST_SUITE_P(Pairs, HealRoundTrip, ::testing::ValuesIn(pair_names()),
                         [](const ::testing::TestParamInfo<std::string>& pair) { return pair.param; });

}  // namespace
}  // namespace pgdrift::testing
