#include <optional>
#include <string>

#include "readers.hpp"
#include "snippets.hpp"

namespace pgdrift::catalog::detail {

namespace {

std::string trigger_enabled(const std::optional<std::string>& code) {
  if (code == "D") return "disabled";
  if (code == "R") return "replica";
  if (code == "A") return "always";
  return "origin";
}

std::string policy_command(const std::optional<std::string>& code) {
  if (code == "r") return "SELECT";
  if (code == "a") return "INSERT";
  if (code == "w") return "UPDATE";
  if (code == "d") return "DELETE";
  return "ALL";
}

// FROM clause over a relation `c` and its namespace `n`: user relations no extension owns.
std::string user_relation(const Scope& scope) {
  return " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " +
         scope.schema_condition("n") + " AND " +
         Scope::not_extension_member("'pg_catalog.pg_class'::pg_catalog.regclass", "c.oid") +
         scope.focus_condition({"c.relname"});
}

// Internal triggers (foreign keys, deferred unique checks) are implied by their constraint.
// Partition clones are implied by the parent's trigger: PostgreSQL 13+ marks them with
// tgparentid; 12 marked them tgisinternal.
void read_triggers(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const std::string not_clone = scope.server_version_num >= 130000 ? " AND t.tgparentid = 0" : "";
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, c.relname AS table_name, t.tgname AS name,"
      " pg_catalog.pg_get_triggerdef(t.oid) AS definition, t.tgenabled AS enabled, " +
      comment_sql("t.oid", "pg_trigger") +
      " AS comment"
      " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid" +
      user_relation(scope) + " AND NOT t.tgisinternal" + not_clone);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties;
    add_if(properties, "definition", rows.at(r, "definition"));
    properties["enabled"] = trigger_enabled(rows.at(r, "enabled"));
    add_if(properties, "comment", rows.at(r, "comment"));
    model.add(
        {Kind::trigger, *rows.at(r, "schema"), *rows.at(r, "name"), *rows.at(r, "table_name")},
        std::move(properties));
  }
}

// Roles sort bytewise (COLLATE "C") so that the database's collation does not matter; PUBLIC is
// the role oid 0.
void read_policies(db::Connection& connection, const Scope& scope, SchemaModel& model) {
  const auto rows = connection.query(
      "SELECT n.nspname AS schema, c.relname AS table_name, p.polname AS name, p.polcmd AS command,"
      " p.polpermissive AS permissive,"
      " (SELECT pg_catalog.string_agg(x.role, ', ' ORDER BY x.role COLLATE pg_catalog.\"C\") FROM ("
      "  SELECT CASE WHEN o.oid = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(ro.rolname) END"
      "  AS role FROM pg_catalog.unnest(p.polroles) AS o(oid)"
      "  LEFT JOIN pg_catalog.pg_roles ro ON ro.oid = o.oid) x) AS roles,"
      " pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,"
      " pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS with_check, " +
      comment_sql("p.oid", "pg_policy") +
      " AS comment"
      " FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid" +
      user_relation(scope));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    Properties properties;
    properties["command"] = policy_command(rows.at(r, "command"));
    properties["permissive"] = boolean(rows.at(r, "permissive"));
    add_if(properties, "roles", rows.at(r, "roles"));
    add_if(properties, "using", rows.at(r, "using_expr"));
    add_columns(properties, rows, r, {"with_check", "comment"});
    model.add({Kind::policy, *rows.at(r, "schema"), *rows.at(r, "name"), *rows.at(r, "table_name")},
              std::move(properties));
  }
}

}  // namespace

void read_triggers_and_policies(db::Connection& connection, const Scope& scope,
                                SchemaModel& model) {
  read_triggers(connection, scope, model);
  read_policies(connection, scope, model);
}

}  // namespace pgdrift::catalog::detail
