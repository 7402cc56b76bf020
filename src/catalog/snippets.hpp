#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>

#include "pgdrift/db/connection.hpp"

namespace pgdrift::catalog::detail {

// SQL expression: the ACL `acl` (an aclitem[] column) as sorted "grantee=PRIVILEGE" items joined
// by ", " ("PUBLIC" for grantee 0, " WITH GRANT OPTION" when grantable), leaving out what
// `owner` (an oid column) holds on its own object; "none" when nothing else is granted (even the
// defaults were revoked); NULL when the ACL is NULL (the built-in defaults).
std::string privileges_sql(const std::string& acl, const std::string& owner);

// SQL expression: the comment on object `oid` of catalog `catalog` ('pg_class', 'pg_type', …).
std::string comment_sql(const std::string& oid, const std::string& catalog);

// Adds `value` under `name` when the row has it (a NULL column adds nothing).
void add_if(std::map<std::string, std::string>& properties, const std::string& name,
            const std::optional<std::string>& value);

// Copies row `r`'s columns `names` into properties of the same names, skipping NULLs.
void add_columns(std::map<std::string, std::string>& properties, const db::Rows& rows, std::size_t r,
                 std::initializer_list<const char*> names);

// "t"/"f" from Postgres as "true"/"false".
std::string boolean(const std::optional<std::string>& value);

}  // namespace pgdrift::catalog::detail
