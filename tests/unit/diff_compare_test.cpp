#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "pgdrift/diff/compare.hpp"

namespace pgdrift::diff {
namespace {

using catalog::Kind;
using catalog::ObjectId;
using catalog::Properties;
using catalog::SchemaModel;

ObjectId table(const std::string& name) { return {Kind::table, "public", name, ""}; }
ObjectId column(const std::string& owner, const std::string& name) {
  return {Kind::column, "public", name, owner};
}
ObjectId constraint(const std::string& owner, const std::string& name) {
  return {Kind::constraint, "public", name, owner};
}
ObjectId index(const std::string& owner, const std::string& name) {
  return {Kind::index, "public", name, owner};
}

// Two tables, the kinds of sub-objects the heuristics look at, and a function.
SchemaModel base() {
  SchemaModel m;
  m.add(table("users"), {{"kind", "table"}, {"comment", "people"}});
  m.add(column("users", "id"), {{"type", "bigint"}, {"not_null", "true"}, {"position", "1"}});
  m.add(column("users", "email"), {{"type", "text"}, {"not_null", "false"}, {"position", "2"}});
  m.add(column("users", "name"), {{"type", "text"}, {"not_null", "false"}, {"position", "3"}});
  m.add(constraint("users", "users_pkey"),
        {{"type", "primary key"}, {"definition", "PRIMARY KEY (id)"}, {"deferrable", "false"}});
  m.add(constraint("users", "users_email_key"),
        {{"type", "unique"}, {"definition", "UNIQUE (email)"}, {"deferrable", "false"}});
  m.add(index("users", "users_name_idx"),
        {{"definition", "USING btree (name)"}, {"unique", "false"}});
  m.add(table("orders"), {{"kind", "table"}});
  m.add(column("orders", "id"), {{"type", "bigint"}, {"position", "1"}});
  m.add(column("orders", "user_id"), {{"type", "bigint"}, {"position", "2"}});
  m.add(constraint("orders", "orders_user_fk"),
        {{"type", "foreign key"},
         {"definition", "FOREIGN KEY (user_id) REFERENCES public.users(id)"}});
  m.add({Kind::function, "public", "touch()", ""}, {{"language", "plpgsql"}});
  return m;
}

// Moves an object to a new identity, keeping its properties.
void rename(SchemaModel& m, const ObjectId& from, const ObjectId& to) {
  m.add(to, m.objects.at(from));
  m.objects.erase(from);
}

// Renames a table with every sub-object.
void rename_table(SchemaModel& m, const std::string& from, const std::string& to) {
  rename(m, table(from), table(to));
  std::vector<ObjectId> subs;
  for (const auto& entry : m.objects) {
    if (entry.first.table == from) subs.push_back(entry.first);
  }
  for (auto id : subs) {
    const ObjectId old_id = id;
    id.table = to;
    rename(m, old_id, id);
  }
}

void erase_table(SchemaModel& m, const std::string& name) {
  for (auto it = m.objects.begin(); it != m.objects.end();) {
    it = (it->first.name == name && it->first.kind == Kind::table) || it->first.table == name
             ? m.objects.erase(it)
             : std::next(it);
  }
}

std::string show(const Difference& d) {
  std::string out = to_string(d.change) + " " + d.id.display();
  if (d.renamed_from) out += " from " + d.renamed_from->display();
  if (d.change == Change::changed) {
    out += " " + d.property + ": " + d.expected.value_or("(none)") + " -> " +
           d.actual.value_or("(none)");
  }
  return out;
}

std::vector<std::string> show(const std::vector<Difference>& differences) {
  std::vector<std::string> out;
  for (const auto& d : differences) out.push_back(show(d));
  return out;
}

using Edit = std::function<void(SchemaModel&)>;
const Edit k_none = [](SchemaModel&) {};

struct Case {
  const char* name;
  Edit edit_expected;  // applied to base()
  Edit edit_actual;    // applied to base()
  // Built when the case runs: a CompareOptions (it holds a std::set) inside these aggregate
  // tables trips GCC 12's -Wmaybe-uninitialized at -O2. Empty = the defaults.
  std::function<CompareOptions()> options;
  std::vector<std::string> want;
};

CompareOptions options_of(const Case& c) { return c.options ? c.options() : CompareOptions{}; }

CompareOptions with_informational(std::set<std::string> names) {
  CompareOptions options;
  options.include_informational = std::move(names);
  return options;
}

CompareOptions without_heuristics() {
  CompareOptions options;
  options.match_auto_named_constraints = false;
  options.detect_renames = false;
  return options;
}

TEST(DiffCompare, ReportsWhatAUserWouldCallDrift) {
  const Case cases[] = {
      {"identical", k_none, k_none, {}, {}},
      {"missing column",
       k_none,
       [](SchemaModel& m) { m.objects.erase(column("users", "email")); },
       {},
       {"missing column public.users.email"}},
      {"unexpected index (user-named)",
       k_none,
       [](SchemaModel& m) {
         m.add(index("orders", "orders_by_user"), {{"definition", "USING btree (user_id)"}});
       },
       {},
       {"unexpected index public.orders.orders_by_user"}},
      {"changed: one difference per property, absent = (none)",
       k_none,
       [](SchemaModel& m) {
         m.objects[column("users", "email")]["type"] = "character varying(20)";
         m.objects[column("users", "email")].erase("not_null");
         m.objects[column("users", "email")]["default"] = "''::text";
       },
       {},
       {"changed column public.users.email default: (none) -> ''::text",
        "changed column public.users.email not_null: false -> (none)",
        "changed column public.users.email type: text -> character varying(20)"}},
      {"informational ignored",
       k_none,
       [](SchemaModel& m) {
         m.objects[table("users")]["comment"] = "humans";
         m.objects[table("users")]["privileges"] = "PUBLIC=SELECT";
         m.objects[column("users", "email")]["position"] = "7";
       },
       {},
       {}},
      {"informational included on request",
       k_none,
       [](SchemaModel& m) {
         m.objects[table("users")]["comment"] = "humans";
         m.objects[table("users")]["privileges"] = "PUBLIC=SELECT";
       },
       [] { return with_informational({"comment"}); },
       {"changed table public.users comment: people -> humans"}},
      {"missing table covers its sub-objects",
       k_none,
       [](SchemaModel& m) { erase_table(m, "users"); },
       {},
       {"missing table public.users"}},
      {"unexpected materialized view covers its index",
       k_none,
       [](SchemaModel& m) {
         m.add({Kind::materialized_view, "public", "totals", ""}, {{"definition", "SELECT 1"}});
         m.add(index("totals", "totals_idx"), {{"definition", "USING btree (x)"}});
       },
       {},
       {"unexpected materialized view public.totals"}},
  };
  for (const auto& c : cases) {
    SchemaModel expected = base();
    SchemaModel actual = base();
    c.edit_expected(expected);
    c.edit_actual(actual);
    EXPECT_EQ(c.want, show(compare(expected, actual, options_of(c)))) << c.name;
  }
}

TEST(DiffCompare, MatchesAutoNamedConstraintsAndIndexesByDefinition) {
  const auto rename_email_key = [](const std::string& to) {
    return [to](SchemaModel& m) {
      rename(m, constraint("users", "users_email_key"), constraint("users", to));
    };
  };
  const Case cases[] = {
      {"auto name with a number suffix", k_none, rename_email_key("users_email_key1"), {}, {}},
      {"auto name on one side only", k_none, rename_email_key("users_email_unique"), {}, {}},
      {"auto name, other definition",
       k_none,
       [](SchemaModel& m) {
         rename(m, constraint("users", "users_email_key"), constraint("users", "users_email_key1"));
         m.objects[constraint("users", "users_email_key1")]["definition"] = "UNIQUE (email, id)";
       },
       {},
       {"missing constraint public.users.users_email_key",
        "unexpected constraint public.users.users_email_key1"}},
      {"auto name, other property differs: reported under the expected name",
       k_none,
       [](SchemaModel& m) {
         rename(m, constraint("users", "users_email_key"), constraint("users", "users_email_key1"));
         m.objects[constraint("users", "users_email_key1")]["deferrable"] = "true";
       },
       {},
       {"changed constraint public.users.users_email_key deferrable: false -> true"}},
      {"user-named on both sides",
       k_none,
       [](SchemaModel& m) {
         rename(m, constraint("orders", "orders_user_fk"), constraint("orders", "orders_owner_fk"));
       },
       {},
       {"unexpected constraint public.orders.orders_owner_fk",
        "missing constraint public.orders.orders_user_fk"}},
      {"matching turned off",
       k_none,
       rename_email_key("users_email_key1"),
       without_heuristics,
       {"missing constraint public.users.users_email_key",
        "unexpected constraint public.users.users_email_key1"}},
      {"auto-named index",
       k_none,
       [](SchemaModel& m) {
         rename(m, index("users", "users_name_idx"), index("users", "users_name_idx1"));
       },
       {},
       {}},
      {"auto-named index, unique differs",
       k_none,
       [](SchemaModel& m) {
         rename(m, index("users", "users_name_idx"), index("users", "users_name_idx1"));
         m.objects[index("users", "users_name_idx1")]["unique"] = "true";
       },
       {},
       {"missing index public.users.users_name_idx",
        "unexpected index public.users.users_name_idx1"}},
      {"same definition on another table",
       k_none,
       [](SchemaModel& m) {
         m.objects.erase(constraint("users", "users_email_key"));
         m.add(constraint("orders", "orders_email_key"),
               {{"type", "unique"}, {"definition", "UNIQUE (email)"}, {"deferrable", "false"}});
       },
       {},
       {"unexpected constraint public.orders.orders_email_key",
        "missing constraint public.users.users_email_key"}},
  };
  for (const auto& c : cases) {
    SchemaModel expected = base();
    SchemaModel actual = base();
    c.edit_expected(expected);
    c.edit_actual(actual);
    EXPECT_EQ(c.want, show(compare(expected, actual, options_of(c)))) << c.name;
  }
}

TEST(DiffCompare, PairsLikelyRenamesOneToOne) {
  const auto rename_name_column = [](SchemaModel& m) {
    rename(m, column("users", "name"), column("users", "full_name"));
  };
  const Case cases[] = {
      {"column: same type and position",
       k_none,
       rename_name_column,
       {},
       {"renamed column public.users.name from column public.users.full_name"}},
      {"column: other properties still compared",
       k_none,
       [&](SchemaModel& m) {
         rename_name_column(m);
         m.objects[column("users", "full_name")]["not_null"] = "true";
       },
       {},
       {"renamed column public.users.name from column public.users.full_name",
        "changed column public.users.name not_null: false -> true"}},
      {"column: other type",
       k_none,
       [&](SchemaModel& m) {
         rename_name_column(m);
         m.objects[column("users", "full_name")]["type"] = "character varying(50)";
       },
       {},
       {"unexpected column public.users.full_name", "missing column public.users.name"}},
      {"column: other position",
       k_none,
       [&](SchemaModel& m) {
         rename_name_column(m);
         m.objects[column("users", "full_name")]["position"] = "4";
       },
       {},
       {"unexpected column public.users.full_name", "missing column public.users.name"}},
      {"column: ambiguous (two candidates)",
       k_none,
       [&](SchemaModel& m) {
         rename_name_column(m);
         m.add(column("users", "nick"), {{"type", "text"}, {"position", "3"}});
       },
       {},
       {"unexpected column public.users.full_name", "missing column public.users.name",
        "unexpected column public.users.nick"}},
      {"column: renames turned off",
       k_none,
       rename_name_column,
       without_heuristics,
       {"unexpected column public.users.full_name", "missing column public.users.name"}},
      {"table: same columns, sub-objects not reported",
       k_none,
       [](SchemaModel& m) { rename_table(m, "orders", "purchases"); },
       {},
       {"renamed table public.orders from table public.purchases"}},
      {"table: a column type differs",
       k_none,
       [](SchemaModel& m) {
         rename_table(m, "orders", "purchases");
         m.objects[column("purchases", "user_id")]["type"] = "integer";
       },
       {},
       {"missing table public.orders", "unexpected table public.purchases"}},
      {"table: ambiguous (two candidates)",
       k_none,
       [](SchemaModel& m) {
         SchemaModel copy = m;
         rename_table(m, "orders", "purchases");
         rename_table(copy, "orders", "sales");
         for (const auto& entry : copy.objects) m.objects.insert(entry);
       },
       {},
       {"missing table public.orders", "unexpected table public.purchases",
        "unexpected table public.sales"}},
  };
  for (const auto& c : cases) {
    SchemaModel expected = base();
    SchemaModel actual = base();
    c.edit_expected(expected);
    c.edit_actual(actual);
    EXPECT_EQ(c.want, show(compare(expected, actual, options_of(c)))) << c.name;
  }
}

TEST(DiffCompare, SortsByIdentityThenProperty) {
  SchemaModel expected = base();
  expected.add({Kind::schema, "", "billing", ""}, {});
  SchemaModel actual = base();
  actual.add({Kind::table, "audit", "log", ""}, {{"kind", "table"}});
  actual.objects[column("users", "id")]["type"] = "integer";
  actual.objects[column("users", "id")]["default"] = "0";
  actual.objects.erase({Kind::function, "public", "touch()", ""});
  actual.objects[table("orders")]["unlogged"] = "true";
  const std::vector<std::string> want = {
      "missing schema billing",
      "unexpected table audit.log",
      "changed table public.orders unlogged: (none) -> true",
      "missing function public.touch()",
      "changed column public.users.id default: (none) -> 0",
      "changed column public.users.id type: bigint -> integer",
  };
  EXPECT_EQ(want, show(compare(expected, actual)));
  EXPECT_EQ(want, show(compare(expected, actual)));  // the same input, the same bytes
}

TEST(DiffCompare, ChangeNames) {
  EXPECT_EQ("missing", to_string(Change::missing));
  EXPECT_EQ("unexpected", to_string(Change::unexpected));
  EXPECT_EQ("changed", to_string(Change::changed));
  EXPECT_EQ("renamed", to_string(Change::renamed));
}

}  // namespace
}  // namespace pgdrift::diff
