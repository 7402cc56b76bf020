#include <algorithm>
#include <set>
#include <sstream>

#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::catalog {

namespace {

// PostgreSQL's reserved key words (and the non-reserved ones that cannot be column or type
// names), which quote_ident quotes.
const std::set<std::string> k_reserved = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character",
    "check", "coalesce", "collate", "collation", "column", "concurrently", "constraint", "create",
    "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
    "current_timestamp", "current_user", "dec", "decimal", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for",
    "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike",
    "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into", "is",
    "isnull", "join", "json", "lateral", "leading", "least", "left", "like", "limit", "localtime",
    "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull", "null",
    "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay",
    "placing", "position", "precision", "primary", "real", "references", "returning", "right", "row",
    "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing", "treat",
    "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
    "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists",
    "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable"};

const std::string* get(const Properties& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() ? nullptr : &it->second;
}

bool is_true(const Properties& p, const char* key) {
  const auto* value = get(p, key);
  return value != nullptr && *value == "true";
}





void comment_on(std::ostream& out, const std::string& what, const Properties& p) {
  if (const auto* comment = get(p, "comment")) out << "COMMENT ON " << what << " IS " << sql_literal(*comment) << ";\n";
}

// One GRANT per "grantee=PRIVILEGE[ WITH GRANT OPTION]" item of the privileges property.
void grants(std::ostream& out, const std::string& object, const Properties& p, const std::string& columns = "") {
  const auto* privileges = get(p, "privileges");
  if (privileges == nullptr) return;
  if (*privileges == "none") {
    out << "REVOKE ALL" << columns << " ON " << object << " FROM PUBLIC;\n";
    return;
  }
  for (const auto& item : util::split(*privileges, ',')) {
    std::string entry(util::trim(item));
    const auto eq = entry.rfind('=');
    if (eq == std::string::npos) continue;
    std::string privilege = entry.substr(eq + 1);
    std::string option;
    const std::string k_option = " WITH GRANT OPTION";
    if (util::ends_with(privilege, k_option)) {
      privilege.resize(privilege.size() - k_option.size());
      option = k_option;
    }
    out << "GRANT " << privilege << columns << " ON " << object << " TO " << entry.substr(0, eq) << option << ";\n";
  }
}

class Renderer {
 public:
  explicit Renderer(const SchemaModel& model) : m_model(model) {}

  std::string render() {
    for (const auto& [id, p] : m_model.objects) {
      if (id.kind == Kind::schema) schema(id, p);
    }
    for (const auto& [id, p] : m_model.objects) {
      if (id.kind == Kind::extension) extension(id, p);
    }
    for (Kind kind : {Kind::enum_type, Kind::domain, Kind::composite_type, Kind::sequence, Kind::table, Kind::view,
                      Kind::materialized_view, Kind::function, Kind::procedure}) {
      for (const auto& [id, p] : m_model.objects) {
        if (id.kind != kind || !id.table.empty()) continue;
        top_level(id, p);
      }
    }
    return m_out.str();
  }

 private:
  void begin() {
    if (m_out.tellp() > 0) m_out << "\n";
  }

  // Sub-objects of `parent` of one kind. The model is sorted by (schema, table, kind, name), so
  // they are one contiguous run: found by lookup, not by scanning the model (which made large
  // schemas quadratic).
  std::vector<std::pair<ObjectId, Properties>> children(const ObjectId& parent, Kind kind) const {
    std::vector<std::pair<ObjectId, Properties>> out;
    const ObjectId first{kind, parent.schema, "", parent.name};
    for (auto it = m_model.objects.lower_bound(first); it != m_model.objects.end(); ++it) {
      const ObjectId& id = it->first;
      if (id.schema != parent.schema || id.table != parent.name || id.kind != kind) break;
      out.emplace_back(id, it->second);
    }
    return out;
  }

  void schema(const ObjectId& id, const Properties& p) {
    begin();
    const auto name = quote_name(id.name);
    m_out << "CREATE SCHEMA " << name << ";\n";
    comment_on(m_out, "SCHEMA " + name, p);
    grants(m_out, "SCHEMA " + name, p);
  }

  void extension(const ObjectId& id, const Properties& p) {
    begin();
    m_out << "CREATE EXTENSION " << quote_name(id.name);
    if (const auto* schema = get(p, "schema")) m_out << " WITH SCHEMA " << quote_name(*schema);
    if (const auto* version = get(p, "version")) m_out << " VERSION " << sql_literal(*version);
    m_out << ";\n";
  }

  void top_level(const ObjectId& id, const Properties& p) {
    begin();
    const auto name = qualified_name(id.schema, id.name);
    switch (id.kind) {
      case Kind::enum_type:
        m_out << "CREATE TYPE " << name << " AS ENUM (" << value(p, "labels") << ");\n";
        comment_on(m_out, "TYPE " + name, p);
        grants(m_out, "TYPE " + name, p);
        break;
      case Kind::domain:
        domain(name, p);
        break;
      case Kind::composite_type:
        m_out << "CREATE TYPE " << name << " AS (" << value(p, "attributes") << ");\n";
        comment_on(m_out, "TYPE " + name, p);
        break;
      case Kind::sequence:
        sequence(name, p);
        break;
      case Kind::table:
        table(id, name, p);
        break;
      case Kind::view:
      case Kind::materialized_view:
        view(id, name, p);
        break;
      case Kind::function:
      case Kind::procedure:
        routine(id, p);
        break;
      default:
        break;
    }
  }

  static std::string value(const Properties& p, const char* key) {
    const auto* v = get(p, key);
    return v == nullptr ? "" : *v;
  }

  void domain(const std::string& name, const Properties& p) {
    m_out << "CREATE DOMAIN " << name << " AS " << value(p, "type");
    if (const auto* collation = get(p, "collation")) m_out << " COLLATE " << *collation;
    if (const auto* def = get(p, "default")) m_out << " DEFAULT " << *def;
    if (is_true(p, "not_null")) m_out << " NOT NULL";
    if (const auto* checks = get(p, "checks")) {
      for (const auto& check : util::split(*checks, '\n')) m_out << "\n    " << check;
    }
    m_out << ";\n";
    comment_on(m_out, "DOMAIN " + name, p);
    grants(m_out, "DOMAIN " + name, p);
  }

  void sequence(const std::string& name, const Properties& p) {
    m_out << "CREATE SEQUENCE " << name;
    if (const auto* type = get(p, "type")) m_out << " AS " << *type;
    if (const auto* v = get(p, "start")) m_out << " START WITH " << *v;
    if (const auto* v = get(p, "increment")) m_out << " INCREMENT BY " << *v;
    if (const auto* v = get(p, "min")) m_out << " MINVALUE " << *v;
    if (const auto* v = get(p, "max")) m_out << " MAXVALUE " << *v;
    if (const auto* v = get(p, "cache")) m_out << " CACHE " << *v;
    if (is_true(p, "cycle")) m_out << " CYCLE";
    m_out << ";\n";
    if (const auto* owner = get(p, "owned_by")) m_out << "ALTER SEQUENCE " << name << " OWNED BY " << *owner << ";\n";
    comment_on(m_out, "SEQUENCE " + name, p);
    grants(m_out, "SEQUENCE " + name, p);
  }

  static long position_of(const Properties& p) {
    const auto* position = get(p, "position");
    return position == nullptr ? 0 : std::stol(*position);
  }



  void table(const ObjectId& id, const std::string& name, const Properties& p) {
    auto columns = children(id, Kind::column);
    std::stable_sort(columns.begin(), columns.end(),
                     [](const auto& a, const auto& b) { return position_of(a.second) < position_of(b.second); });
    const auto constraints = children(id, Kind::constraint);
    const bool partition = value(p, "kind") == "partition";

    m_out << "CREATE " << (is_true(p, "unlogged") ? "UNLOGGED " : "") << "TABLE " << name;
    std::vector<std::string> lines;
    for (const auto& [column, cp] : columns) lines.push_back(column_definition(column, cp, true));
    for (const auto& [constraint, cp] : constraints) {
      lines.push_back("CONSTRAINT " + quote_name(constraint.name) + " " + value(cp, "definition") +
                      (is_true(cp, "deferrable") && value(cp, "definition").find("DEFERRABLE") == std::string::npos
                           ? std::string(" DEFERRABLE") + (is_true(cp, "deferred") ? " INITIALLY DEFERRED" : "")
                           : ""));
    }
    if (partition) {
      m_out << " PARTITION OF " << value(p, "partition_of");
      if (!lines.empty()) m_out << " (\n    " << util::join(lines, ",\n    ") << "\n)";
      m_out << " " << value(p, "partition_bound");
    } else if (lines.empty()) {
      m_out << " ()";
    } else {
      m_out << " (\n    " << util::join(lines, ",\n    ") << "\n)";
    }
    if (const auto* inherits = get(p, "inherits")) m_out << " INHERITS (" << *inherits << ")";
    if (const auto* key = get(p, "partition_key")) m_out << " PARTITION BY " << *key;
    if (const auto* options = get(p, "options")) m_out << " WITH (" << *options << ")";
    m_out << ";\n";

    if (is_true(p, "rls_enabled")) m_out << "ALTER TABLE " << name << " ENABLE ROW LEVEL SECURITY;\n";
    if (is_true(p, "rls_forced")) m_out << "ALTER TABLE " << name << " FORCE ROW LEVEL SECURITY;\n";
    for (const auto& [column, cp] : columns) {
      if (const auto* storage = get(cp, "storage")) {
        m_out << "ALTER TABLE " << name << " ALTER COLUMN " << quote_name(column.name) << " SET STORAGE " << *storage << ";\n";
      }
      if (const auto* compression = get(cp, "compression")) {
        m_out << "ALTER TABLE " << name << " ALTER COLUMN " << quote_name(column.name) << " SET COMPRESSION "
              << *compression << ";\n";
      }
    }
    sub_objects(id, name);
    comment_on(m_out, "TABLE " + name, p);
    for (const auto& [column, cp] : columns) comment_on(m_out, "COLUMN " + name + "." + quote_name(column.name), cp);
    for (const auto& [constraint, cp] : constraints) {
      comment_on(m_out, "CONSTRAINT " + quote_name(constraint.name) + " ON " + name, cp);
    }
    grants(m_out, "TABLE " + name, p);
    for (const auto& [column, cp] : columns) grants(m_out, "TABLE " + name, cp, " (" + quote_name(column.name) + ")");
  }

  // Indexes, triggers and policies of a table or materialized view.
  void sub_objects(const ObjectId& id, const std::string& name) {
    for (const auto& [index, p] : children(id, Kind::index)) {
      const auto index_name = qualified_name(id.schema, index.name);
      m_out << "CREATE " << (is_true(p, "unique") ? "UNIQUE " : "") << "INDEX " << quote_name(index.name) << " ON "
            << name << " " << value(p, "definition") << ";\n";
      if (value(p, "valid") == "false") m_out << "-- " << index_name << " is INVALID (a failed CREATE INDEX CONCURRENTLY?)\n";
      comment_on(m_out, "INDEX " + index_name, p);
    }
    for (const auto& [trigger, p] : children(id, Kind::trigger)) {
      m_out << without_semicolon(value(p, "definition")) << ";\n";
      const auto enabled = value(p, "enabled");
      const auto trigger_name = quote_name(trigger.name);
      if (enabled == "disabled") m_out << "ALTER TABLE " << name << " DISABLE TRIGGER " << trigger_name << ";\n";
      if (enabled == "replica") m_out << "ALTER TABLE " << name << " ENABLE REPLICA TRIGGER " << trigger_name << ";\n";
      if (enabled == "always") m_out << "ALTER TABLE " << name << " ENABLE ALWAYS TRIGGER " << trigger_name << ";\n";
      comment_on(m_out, "TRIGGER " + trigger_name + " ON " + name, p);
    }
    for (const auto& [policy, p] : children(id, Kind::policy)) {
      m_out << "CREATE POLICY " << quote_name(policy.name) << " ON " << name;
      if (value(p, "permissive") == "false") m_out << " AS RESTRICTIVE";
      if (const auto* command = get(p, "command")) m_out << " FOR " << *command;
      if (const auto* roles = get(p, "roles")) m_out << " TO " << *roles;
      if (const auto* expr = get(p, "using")) m_out << " USING " << parenthesized(*expr);
      if (const auto* expr = get(p, "with_check")) m_out << " WITH CHECK " << parenthesized(*expr);
      m_out << ";\n";
      comment_on(m_out, "POLICY " + quote_name(policy.name) + " ON " + name, p);
    }
  }

  void view(const ObjectId& id, const std::string& name, const Properties& p) {
    const bool materialized = id.kind == Kind::materialized_view;
    const std::string what = materialized ? "MATERIALIZED VIEW" : "VIEW";
    m_out << "CREATE " << what << " " << name;
    if (const auto* options = get(p, "options")) m_out << " WITH (" << *options << ")";
    m_out << " AS\n" << without_semicolon(value(p, "definition")) << ";\n";
    if (materialized) sub_objects(id, name);
    comment_on(m_out, what + " " + name, p);
    grants(m_out, "TABLE " + name, p);
  }

  void routine(const ObjectId& id, const Properties& p) {
    m_out << without_semicolon(value(p, "definition")) << ";\n";
    const std::string what = id.kind == Kind::procedure ? "PROCEDURE " : "FUNCTION ";
    const auto paren = id.name.find('(');
    const auto signature = qualified_name(id.schema, id.name.substr(0, paren)) +
                           (paren == std::string::npos ? "" : id.name.substr(paren));
    comment_on(m_out, what + signature, p);
    grants(m_out, what + signature, p);
  }

  const SchemaModel& m_model;
  std::ostringstream m_out;
};

}  // namespace

std::string quote_name(const std::string& name) {
  bool plain = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$')) plain = false;
  }
  if (plain && k_reserved.count(name) == 0) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

std::string to_text(const SchemaModel& model) { return Renderer(model).render(); }

std::string sql_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  // quote_literal's E'' form: a backslash must not start an escape when the setting is off.
  return text.find('\\') == std::string::npos ? out : "E" + util::join(util::split(out, '\\'), "\\\\");
}

std::string qualified_name(const std::string& schema, const std::string& name) {
  return schema.empty() ? quote_name(name) : quote_name(schema) + "." + quote_name(name);
}

std::string parenthesized(const std::string& expr) {
  return !expr.empty() && expr.front() == '(' && expr.back() == ')' ? expr : "(" + expr + ")";
}

std::string without_semicolon(std::string text) {
  while (!text.empty() && (text.back() == ';' || text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string column_definition(const ObjectId& id, const Properties& p, bool with_not_null) {
  const auto value = [&p](const char* key) {
    auto it = p.find(key);
    return it == p.end() ? std::string() : it->second;
  };
  std::string line = quote_name(id.name) + " " + value("type");
  if (p.count("collation") != 0) line += " COLLATE " + value("collation");
  if (p.count("identity") != 0) {
    line += std::string(" GENERATED ") + (value("identity") == "always" ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY";
    if (p.count("identity_sequence") != 0) line += " (" + value("identity_sequence") + ")";
  }
  if (p.count("generated") != 0) line += " GENERATED ALWAYS AS " + parenthesized(value("generated")) + " STORED";
  if (p.count("default") != 0) line += " DEFAULT " + value("default");
  if (with_not_null && value("not_null") == "true") line += " NOT NULL";
  return line;
}

}  // namespace pgdrift::catalog
