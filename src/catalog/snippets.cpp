#include "snippets.hpp"

namespace pgdrift::catalog::detail {

std::string privileges_sql(const std::string& acl, const std::string& owner) {
  // NULL ACL = the built-in defaults: no property. Otherwise the non-owner grants, or 'none'
  // when even the defaults were revoked (REVOKE … FROM PUBLIC on a function, say). Sorted with
  // the C collation so the database's own collation cannot change the model.
  return "CASE WHEN " + acl + " IS NULL THEN NULL ELSE COALESCE((SELECT pg_catalog.string_agg(x.item, ', ' "
         "ORDER BY x.item COLLATE \"C\") FROM ("
         "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END"
         " || '=' || a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS item"
         " FROM pg_catalog.aclexplode(" + acl + ") a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee"
         " WHERE a.grantee <> " + owner + ") x), 'none') END";
}

std::string comment_sql(const std::string& oid, const std::string& catalog) {
  return "pg_catalog.obj_description(" + oid + ", '" + catalog + "')";
}

void add_if(std::map<std::string, std::string>& properties, const std::string& name,
            const std::optional<std::string>& value) {
  if (value) properties[name] = *value;
}

void add_columns(std::map<std::string, std::string>& properties, const db::Rows& rows, std::size_t r,
                 std::initializer_list<const char*> names) {
  for (const char* name : names) add_if(properties, name, rows.at(r, name));
}

std::string boolean(const std::optional<std::string>& value) {
  return value && *value == "t" ? "true" : "false";
}

}  // namespace pgdrift::catalog::detail
