#include <string>
#include <vector>

#include "readers.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

void read_schemas(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS name, " + comment_sql("n.oid", "pg_namespace") + " AS comment, " +
      privileges_sql("n.nspacl", "n.nspowner") +
      " AS privileges FROM pg_catalog.pg_namespace n WHERE " + scope.schema_condition("n") +
      scope.focus_condition({"n.nspname"}));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties;
    add_columns(properties, rows, r, {"comment", "privileges"});
    model.add({Kind::schema, "", *rows.at(r, "name"), ""}, std::move(properties));
  }
}

// Extensions are database-wide, so the system-schema rule does not apply to them (plpgsql lives
// in pg_catalog and is listed like any other); the include/exclude schema lists do.
void read_extensions(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  std::string condition = "true";
  auto in_list = [](const std::vector<std::string>& names) {
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + db::quote_literal(name);
    return list;
  };
  if (!scope.include_schemas.empty()) {
    condition += " AND n.nspname IN (" + in_list(scope.include_schemas) + ")";
  }
  if (!scope.exclude_schemas.empty()) {
    condition += " AND n.nspname NOT IN (" + in_list(scope.exclude_schemas) + ")";
  }
  const auto rows = connection.query(
      "SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema"
      " FROM pg_catalog.pg_extension e"
      " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE " +
      condition + scope.focus_condition({"e.extname"}));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties;
    add_columns(properties, rows, r, {"version", "schema"});
    model.add({Kind::extension, "", *rows.at(r, "name"), ""}, std::move(properties));
  }
}

}  // namespace

void read_namespaces(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  read_schemas(connection, scope, model);
  read_extensions(connection, scope, model);
}

}  // namespace pgdrift::catalog::detail
