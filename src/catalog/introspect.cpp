#include "pgdrift/catalog/introspect.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "readers.hpp"

namespace pgdrift::catalog {

namespace {

std::string sql_list(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const auto& v : values) quoted.push_back(db::quote_literal(v));
  return util::join(quoted, ", ");
}

bool matches_any(const std::vector<std::string>& globs, const std::string& text) {
  return std::any_of(globs.begin(), globs.end(),
                     [&](const std::string& glob) { return fnmatch(glob.c_str(), text.c_str(), 0) == 0; });
}

// Whether `id` (or the table it belongs to) is excluded by name.
bool excluded(const ObjectId& id, const IntrospectOptions& options) {
  const std::string& own = id.table.empty() ? id.name : id.table;
  if (id.kind == Kind::table || !id.table.empty()) {
    if (std::find(options.history_tables.begin(), options.history_tables.end(), own) != options.history_tables.end()) {
      return true;
    }
  }
  if (options.exclude_objects.empty()) return false;
  return matches_any(options.exclude_objects, own) ||
         (!id.schema.empty() && matches_any(options.exclude_objects, id.schema + "." + own));
}

void run(db::Connection& connection, const std::string& sql) {
  const auto result = connection.execute(sql);
  if (!result.ok) throw infra_error("catalog read failed at `" + sql + "`: " + result.error->message);
}

}  // namespace

namespace detail {

std::string Scope::schema_condition(const std::string& alias) const {
  std::string condition = alias + ".nspname NOT IN ('pg_catalog', 'information_schema') AND " + alias +
                          ".nspname NOT LIKE 'pg\\_toast%' AND " + alias + ".nspname NOT LIKE 'pg\\_temp\\_%'";
  condition += " AND " + not_extension_member("'pg_namespace'::regclass", alias + ".oid");
  if (!include_schemas.empty()) condition += " AND " + alias + ".nspname IN (" + sql_list(include_schemas) + ")";
  if (!exclude_schemas.empty()) condition += " AND " + alias + ".nspname NOT IN (" + sql_list(exclude_schemas) + ")";
  return condition;
}

std::string Scope::not_extension_member(const std::string& classid, const std::string& oid_column) {
  return "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.classid = " + classid +
         " AND dep.objid = " + oid_column + " AND dep.deptype = 'e')";
}

std::string Scope::focus_condition(std::initializer_list<std::string> name_columns) const {
  if (!focus) return "";
  const std::string names = "ARRAY[" + sql_list(*focus) + "]::pg_catalog.name[]";
  std::vector<std::string> terms;
  for (const auto& column : name_columns) terms.push_back(column + " = ANY (" + names + ")");
  return " AND (" + util::join(terms, " OR ") + ")";
}

}  // namespace detail

bool in_focus(const ObjectId& id, const std::vector<std::string>& names) {
  const auto named = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) != names.end(); };
  switch (id.kind) {
    case Kind::column:
    case Kind::constraint:
    case Kind::trigger:
    case Kind::policy:
      return named(id.table);
    case Kind::index:
      return named(id.table) || named(id.name);
    case Kind::function:
    case Kind::procedure:
      return named(id.name.substr(0, id.name.find('(')));
    default:
      return named(id.name);
  }
}

std::vector<std::string> deparse_settings() {
  return {"SET LOCAL search_path = ''", "SET LOCAL DateStyle = 'ISO'",
          "SET LOCAL IntervalStyle = 'postgres'", "SET LOCAL extra_float_digits = 3"};
}

SchemaModel introspect(db::Connection& connection, const IntrospectOptions& options) {
  detail::Scope scope;
  scope.server_version_num = connection.server_version_num();
  scope.include_schemas = options.include_schemas;
  scope.exclude_schemas = options.exclude_schemas;
  scope.focus = options.focus;

  SchemaModel model;
  model.server_version = connection.server_version();
  // One snapshot for every query; nothing is ever written.
  run(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    for (const auto& setting : deparse_settings()) run(connection, setting);
    detail::read_namespaces(connection, scope, model);
    detail::read_types(connection, scope, model);
    detail::read_sequences(connection, scope, model);
    detail::read_tables(connection, scope, model);
    detail::read_indexes(connection, scope, model);
    detail::read_views(connection, scope, model);
    detail::read_routines(connection, scope, model);
    detail::read_triggers_and_policies(connection, scope, model);
    run(connection, "COMMIT");
  } catch (...) {
    connection.execute("ROLLBACK");
    throw;
  }
  for (auto it = model.objects.begin(); it != model.objects.end();) {
    it = excluded(it->first, options) ? model.objects.erase(it) : std::next(it);
  }
  // The Supabase CLI owns the schema supabase_migrations (its history and seed tables), and
  // pgdrift's change journal lives in pgdrift_journal in the databases it replays into.
  const auto owned_schema = [](const std::string& name) {
    return name == "supabase_migrations" || name == "pgdrift_journal";
  };
  for (auto it = model.objects.begin(); it != model.objects.end();) {
    const bool tool_owned =
        owned_schema(it->first.schema) || (it->first.kind == Kind::schema && owned_schema(it->first.name));
    it = tool_owned ? model.objects.erase(it) : std::next(it);
  }
  // drizzle-kit keeps its history table in a schema of its own: with the table left out, an
  // otherwise empty schema of that name is the tool's, not the application's.
  for (const char* tool_schema : {"drizzle"}) {
    if (options.focus) break;  // whether the schema holds anything else is not in a focused read
    const ObjectId id{Kind::schema, "", tool_schema, ""};
    if (model.objects.count(id) == 0) continue;
    const bool used = std::any_of(model.objects.begin(), model.objects.end(),
                                  [&](const auto& entry) { return entry.first.schema == tool_schema; });
    if (!used) model.objects.erase(id);
  }
  return model;
}

}  // namespace pgdrift::catalog
