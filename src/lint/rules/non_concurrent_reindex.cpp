#include <set>
#include <string>

#include "pgdrift/util/text.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// REINDEX … CONCURRENTLY exists from PostgreSQL 12.
constexpr int k_reindex_concurrently_since = 120000;

// Whether boolean option `name` of a DefElem list is on (Postgres's defGetBoolean: no argument
// is true; false/off and 0 are false).
bool option_on(const sql::Node& options, const std::string& name) {
  for (const auto& option : options.items()) {
    if (!option.is("DefElem") || option["defname"].str() != name) continue;
    const auto arg = option["arg"];
    if (arg.is_null()) return true;
    if (arg.is("Integer")) return arg.integer(0) != 0;
    if (arg.is("Boolean")) return arg["boolval"].boolean();
    const std::string value = util::to_lower(arg.str());
    return value != "false" && value != "off";
  }
  return false;
}

// Whether two names as written can name the same object (a name without a schema matches the
// same name in any schema), as FileState::created_here does for tables.
bool same_name(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const auto a_dot = a.rfind('.');
  const auto b_dot = b.rfind('.');
  if (a_dot != std::string::npos && b_dot != std::string::npos) return false;
  return a.substr(a_dot == std::string::npos ? 0 : a_dot + 1) ==
         b.substr(b_dot == std::string::npos ? 0 : b_dot + 1);
}

// non-concurrent-reindex: REINDEX INDEX/TABLE/SCHEMA/DATABASE without CONCURRENTLY (REINDEX
// SYSTEM has no concurrent form and is left alone), except of a table or index created earlier
// in the file. Reported at the index or table name, else at the statement.
class NonConcurrentReindex : public BasicRule {
 public:
  NonConcurrentReindex()
      : BasicRule({"non-concurrent-reindex", Severity::warning, "constraints and locks",
                   "REINDEX without CONCURRENTLY blocks writes to the table, and reads that use "
                   "the index, until every index is rebuilt",
                   "PostgreSQL 12+: `REINDEX … CONCURRENTLY` outside a transaction; before 12: "
                   "`CREATE INDEX CONCURRENTLY` a copy, `DROP INDEX CONCURRENTLY` the old one and "
                   "rename the copy"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    if (tree.is("IndexStmt") && !tree["idxname"].str().empty()) {
      const std::string schema = tree["relation"]["schemaname"].str();
      m_created_indexes.insert((schema.empty() ? "" : schema + ".") + tree["idxname"].str());
      return;
    }
    if (!tree.is("ReindexStmt") || option_on(tree["params"], "concurrently")) return;
    const std::string kind = tree["kind"].str();
    const auto& relation = tree["relation"];
    std::string what;  // "TABLE users"
    std::string object;
    if (kind == "REINDEX_OBJECT_INDEX") {
      if (created_index(sql::relation_name(relation))) return;
      what = "INDEX " + sql::relation_name(relation);
      object = "index " + sql::relation_name(relation);
    } else if (kind == "REINDEX_OBJECT_TABLE") {
      if (state.created_here(relation)) return;
      what = "TABLE " + sql::relation_name(relation);
      object = "table " + sql::relation_name(relation);
    } else if (kind == "REINDEX_OBJECT_SCHEMA") {
      what = "SCHEMA " + tree["name"].str();
      object = "schema " + tree["name"].str();
    } else if (kind == "REINDEX_OBJECT_DATABASE") {
      what = "DATABASE " + tree["name"].str();
      object = "database " + tree["name"].str();
    } else {
      return;
    }
    std::string message = "REINDEX " + what +
                          " without CONCURRENTLY blocks writes, and reads using the rebuilt "
                          "indexes, until it is done";
    if (state.pg_version_num < k_reindex_concurrently_since) {
      message +=
          " (PostgreSQL before 12 has no REINDEX CONCURRENTLY: build a replacement with CREATE "
          "INDEX CONCURRENTLY and swap it in)";
    }
    sink.report(relation.is_null() ? statement.statement.begin : offset_of(relation, statement),
                message, object);
  }

 private:
  bool created_index(const std::string& name) const {
    for (const auto& created : m_created_indexes) {
      if (same_name(created, name)) return true;
    }
    return false;
  }

  std::set<std::string> m_created_indexes;  // created earlier in this file, "schema.name" or "name"
};

}  // namespace

std::unique_ptr<Rule> make_non_concurrent_reindex() {
  return std::make_unique<NonConcurrentReindex>();
}

}  // namespace pgdrift::lint::rules
