// Renames: a table or column that compare() pairs as renamed (same columns / same type and place)
// is healed with ALTER TABLE … RENAME, which keeps its data, instead of a DROP and an ADD, which
// lose it. The rest of the healing starts from `from` as the rename leaves it.

#include <cctype>
#include <map>

#include "heal_plan.hpp"
#include "pgdrift/catalog/render.hpp"
#include "pgdrift/diff/compare.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::diff::healing {

namespace {

using catalog::quote_name;

const char* const k_caution =
    "a rename keeps the data, but code that reads the old name breaks: deploy it with the code "
    "that reads the new one";

bool identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// `text` with each whole-token mention of `old_name` (as mentions() finds them) replaced.
std::string replace_mentions(const std::string& text, const std::string& old_name,
                             const std::string& new_name, bool qualified_ok) {
  std::string out;
  std::size_t copied = 0;
  for (auto at = text.find(old_name); at != std::string::npos; at = text.find(old_name, at + 1)) {
    const bool starts = at == 0 || !(identifier_char(text[at - 1]) ||
                                     (text[at - 1] == '.' && !qualified_ok) || text[at - 1] == '"');
    const std::size_t after = at + old_name.size();
    const bool ends = after >= text.size() || !identifier_char(text[after]) ||
                      !identifier_char(old_name.back());
    if (!starts || !ends || at < copied) continue;
    out += text.substr(copied, at - copied) + new_name;
    copied = after;
  }
  return out + text.substr(copied);
}

// Applies `rename` to every identity of `model`, and `rewrite` to every property value of the
// objects `touches` selects.
template <typename Rename, typename Touches, typename Rewrite>
void transform(SchemaModel& model, Rename rename, Touches touches, Rewrite rewrite) {
  std::map<ObjectId, Properties> objects;
  for (auto& [id, properties] : model.objects) {
    ObjectId renamed = rename(id);
    if (touches(renamed)) {
      for (auto& entry : properties) entry.second = rewrite(entry.second);
    }
    objects.emplace(std::move(renamed), std::move(properties));
  }
  model.objects = std::move(objects);
}

void rename_table(Renames& out, const SchemaModel& to, const ObjectId& old_table,
                  const ObjectId& new_table) {
  const std::string& schema = old_table.schema;
  out.steps.push_back(HealStep{new_table,
                               "ALTER TABLE " + qualified(schema, old_table.name) + " RENAME TO " +
                                   quote_name(new_table.name) + ";",
                               false});
  out.steps.back().caution = k_caution;
  const std::string old_name = qualified(schema, old_table.name);
  const std::string new_name = qualified(schema, new_table.name);
  transform(
      out.from,
      [&](const ObjectId& id) {
        ObjectId renamed = id;
        if (id.schema == schema && id.table == old_table.name) renamed.table = new_table.name;
        if (id == old_table) renamed.name = new_table.name;
        return renamed;
      },
      [](const ObjectId&) { return true; },
      [&](const std::string& text) { return replace_mentions(text, old_name, new_name, false); });
  // Auto-named constraints and indexes ("client_pkey") take the new table's name, as `to` has them.
  const std::string prefix = old_table.name + "_";
  std::vector<std::pair<ObjectId, ObjectId>> subs;
  for (const auto& [id, properties] : out.from.objects) {
    if ((id.kind != Kind::constraint && id.kind != Kind::index) || id.schema != schema ||
        id.table != new_table.name || !util::starts_with(id.name, prefix)) {
      continue;
    }
    ObjectId wanted = id;
    wanted.name = new_table.name + "_" + id.name.substr(prefix.size());
    if (to.objects.count(wanted) != 0 && out.from.objects.count(wanted) == 0)
      subs.emplace_back(id, wanted);
  }
  for (const auto& [id, wanted] : subs) {
    out.steps.push_back(HealStep{
        wanted,
        id.kind == Kind::constraint
            ? "ALTER TABLE " + new_name + " RENAME CONSTRAINT " + quote_name(id.name) + " TO " +
                  quote_name(wanted.name) + ";"
            : "ALTER INDEX " + qualified(schema, id.name) + " RENAME TO " +
                  quote_name(wanted.name) + ";",
        false});
    auto node = out.from.objects.extract(id);
    node.key() = wanted;
    out.from.objects.insert(std::move(node));
  }
}

void rename_column(Renames& out, const ObjectId& old_column, const ObjectId& new_column) {
  out.steps.push_back(HealStep{new_column,
                               "ALTER TABLE " + owner_name(old_column) + " RENAME COLUMN " +
                                   quote_name(old_column.name) + " TO " +
                                   quote_name(new_column.name) + ";",
                               false});
  out.steps.back().caution = k_caution;
  const std::string old_name = quote_name(old_column.name);
  const std::string new_name = quote_name(new_column.name);
  transform(
      out.from, [&](const ObjectId& id) { return id == old_column ? new_column : id; },
      // The table's own expressions name the column unqualified (or after the table's name).
      [&](const ObjectId& id) {
        return id.schema == old_column.schema && id.table == old_column.table;
      },
      [&](const std::string& text) { return replace_mentions(text, old_name, new_name, true); });
}

}  // namespace

Renames apply_renames(const SchemaModel& from, const SchemaModel& to) {
  Renames out;
  out.from = from;
  for (const auto& difference : compare(to, from)) {
    if (difference.change != Change::renamed || !difference.renamed_from) continue;
    if (difference.id.kind == Kind::table) {
      rename_table(out, to, *difference.renamed_from, difference.id);
    } else if (difference.id.kind == Kind::column) {
      rename_column(out, *difference.renamed_from, difference.id);
    }
  }
  return out;
}

}  // namespace pgdrift::diff::healing
