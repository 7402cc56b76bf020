#include <string>
#include <string_view>

#include "pgdrift/util/text.hpp"
#include "relations.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

// pg_get_viewdef's query without its leading space and trailing ";".
std::string definition(const std::string& viewdef) {
  std::string_view query = util::trim(viewdef);
  if (util::ends_with(query, ";")) query = util::trim(query.substr(0, query.size() - 1));
  return std::string(query);
}

}  // namespace

void read_views(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, c.relname AS name, c.relkind AS relkind,"
      " pg_catalog.pg_get_viewdef(c.oid) AS definition, " +
      options_sql("c.reloptions") + " AS options, " + comment_sql("c.oid", "pg_class") +
      " AS comment, " + privileges_sql("c.relacl", "c.relowner") + " AS privileges"
      " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE " + relation_condition(scope, "'v', 'm'"));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties{{"definition", definition(text(rows, r, "definition"))}};
    add_columns(properties, rows, r, {"options", "comment", "privileges"});
    const Kind kind = text(rows, r, "relkind") == "m" ? Kind::materialized_view : Kind::view;
    model.add({kind, text(rows, r, "schema"), text(rows, r, "name"), ""}, std::move(properties));
  }
}

}  // namespace pgdrift::catalog::detail
