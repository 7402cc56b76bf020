#include <optional>
#include <string>

#include "readers.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

std::string volatility(const std::optional<std::string>& code) {
  if (code == "i") return "immutable";
  if (code == "s") return "stable";
  return "volatile";
}

std::string trimmed_right(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

// Identity is "name(argument types)" from proargtypes, PostgreSQL's own uniqueness key: parameter
// names and modes are left out of it (they are in the definition). Aggregates (prokind 'a') are
// not read: pg_get_functiondef refuses them. Functions a type implies (range and multirange
// constructors: an internal dependency) are left out like the extension members.
void read_routines(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS schema,"
      " p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')' AS name,"
      " p.prokind AS kind,"
      " pg_catalog.pg_get_function_result(p.oid) AS returns,"
      " l.lanname AS language, p.provolatile AS volatility, p.prosecdef AS security_definer,"
      " p.proisstrict AS strict, pg_catalog.pg_get_functiondef(p.oid) AS definition, " +
      comment_sql("p.oid", "pg_proc") + " AS comment, " +
      privileges_sql("p.proacl", "p.proowner") +
      " AS privileges"
      " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
      " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
      " WHERE p.prokind IN ('f', 'p', 'w') AND " +
      scope.schema_condition("n") + " AND " +
      Scope::not_extension_member("'pg_catalog.pg_proc'::pg_catalog.regclass", "p.oid") +
      scope.focus_condition({"p.proname"}) +
      " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
      "  WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
      "  AND d.objid = p.oid AND d.deptype = 'i')");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const bool procedure = rows.at(r, "kind") == "p";
    Properties properties;
    if (!procedure) add_if(properties, "returns", rows.at(r, "returns"));
    add_if(properties, "language", rows.at(r, "language"));
    properties["volatility"] = volatility(rows.at(r, "volatility"));
    properties["security_definer"] = boolean(rows.at(r, "security_definer"));
    properties["strict"] = boolean(rows.at(r, "strict"));
    if (const auto& definition = rows.at(r, "definition")) {
      properties["definition"] = trimmed_right(*definition);
    }
    add_columns(properties, rows, r, {"comment", "privileges"});
    model.add({procedure ? Kind::procedure : Kind::function, *rows.at(r, "schema"),
               *rows.at(r, "name"), ""},
              std::move(properties));
  }
}

}  // namespace pgdrift::catalog::detail
