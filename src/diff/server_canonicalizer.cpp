#include "pgdrift/diff/server_canonicalizer.hpp"

#include <utility>

#include "pgdrift/catalog/introspect.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff {

namespace {

using catalog::Kind;

// The name every probe object takes; each probe is rolled back before the next one.
constexpr const char* k_probe = "pgdrift_expression_probe";

std::string qualified(const std::string& schema, const std::string& name) {
  return db::quote_ident(schema) + "." + db::quote_ident(name);
}

// The first column of the first row, when there is one and it is not NULL.
std::optional<std::string> first(const db::Rows& rows) {
  if (rows.size() == 0 || rows.rows[0].empty()) return std::nullopt;
  return rows.rows[0][0];
}

std::string without_suffix(std::string text, const std::string& suffix) {
  if (util::ends_with(text, suffix)) text.resize(text.size() - suffix.size());
  return text;
}

// pg_get_viewdef's query as the catalog reader keeps it: trimmed, without its trailing ";".
std::string view_body(const std::string& viewdef) {
  std::string_view query = util::trim(viewdef);
  if (util::ends_with(query, ";")) query = util::trim(query.substr(0, query.size() - 1));
  return std::string(query);
}

// The length of the identifier at the start of `text` (quoted with "" escapes, or plain up to a
// space); 0 when there is none.
std::size_t identifier_length(const std::string& text) {
  if (text.empty()) return 0;
  if (text[0] != '"') {
    const auto space = text.find(' ');
    return space == std::string::npos ? text.size() : space;
  }
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] != '"') continue;
    if (i + 1 < text.size() && text[i + 1] == '"') {
      ++i;
      continue;
    }
    return i + 1;
  }
  return 0;
}

// A domain's `checks` property split into its "CONSTRAINT name CHECK (…)" items. A check's own
// text may hold a newline inside a literal, so items start only where a line starts with
// "CONSTRAINT ".
std::vector<std::string> domain_checks(const std::string& checks) {
  std::vector<std::string> items;
  std::size_t start = 0;
  for (std::size_t at = checks.find("\nCONSTRAINT "); at != std::string::npos;
       at = checks.find("\nCONSTRAINT ", at + 1)) {
    items.push_back(checks.substr(start, at - start));
    start = at + 1;
  }
  items.push_back(checks.substr(start));
  return items;
}

// pg_get_functiondef's text of a LANGUAGE sql routine with a BEGIN ATOMIC body.
bool sql_standard_body(const std::string& text) {
  return (util::starts_with(text, "CREATE OR REPLACE FUNCTION ") ||
          util::starts_with(text, "CREATE OR REPLACE PROCEDURE ")) &&
         text.find("\n LANGUAGE sql\n") != std::string::npos &&
         text.find("\nBEGIN ATOMIC\n") != std::string::npos;
}

// As the catalog reader keeps a routine's definition: without trailing blanks and newlines.
std::string trimmed_right(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t' ||
                           text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

ServerCanonicalizer::ServerCanonicalizer(db::ConnectionInfo database)
    : m_database(std::move(database)) {}

ServerCanonicalizer::~ServerCanonicalizer() = default;

std::vector<std::optional<std::string>> ServerCanonicalizer::canonicalize(
    const std::vector<Expression>& expressions) {
  std::vector<std::optional<std::string>> out(expressions.size());
  std::vector<std::size_t> wanted;
  for (std::size_t i = 0; i < expressions.size(); ++i) {
    const auto& e = expressions[i];
    const auto cached = m_cache.find({e.id, e.property, e.text});
    if (cached != m_cache.end()) {
      out[i] = cached->second;
    } else {
      wanted.push_back(i);
    }
  }
  if (wanted.empty()) return out;
  if (!m_connection) m_connection = db::Connection::open(m_database, "pgdrift");
  auto& connection = *m_connection;
  const auto run = [&connection](const std::string& sql) {
    const auto result = connection.execute(sql);
    if (!result.ok)
      throw infra_error("expression probe session failed at `" + sql +
                        "`: " + result.error->message);
  };
  // Nothing a probe does may stay: one transaction, always rolled back.
  run("BEGIN");
  try {
    for (const auto& setting : catalog::deparse_settings()) run(setting);
    // A probe builds an index or a stored column over the sandbox's rows at most.
    run("SET LOCAL statement_timeout = '60s'");
    for (const std::size_t i : wanted) {
      const auto& e = expressions[i];
      const auto cached = m_cache.find({e.id, e.property, e.text});  // a duplicate in this batch
      out[i] = cached != m_cache.end() ? cached->second : probe(e);
      m_cache[{e.id, e.property, e.text}] = out[i];
    }
    run("ROLLBACK");
  } catch (...) {
    if (connection.in_transaction()) connection.execute("ROLLBACK");
    throw;
  }
  return out;
}

std::optional<std::string> ServerCanonicalizer::probe(const Expression& e) {
  auto& connection = *m_connection;
  ++m_probes;
  const auto& id = e.id;
  const std::string table = qualified(id.schema, id.table);
  const std::string probe_name = db::quote_ident(k_probe);
  // One savepoint per statement group: a failing probe (or part of a domain's checks) is undone
  // alone and leaves the transaction usable.
  const auto attempt = [&connection](const auto& body) -> std::optional<std::string> {
    if (!connection.execute("SAVEPOINT pgdrift_probe").ok)
      throw infra_error("cannot set a savepoint for a probe");
    std::optional<std::string> result;
    try {
      result = body();
    } catch (const Error&) {
      // The text does not parse or apply here: it stays as written (a difference). A lost
      // connection surfaces at the ROLLBACK TO below.
      result.reset();
    }
    const auto undone =
        connection.execute("ROLLBACK TO SAVEPOINT pgdrift_probe; RELEASE SAVEPOINT pgdrift_probe");
    if (!undone.ok) throw infra_error("cannot roll a probe back: " + undone.error->message);
    return result;
  };

  switch (id.kind) {
    case Kind::constraint:
      return attempt([&]() -> std::optional<std::string> {
        // NOT VALID (CHECK and FOREIGN KEY only) skips scanning the sandbox's rows; the
        // deparser then says so, and that is taken off again.
        const bool can_skip_scan =
            util::starts_with(e.text, "CHECK ") || util::starts_with(e.text, "FOREIGN KEY ");
        const bool add_not_valid = can_skip_scan && !util::ends_with(e.text, " NOT VALID");
        connection.query("ALTER TABLE " + table + " ADD CONSTRAINT " + probe_name + " " + e.text +
                         (add_not_valid ? " NOT VALID" : ""));
        auto definition = first(connection.query(
            "SELECT pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint"
            " WHERE conrelid = $1::pg_catalog.regclass AND conname = $2",
            {table, std::string(k_probe)}));
        if (definition && add_not_valid) definition = without_suffix(*definition, " NOT VALID");
        return definition;
      });
    case Kind::index:
      return attempt([&]() -> std::optional<std::string> {
        const auto kind =
            first(connection.query("SELECT relkind::pg_catalog.text FROM pg_catalog.pg_class WHERE "
                                   "oid = $1::pg_catalog.regclass",
                                   {table}));
        const std::string only = kind == std::string("p") ? "ONLY " : "";
        connection.query("CREATE INDEX " + probe_name + " ON " + only + table + " " + e.text);
        const auto rows = connection.query(
            "SELECT pg_catalog.pg_get_indexdef(x.indexrelid) AS definition,"
            " x.indrelid::pg_catalog.regclass::pg_catalog.text AS table_ref"
            " FROM pg_catalog.pg_index x WHERE x.indexrelid = $1::pg_catalog.regclass",
            {qualified(id.schema, k_probe)});
        if (rows.size() != 1 || !rows.at(0, "definition") || !rows.at(0, "table_ref"))
          return std::nullopt;
        // As the catalog reader keeps it: without "CREATE INDEX name ON [ONLY] table ".
        // (The probe's name is plain lower case: the deparser prints it unquoted.)
        const std::string prefix =
            std::string("CREATE INDEX ") + k_probe + " ON " + only + *rows.at(0, "table_ref") + " ";
        const std::string& full = *rows.at(0, "definition");
        if (!util::starts_with(full, prefix)) return std::nullopt;
        return full.substr(prefix.size());
      });
    case Kind::view:
    case Kind::materialized_view:
      // The body alone decides the deparse (a materialized view's as a view's), so a scratch
      // temporary view serves both, whatever depends on the real one.
      return attempt([&]() -> std::optional<std::string> {
        connection.query("CREATE TEMPORARY VIEW " + probe_name + " AS " + e.text);
        const auto body =
            first(connection.query("SELECT pg_catalog.pg_get_viewdef($1::pg_catalog.regclass)",
                                   {"pg_temp." + probe_name}));
        if (!body) return std::nullopt;
        return view_body(*body);
      });
    case Kind::column:
      if (e.property == "default") {
        return attempt([&]() -> std::optional<std::string> {
          connection.query("ALTER TABLE " + table + " ALTER COLUMN " + db::quote_ident(id.name) +
                           " SET DEFAULT " + e.text);
          return first(connection.query(
              "SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d"
              " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
              " WHERE a.attrelid = $1::pg_catalog.regclass AND a.attname = $2",
              {table, id.name}));
        });
      }
      // generated: PostgreSQL 15 cannot change a generation expression in place; a scratch
      // column of the same type (the expression is coerced to it) is the same parse.
      return attempt([&]() -> std::optional<std::string> {
        const auto type = first(connection.query(
            "SELECT pg_catalog.format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute"
            " WHERE attrelid = $1::pg_catalog.regclass AND attname = $2 AND NOT attisdropped",
            {table, id.name}));
        if (!type) return std::nullopt;
        connection.query("ALTER TABLE " + table + " ADD COLUMN " + probe_name + " " + *type +
                         " GENERATED ALWAYS AS (" + e.text + ") STORED");
        return first(connection.query(
            "SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d"
            " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
            " WHERE a.attrelid = $1::pg_catalog.regclass AND a.attname = $2",
            {table, std::string(k_probe)}));
      });
    case Kind::domain: {
      const std::string domain = qualified(id.schema, id.name);
      if (e.property == "default") {
        return attempt([&]() -> std::optional<std::string> {
          connection.query("ALTER DOMAIN " + domain + " SET DEFAULT " + e.text);
          return first(connection.query(
              "SELECT pg_catalog.pg_get_expr(typdefaultbin, 0) FROM pg_catalog.pg_type"
              " WHERE oid = $1::pg_catalog.regtype",
              {domain}));
        });
      }
      // checks: each "CONSTRAINT name CHECK (…)" on its own, the name kept as written.
      std::vector<std::string> canonical;
      for (const auto& item : domain_checks(e.text)) {
        if (!util::starts_with(item, "CONSTRAINT ")) return std::nullopt;
        const std::string rest = item.substr(std::string("CONSTRAINT ").size());
        const std::size_t length = identifier_length(rest);
        if (length == 0 || length >= rest.size()) return std::nullopt;
        const std::string check = rest.substr(length + 1);
        const bool add_not_valid = !util::ends_with(check, " NOT VALID");
        auto definition = attempt([&]() -> std::optional<std::string> {
          connection.query("ALTER DOMAIN " + domain + " ADD CONSTRAINT " + probe_name + " " +
                           check + (add_not_valid ? " NOT VALID" : ""));
          return first(connection.query(
              "SELECT pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint"
              " WHERE contypid = $1::pg_catalog.regtype AND conname = $2",
              {domain, std::string(k_probe)}));
        });
        if (!definition) return std::nullopt;
        if (add_not_valid) definition = without_suffix(*definition, " NOT VALID");
        canonical.push_back("CONSTRAINT " + rest.substr(0, length) + " " + *definition);
      }
      return util::join(canonical, "\n");
    }
    case Kind::policy:
      return attempt([&]() -> std::optional<std::string> {
        const bool using_clause = e.property == "using";
        connection.query("CREATE POLICY " + probe_name + " ON " + table +
                         (using_clause ? " USING (" : " WITH CHECK (") + e.text + ")");
        return first(
            connection.query(std::string("SELECT pg_catalog.pg_get_expr(") +
                                 (using_clause ? "polqual" : "polwithcheck") +
                                 ", polrelid) FROM pg_catalog.pg_policy"
                                 " WHERE polrelid = $1::pg_catalog.regclass AND polname = $2",
                             {table, std::string(k_probe)}));
      });
    case Kind::trigger:
      // The definition is a whole CREATE TRIGGER statement naming this trigger: replace it.
      if (!util::starts_with(e.text, "CREATE TRIGGER ") &&
          !util::starts_with(e.text, "CREATE CONSTRAINT TRIGGER ")) {
        return std::nullopt;
      }
      return attempt([&]() -> std::optional<std::string> {
        connection.query("DROP TRIGGER " + db::quote_ident(id.name) + " ON " + table);
        connection.query(e.text);
        return first(
            connection.query("SELECT pg_catalog.pg_get_triggerdef(oid) FROM pg_catalog.pg_trigger"
                             " WHERE tgrelid = $1::pg_catalog.regclass AND tgname = $2",
                             {table, id.name}));
      });
    case Kind::function:
    case Kind::procedure:
      // Only an SQL-standard body (BEGIN ATOMIC) is kept parsed and deparsed; any other body is
      // kept as written, so its text is the whole truth (and not re-created here).
      if (!sql_standard_body(e.text)) return std::nullopt;
      return attempt([&]() -> std::optional<std::string> {
        connection.query(e.text);  // CREATE OR REPLACE: the same routine, re-created in place
        const auto open = id.name.find('(');
        if (open == std::string::npos) return std::nullopt;
        const std::string signature = db::quote_ident(id.schema) + "." +
                                      db::quote_ident(id.name.substr(0, open)) +
                                      id.name.substr(open);
        const auto definition = first(connection.query(
            "SELECT pg_catalog.pg_get_functiondef($1::pg_catalog.regprocedure)", {signature}));
        if (!definition) return std::nullopt;
        return trimmed_right(*definition);
      });
    default:
      return std::nullopt;
  }
}

}  // namespace pgdrift::diff
