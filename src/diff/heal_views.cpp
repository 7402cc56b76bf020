// Views, materialized views, functions and procedures. Views are dropped dependents first and
// created dependencies first, the order read from which names their definitions mention; a view
// whose columns stay (more may follow) is replaced in place. Routines are created before the
// tables (bodies are not checked, see render_script) unless their signature names a relation:
// those are ordered with the views.

#include <algorithm>

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

bool is_routine(Kind kind) { return kind == Kind::function || kind == Kind::procedure; }
bool is_view(Kind kind) { return kind == Kind::view || kind == Kind::materialized_view; }

// How other definitions mention the object.
std::string reference(const ObjectId& id) {
  return is_routine(id.kind) ? routine_base_name(id) + "(" : qualified(id.schema, id.name);
}

// A routine's definition without its dollar-quoted body: what must exist when it is created.
std::string signature_text(const std::string& definition) {
  const auto as = definition.find("AS $");
  if (as == std::string::npos) return definition;  // a SQL-standard body is parsed when created
  const auto tag_end = definition.find('$', as + 4);
  if (tag_end == std::string::npos) return definition;
  const std::string tag = definition.substr(as + 3, tag_end - as - 2);
  const auto close = definition.find(tag, tag_end + 1);
  return definition.substr(0, as) +
         (close == std::string::npos ? "" : definition.substr(close + tag.size()));
}

// `ids` ordered so that each comes after those its `text` mentions; otherwise in the given order
// (a cycle is broken at the first remaining item).
std::vector<ObjectId> dependency_order(const std::vector<ObjectId>& ids,
                                       const std::vector<std::string>& texts) {
  const std::size_t n = ids.size();
  std::vector<std::vector<std::size_t>> needs(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i != j && mentions(texts[i], reference(ids[j]))) needs[i].push_back(j);
    }
  }
  std::vector<bool> done(n, false);
  std::vector<ObjectId> out;
  while (out.size() < n) {
    bool progressed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      if (std::all_of(needs[i].begin(), needs[i].end(), [&](std::size_t j) { return done[j]; })) {
        done[i] = true;
        out.push_back(ids[i]);
        progressed = true;
      }
    }
    if (!progressed) {
      const auto first = std::find(done.begin(), done.end(), false) - done.begin();
      done[first] = true;
      out.push_back(ids[first]);
    }
  }
  return out;
}

std::string drop_statement(const ObjectId& id) {
  switch (id.kind) {
    case Kind::view:
      return "DROP VIEW " + qualified(id.schema, id.name) + ";";
    case Kind::materialized_view:
      return "DROP MATERIALIZED VIEW " + qualified(id.schema, id.name) + ";";
    case Kind::procedure:
      return "DROP PROCEDURE " + routine_name(id) + ";";
    default:
      return "DROP FUNCTION " + routine_name(id) + ";";
  }
}

std::string create_view(const ObjectId& id, const Properties& p, bool replace) {
  std::string sql = std::string("CREATE ") + (replace ? "OR REPLACE " : "") +
                    (id.kind == Kind::materialized_view ? "MATERIALIZED VIEW " : "VIEW ") +
                    qualified(id.schema, id.name);
  if (const auto* options = get(p, "options")) sql += " WITH (" + *options + ")";
  return sql + " AS\n" + without_semicolon(value(p, "definition")) + ";";
}

void alter_view_options(Plan& plan, const ObjectId& id, const Properties& from,
                        const Properties& to) {
  if (same(&from, to, "options")) return;
  const std::string alter =
      std::string(id.kind == Kind::view ? "ALTER VIEW " : "ALTER MATERIALIZED VIEW ") +
      qualified(id.schema, id.name);
  const auto new_options = split_top_level(value(to, "options"), ',');
  std::vector<std::string> reset;
  for (const auto& item : split_top_level(value(from, "options"), ',')) {
    const std::string option = item.substr(0, item.find('='));
    const bool kept = std::any_of(
        new_options.begin(), new_options.end(),
        [&](const std::string& other) { return other.substr(0, other.find('=')) == option; });
    if (!kept) reset.push_back(option);
  }
  if (!reset.empty())
    plan.add(Phase::views, id, alter + " RESET (" + util::join(reset, ", ") + ");", false);
  if (!new_options.empty())
    plan.add(Phase::views, id, alter + " SET (" + util::join(new_options, ", ") + ");", false);
}

class ViewWriter {
 public:
  explicit ViewWriter(Plan& plan) : m_plan(plan) {}

  void run() {
    drops();
    // Only what is created or replaced needs ordering; the rest gets its comment and grants.
    for (const auto& [id, to] : m_plan.to().objects) {
      if (is_view(id.kind) && created_or_replaced(id, to)) m_late.push_back(id);
      if (is_view(id.kind) && !created_or_replaced(id, to)) write(id, to, Phase::views);
      if (is_routine(id.kind) && (!created_or_replaced(id, to) || !late(to)))
        write(id, to, Phase::functions);
    }
    for (const auto& [id, to] : m_plan.to().objects) {
      if (is_routine(id.kind) && created_or_replaced(id, to) && late(to)) m_late.push_back(id);
    }
    std::vector<std::string> texts;
    for (const auto& id : m_late) {
      const std::string& definition = value(*m_plan.in_to(id), "definition");
      texts.push_back(is_routine(id.kind) ? signature_text(definition) : definition);
    }
    for (const auto& id : dependency_order(m_late, texts))
      write(id, *m_plan.in_to(id), Phase::views);
  }

 private:
  bool created_or_replaced(const ObjectId& id, const Properties& to) const {
    const Properties* from = m_plan.in_from(id);
    return from == nullptr || m_plan.rebuilt(id) || !same(from, to, "definition");
  }

  // Whether a routine's signature or SQL-standard body names one of `to`'s relations.
  bool late(const Properties& routine) {
    if (m_relations.empty()) {
      for (const auto& [id, p] : m_plan.to().objects) {
        if (id.kind == Kind::table || is_view(id.kind))
          m_relations.push_back(qualified(id.schema, id.name));
      }
    }
    const std::string text = signature_text(value(routine, "definition"));
    return std::any_of(m_relations.begin(), m_relations.end(),
                       [&](const std::string& name) { return mentions(text, name); });
  }

  void drops() {
    std::vector<ObjectId> views;
    std::vector<std::string> texts;
    for (const auto& [id, from] : m_plan.from().objects) {
      if (is_view(id.kind) && (m_plan.in_to(id) == nullptr || m_plan.rebuilt(id))) {
        views.push_back(id);
        texts.push_back(value(from, "definition"));
      }
      if (!is_routine(id.kind)) continue;
      if (m_plan.rebuilt(id)) {
        m_plan.add(Phase::drop_early, id, drop_statement(id), true);
      } else if (m_plan.in_to(id) == nullptr) {
        m_plan.add(m_plan.early_drops.count(id) != 0 ? Phase::drop_early : Phase::drop_routines, id,
                   drop_statement(id), true);
      }
    }
    auto order = dependency_order(views, texts);
    std::reverse(order.begin(), order.end());
    for (const auto& id : order) m_plan.add(Phase::drop_views, id, drop_statement(id), changed(id));
  }

  // Whether a view that is dropped is gone, or comes back different: what readers notice. One
  // dropped only to be created again as it was, around a change of what it uses, loses nothing.
  bool changed(const ObjectId& id) const {
    const Properties* from = m_plan.in_from(id);
    const Properties* to = m_plan.in_to(id);
    return from == nullptr || to == nullptr || !is_view(id.kind) ||
           value(*from, "definition") != value(*to, "definition");
  }

  void write(const ObjectId& id, const Properties& to, Phase phase) {
    const Properties* from = m_plan.in_from(id);
    const bool rebuilt = m_plan.rebuilt(id);
    if (from == nullptr || rebuilt) {
      const bool destructive = rebuilt && changed(id);
      m_plan.add(phase, id,
                 is_routine(id.kind) ? without_semicolon(value(to, "definition")) + ";"
                                     : create_view(id, to, false),
                 destructive);
      heal_metadata(m_plan, phase, id, nullptr, to, destructive);
      return;
    }
    if (!same(from, to, "definition")) {
      // Routine definitions are CREATE OR REPLACE already; views here keep their columns.
      m_plan.add(phase, id,
                 is_routine(id.kind) ? without_semicolon(value(to, "definition")) + ";"
                                     : create_view(id, to, true),
                 false);
    } else if (is_view(id.kind)) {
      alter_view_options(m_plan, id, *from, to);
    }
    heal_metadata(m_plan, phase, id, from, to);
  }

  Plan& m_plan;
  std::vector<ObjectId> m_late;  // views and late routines, written in dependency order
  std::vector<std::string> m_relations;
};

}  // namespace

void heal_views(Plan& plan) { ViewWriter(plan).run(); }

}  // namespace pgdrift::diff::healing
