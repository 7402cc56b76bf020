#include <cstdint>
#include <map>
#include <set>
#include <tuple>

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

bool identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

const std::string* get(const Properties& p, const std::string& key) {
  const auto it = p.find(key);
  return it == p.end() ? nullptr : &it->second;
}

std::string value(const Properties& p, const std::string& key) {
  const auto* v = get(p, key);
  return v == nullptr ? std::string() : *v;
}

bool is_true(const Properties& p, const std::string& key) { return value(p, key) == "true"; }

bool same(const Properties* a, const Properties& b, const std::string& key) {
  const std::string* x = a == nullptr ? nullptr : get(*a, key);
  const std::string* y = get(b, key);
  return (x == nullptr && y == nullptr) || (x != nullptr && y != nullptr && *x == *y);
}



std::string owner_name(const ObjectId& id) { return qualified(id.schema, id.table); }

std::string routine_base_name(const ObjectId& id) {
  return qualified(id.schema, id.name.substr(0, id.name.find('(')));
}

std::string routine_name(const ObjectId& id) {
  const auto paren = id.name.find('(');
  return routine_base_name(id) + (paren == std::string::npos ? "()" : id.name.substr(paren));
}



bool mentions(const std::string& text, const std::string& name, bool qualified_ok) {
  if (name.empty()) return false;
  for (auto at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
    const bool starts = at == 0 || !(identifier_char(text[at - 1]) ||
                                     (text[at - 1] == '.' && !qualified_ok) || text[at - 1] == '"');
    const std::size_t after = at + name.size();
    const bool ends =
        after >= text.size() || !identifier_char(text[after]) || !identifier_char(name.back());
    if (starts && ends) return true;
  }
  return false;
}

std::vector<std::string> split_top_level(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (c == separator && depth == 0) {
      parts.emplace_back(util::trim(current));
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  if (!util::trim(current).empty()) parts.emplace_back(util::trim(current));
  return parts;
}

std::pair<std::string, std::string> leading_identifier(const std::string& text) {
  std::size_t end = 0;
  if (!text.empty() && text[0] == '"') {
    end = 1;
    while (end < text.size()) {
      if (text[end] == '"') {
        if (end + 1 < text.size() && text[end + 1] == '"') {
          end += 2;
          continue;
        }
        ++end;
        break;
      }
      ++end;
    }
  } else {
    while (end < text.size() && text[end] != ' ') ++end;
  }
  return {text.substr(0, end), std::string(util::trim(text.substr(end)))};
}

std::string comment_target(const ObjectId& id) {
  const std::string name = qualified(id.schema, id.name);
  switch (id.kind) {
    case Kind::schema:
      return "SCHEMA " + catalog::quote_name(id.name);
    case Kind::extension:
      return "EXTENSION " + catalog::quote_name(id.name);
    case Kind::enum_type:
    case Kind::composite_type:
      return "TYPE " + name;
    case Kind::domain:
      return "DOMAIN " + name;
    case Kind::sequence:
      return "SEQUENCE " + name;
    case Kind::table:
      return "TABLE " + name;
    case Kind::view:
      return "VIEW " + name;
    case Kind::materialized_view:
      return "MATERIALIZED VIEW " + name;
    case Kind::function:
      return "FUNCTION " + routine_name(id);
    case Kind::procedure:
      return "PROCEDURE " + routine_name(id);
    case Kind::column:
      return "COLUMN " + owner_name(id) + "." + catalog::quote_name(id.name);
    case Kind::constraint:
      return "CONSTRAINT " + catalog::quote_name(id.name) + " ON " + owner_name(id);
    case Kind::index:
      return "INDEX " + name;
    case Kind::trigger:
      return "TRIGGER " + catalog::quote_name(id.name) + " ON " + owner_name(id);
    case Kind::policy:
      return "POLICY " + catalog::quote_name(id.name) + " ON " + owner_name(id);
  }
  return name;
}

namespace {

// The object as GRANT names it, and the column list for column grants.
std::pair<std::string, std::string> grant_target(const ObjectId& id) {
  switch (id.kind) {
    case Kind::table:
    case Kind::view:
    case Kind::materialized_view:
      return {"TABLE " + qualified(id.schema, id.name), ""};
    case Kind::column:
      return {"TABLE " + owner_name(id), " (" + catalog::quote_name(id.name) + ")"};
    default:
      return {comment_target(id), ""};
  }
}

// What PUBLIC holds on an object whose ACL was never set.
std::set<std::string> default_privileges(Kind kind) {
  if (kind == Kind::function || kind == Kind::procedure) return {"PUBLIC=EXECUTE"};
  if (kind == Kind::enum_type || kind == Kind::domain) return {"PUBLIC=USAGE"};
  return {};
}

// (grantee, privilege) → grantable, from the model's privileges property (nullptr: defaults).
std::map<std::pair<std::string, std::string>, bool> grants_of(const std::string* privileges,
                                                              Kind kind) {
  std::vector<std::string> items;
  if (privileges == nullptr) {
    const auto defaults = default_privileges(kind);
    items.assign(defaults.begin(), defaults.end());
  } else if (*privileges != "none") {
    items = util::split(*privileges, ',');
  }
  std::map<std::pair<std::string, std::string>, bool> out;
  const std::string k_option = " WITH GRANT OPTION";
  for (const auto& raw : items) {
    std::string item(util::trim(raw));
    const auto eq = item.rfind('=');
    if (eq == std::string::npos) continue;
    std::string privilege = item.substr(eq + 1);
    const bool grantable = util::ends_with(privilege, k_option);
    if (grantable) privilege.resize(privilege.size() - k_option.size());
    out[{item.substr(0, eq), privilege}] = grantable;
  }
  return out;
}

void heal_privileges(Plan& plan, Phase phase, const ObjectId& id, const Properties* from,
                     const Properties& to, bool destructive) {
  const std::string* before = from == nullptr ? nullptr : get(*from, "privileges");
  const std::string* after = get(to, "privileges");
  if (after == nullptr && before == nullptr) return;
  // A column's ACL falls back to NULL when emptied; nothing else can return to NULL (the model
  // then shows what the defaults were as explicit grants).
  const auto old_grants = grants_of(before, id.kind);
  const auto new_grants = grants_of(after, id.kind);
  const auto [object, columns] = grant_target(id);
  // Revoking narrows what roles can do now, except on an object this script creates.
  const bool narrowing = from != nullptr || destructive;
  std::size_t added = 0;
  for (const auto& [key, grantable] : old_grants) {
    const auto it = new_grants.find(key);
    if (it == new_grants.end()) {
      plan.add(phase, id,
               "REVOKE " + key.second + columns + " ON " + object + " FROM " + key.first + ";",
               narrowing);
      ++added;
    } else if (grantable && !it->second) {
      plan.add(phase, id,
               "REVOKE GRANT OPTION FOR " + key.second + columns + " ON " + object + " FROM " +
                   key.first + ";",
               narrowing);
      ++added;
    }
  }
  for (const auto& [key, grantable] : new_grants) {
    const auto it = old_grants.find(key);
    if (it != old_grants.end() && (it->second || !grantable)) continue;
    plan.add(phase, id,
             "GRANT " + key.second + columns + " ON " + object + " TO " + key.first +
                 (grantable ? " WITH GRANT OPTION" : "") + ";",
             destructive);
    ++added;
  }
  if (added == 0 && before == nullptr && after != nullptr && id.kind != Kind::column) {
    // Same grants as the defaults, but written down (an ACL that is no longer NULL): any GRANT
    // or REVOKE writes it.
    if (new_grants.empty()) {
      plan.add(phase, id, "REVOKE ALL ON " + object + " FROM PUBLIC;", destructive);
    } else {
      const auto& [key, grantable] = *new_grants.begin();
      plan.add(phase, id,
               "GRANT " + key.second + " ON " + object + " TO " + key.first +
                   (grantable ? " WITH GRANT OPTION" : "") + ";",
               destructive);
    }
  }
}

}  // namespace

void heal_metadata(Plan& plan, Phase phase, const ObjectId& id, const Properties* from,
                   const Properties& to, bool destructive) {
  if (!same(from, to, "comment")) {
    const auto* comment = get(to, "comment");
    plan.add(phase, id,
             "COMMENT ON " + comment_target(id) + " IS " +
                 (comment == nullptr ? "NULL" : literal(*comment)) + ";",
             destructive);
  }
  heal_privileges(plan, phase, id, from, to, destructive);
}

// ---- sequences ----

bool operator==(const SequenceSettings& a, const SequenceSettings& b) {
  return std::tie(a.type, a.start, a.increment, a.min, a.max, a.cache, a.cycle) ==
         std::tie(b.type, b.start, b.increment, b.min, b.max, b.cache, b.cycle);
}

namespace {

std::pair<std::string, std::string> type_range(const std::string& type) {
  if (type == "smallint") return {std::to_string(INT16_MIN), std::to_string(INT16_MAX)};
  if (type == "integer") return {std::to_string(INT32_MIN), std::to_string(INT32_MAX)};
  return {std::to_string(INT64_MIN), std::to_string(INT64_MAX)};
}

}  // namespace

SequenceSettings sequence_settings(const std::string& type, const std::string& options) {
  std::map<std::string, std::string> given;
  const auto words = util::split(options, ' ');
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "CYCLE") {
      given["CYCLE"] = "true";
    } else if ((word == "START" || word == "INCREMENT") && i + 2 < words.size()) {
      given[word] = words[i + 2];  // START WITH n, INCREMENT BY n
      i += 2;
    } else if ((word == "AS" || word == "MINVALUE" || word == "MAXVALUE" || word == "CACHE") &&
               i + 1 < words.size()) {
      given[word] = words[i + 1];
      ++i;
    }
  }
  auto option = [&](const std::string& key, const std::string& fallback) {
    const auto it = given.find(key);
    return it == given.end() ? fallback : it->second;
  };
  SequenceSettings s;
  s.type = option("AS", type);
  s.increment = option("INCREMENT", "1");
  const bool ascending = s.increment.empty() || s.increment[0] != '-';
  const auto [type_min, type_max] = type_range(s.type);
  s.min = option("MINVALUE", ascending ? "1" : type_min);
  s.max = option("MAXVALUE", ascending ? type_max : "-1");
  s.start = option("START", ascending ? s.min : s.max);
  s.cache = option("CACHE", "1");
  s.cycle = given.count("CYCLE") != 0;
  return s;
}

SequenceSettings sequence_settings(const Properties& p) {
  return {value(p, "type"), value(p, "start"), value(p, "increment"), value(p, "min"),
          value(p, "max"),  value(p, "cache"), is_true(p, "cycle")};
}

std::string sequence_clause(const SequenceSettings& from, const SequenceSettings& to,
                            const std::string& prefix) {
  const bool retyped = from.type != to.type;
  std::vector<std::string> parts;
  if (retyped) parts.push_back(prefix + "AS " + to.type);
  if (from.increment != to.increment) parts.push_back(prefix + "INCREMENT BY " + to.increment);
  // A new type moves limits that were at the old type's bounds: they are always written then.
  if (retyped || from.min != to.min) parts.push_back(prefix + "MINVALUE " + to.min);
  if (retyped || from.max != to.max) parts.push_back(prefix + "MAXVALUE " + to.max);
  if (from.start != to.start) parts.push_back(prefix + "START WITH " + to.start);
  if (from.cache != to.cache) parts.push_back(prefix + "CACHE " + to.cache);
  if (from.cycle != to.cycle) parts.push_back(prefix + (to.cycle ? "CYCLE" : "NO CYCLE"));
  return util::join(parts, " ");
}

std::string create_sequence_clause(const SequenceSettings& s) {
  auto defaults = sequence_settings(s.type, "");
  std::string clause = sequence_clause(defaults, s, "");
  if (s.type != "bigint") clause = "AS " + s.type + (clause.empty() ? "" : " " + clause);
  return clause;
}

bool narrows(const SequenceSettings& from, const SequenceSettings& to) {
  auto number = [](const std::string& text) {
    try {
      return std::stoll(text);
    } catch (...) {
      return 0LL;
    }
  };
  return number(to.max) < number(from.max) || number(to.min) > number(from.min);
}

}  // namespace pgdrift::diff::healing
