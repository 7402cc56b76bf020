#include "pgdrift/diff/findings.hpp"

#include <algorithm>
#include <optional>

#include "pgdrift/catalog/render.hpp"
#include "pgdrift/diff/heal.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff {

namespace {

std::string slug(catalog::Kind kind) {
  auto text = catalog::to_string(kind);
  std::replace(text.begin(), text.end(), ' ', '-');
  return text;
}

std::string value_text(const std::optional<std::string>& value) {
  if (!value) return "not set";
  return value->find('\n') == std::string::npos ? *value : "\n" + *value + "\n";
}

std::string qualified_table(const catalog::ObjectId& id) {
  return catalog::quote_name(id.schema) + "." + catalog::quote_name(id.table.empty() ? id.name : id.table);
}

// A rename is one statement; anything else comes from the healing plan.
std::string rename_sql(const Difference& d) {
  if (!d.renamed_from) return "";
  if (d.id.kind == catalog::Kind::column) {
    return "ALTER TABLE " + qualified_table(d.id) + " RENAME COLUMN " + catalog::quote_name(d.renamed_from->name) +
           " TO " + catalog::quote_name(d.id.name) + ";";
  }
  if (d.id.kind == catalog::Kind::table) {
    return "ALTER TABLE " + catalog::quote_name(d.id.schema) + "." + catalog::quote_name(d.renamed_from->name) +
           " RENAME TO " + catalog::quote_name(d.id.name) + ";";
  }
  return "";
}

std::string message(const Difference& d, const FindingOptions& o) {
  const std::string object = d.id.display();
  switch (d.change) {
    case Change::missing:
      return o.model ? "the model lacks " + object + ", which the migrations create"
                     : object + " is missing in " + o.target;
    case Change::unexpected:
      return o.model ? "the model declares " + object + " but no migration creates it"
                     : object + " exists in " + o.target + " but no migration creates it";
    case Change::changed:
      return object + ": " + d.property + " is " + value_text(d.actual) + " in " + o.target + ", " +
             value_text(d.expected) + " " + o.reference;
    case Change::renamed:
      return (d.renamed_from ? d.renamed_from->display() : object) + " in " + o.target + " looks renamed to " +
             d.id.name;
  }
  return object;
}

std::string hint(const Difference& d, const FindingOptions& o) {
  if (o.model) {
    return d.change == Change::unexpected ? "add a migration that creates it, or remove it from the model"
                                          : "add it to the model, or write a migration that removes it";
  }
  switch (d.change) {
    case Change::missing: return "apply the migration that creates it to " + o.target + " (see `pgdrift status`)";
    case Change::unexpected:
      return "write a migration for it if it should stay, or drop it from " + o.target;
    case Change::changed: return "align " + o.target + " with the migrations, or write a migration for the change";
    case Change::renamed: return "deploy the rename to " + o.target + " only once no running code reads the old name";
  }
  return "";
}

// Where a reviewer can act on the difference: the line of the migrations (or of the model file)
// that made the object; none for an object only the actual side has, when that is a database.
std::optional<catalog::SourceLine> source_of(const Difference& d, const catalog::SchemaModel& expected,
                                             const catalog::SchemaModel& actual, const FindingOptions& o) {
  const auto from = [&](const catalog::SchemaModel& model, bool created) -> std::optional<catalog::SourceLine> {
    const auto found = model.provenance.find(d.id);
    if (found == model.provenance.end()) return std::nullopt;
    return created ? found->second.created : found->second.changed;
  };
  switch (d.change) {
    case Change::missing: return from(expected, true);
    case Change::changed: return from(expected, false);
    case Change::renamed: return from(expected, false);
    case Change::unexpected: return o.model ? from(actual, true) : std::nullopt;
  }
  return std::nullopt;
}

// The steps as they run: those before the transaction, those in it, those after it.
std::vector<HealStep> in_section_order(std::vector<HealStep> steps) {
  std::stable_sort(steps.begin(), steps.end(),
                   [](const HealStep& a, const HealStep& b) { return a.section < b.section; });
  return steps;
}

}  // namespace

std::string rule_for(const Difference& d) {
  if (d.change == Change::changed) {
    if (d.property == "comment") return "drift/changed-comment";
    if (d.property == "privileges") return "drift/changed-privileges";
    if (d.property == "position") return "drift/changed-column-order";
  }
  return "drift/" + to_string(d.change) + "-" + slug(d.id.kind);
}

Severity default_severity(const Difference& d) {
  if (d.change == Change::changed && d.property == "position") return Severity::notice;
  if (d.change == Change::changed && (d.property == "comment" || d.property == "privileges")) return Severity::warning;
  if (d.change == Change::unexpected && d.id.kind == catalog::Kind::index) return Severity::warning;
  return Severity::error;
}

std::vector<Finding> findings(const std::vector<Difference>& differences, const catalog::SchemaModel& expected,
                              const catalog::SchemaModel& actual, const FindingOptions& options) {
  HealOptions heal_options;
  heal_options.allow_destructive = true;
  const auto steps = heal(actual, expected, heal_options);
  std::vector<Finding> out;
  for (const auto& d : differences) {
    Finding f;
    f.rule = rule_for(d);
    f.severity = default_severity(d);
    f.message = message(d, options);
    f.object = d.id.display();
    if (d.change == Change::changed) f.property = d.property;
    f.target = options.target;
    f.hint = hint(d, options);
    if (const auto source = source_of(d, expected, actual, options)) {
      f.location = Location{source->file, source->line, source->column, 0, 0};
      if (d.change == Change::missing && !options.model) f.message += " (created by " + source->text() + ")";
      if (d.change == Change::changed) f.message += " (last changed by " + source->text() + ")";
    }
    if (d.change == Change::renamed) {
      f.fix = rename_sql(d);
    } else if (!options.model) {
      // A missing table's fix is the whole table: its columns, keys, indexes, triggers, policies
      // and comments (which compare() does not report again on their own).
      const bool whole_table = d.change == Change::missing && d.id.kind == catalog::Kind::table;
      std::vector<std::string> sql;
      for (const auto& step : in_section_order(steps)) {
        if (step.id == d.id ||
            (whole_table && step.id.schema == d.id.schema && step.id.table == d.id.name)) {
          sql.push_back(step.sql);
        }
      }
      f.fix = util::join(sql, "\n");
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::string fix_script(const std::vector<Difference>& reported, const std::vector<Difference>& all,
                       const catalog::SchemaModel& expected, const catalog::SchemaModel& actual) {
  if (reported.empty()) return "";
  const auto is_reported = [&](const catalog::ObjectId& id) {
    return std::any_of(reported.begin(), reported.end(), [&](const Difference& d) { return d.id == id; });
  };
  const auto is_left_out = [&](const catalog::ObjectId& id) {
    return !is_reported(id) &&
           std::any_of(all.begin(), all.end(), [&](const Difference& d) { return d.id == id; });
  };
  // A rename is one statement, not the heal's drop and add: renames first, so later steps see the
  // new names.
  std::vector<std::string> sql;
  std::vector<catalog::ObjectId> renamed;
  for (const auto& d : reported) {
    const std::string rename = rename_sql(d);
    if (rename.empty()) continue;
    sql.push_back(rename);
    renamed.push_back(d.id);
    renamed.push_back(*d.renamed_from);
  }
  HealOptions options;
  options.allow_destructive = true;
  for (const auto& step : in_section_order(heal(actual, expected, options))) {
    if (is_left_out(step.id) || std::find(renamed.begin(), renamed.end(), step.id) != renamed.end()) continue;
    sql.push_back(step.sql);
  }
  return util::join(sql, "\n");
}

}  // namespace pgdrift::diff
