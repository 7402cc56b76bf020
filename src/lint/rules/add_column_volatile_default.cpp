#include <set>

#include "pgdrift/util/text.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

bool is_null_constant(const sql::Node& expr) {
  if (expr.is("TypeCast")) return is_null_constant(expr["arg"]);
  return expr.is("A_Const") && expr["isnull"].boolean();
}

// How a default expression is evaluated for the rows already there.
struct DefaultKind {
  std::string volatile_call;  // a known volatile function it calls ("gen_random_uuid")
  std::string unknown_call;   // else a function pgdrift does not know (a user's), as written
};

DefaultKind classify_default(const sql::Node& expr) {
  // Volatile built-ins (and of common extensions) seen in defaults: they give each row its own
  // value, so Postgres must write every row.
  // clang-format off
  static const std::set<std::string> k_volatile = {
      "clock_timestamp", "random", "random_normal", "gen_random_uuid", "gen_random_bytes",
      "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7",
      "timeofday", "nextval", "currval", "lastval", "setseed", "txid_current",
      "pg_current_xact_id"};
  // Immutable or stable built-ins: evaluated once, stored in the catalog, no rewrite (PG 11+).
  static const std::set<std::string> k_not_volatile = {
      "now", "statement_timestamp", "transaction_timestamp", "current_setting",
      "current_database", "current_schema", "timezone", "lower", "upper", "btrim", "ltrim",
      "rtrim", "trim", "concat", "concat_ws", "length", "substr", "substring", "replace", "md5",
      "to_char", "to_date", "to_timestamp", "to_number", "date_trunc", "date_part", "make_date",
      "make_time", "make_timestamp", "make_timestamptz", "make_interval", "jsonb_build_object",
      "jsonb_build_array", "json_build_object", "json_build_array", "to_json", "to_jsonb",
      "array_fill", "abs", "round", "floor", "ceil"};
  // clang-format on
  DefaultKind out;
  expr.walk([&](const sql::Node& node) {
    if (!node.is("FuncCall")) return;
    const auto names = sql::strings(node["funcname"]);
    if (names.empty()) return;
    const std::string& name = names.back();
    const bool builtin =
        names.size() == 1 || names.front() == "pg_catalog" || names.front() == "public";
    if (builtin && k_volatile.count(name) != 0) {
      if (out.volatile_call.empty()) out.volatile_call = name;
    } else if (!builtin || k_not_volatile.count(name) == 0) {
      if (out.unknown_call.empty()) out.unknown_call = util::join(names, ".");
    }
  });
  return out;
}

// ADD COLUMN … DEFAULT on a table that existed before the migration, at the column. From
// PostgreSQL 11 a default that is the same for every row (constant, now(), CURRENT_DATE, …) is
// stored in the catalog and the table is not touched; a volatile one (clock_timestamp(),
// random(), gen_random_uuid(), nextval(), …) is computed per row, which rewrites the table.
// Before 11 any non-NULL default rewrites. Calls of functions pgdrift does not know (a user's)
// are reported with "if it is volatile". Serial, identity and generated columns are left to
// add-serial-column-to-existing-table and add-generated-stored-column.
class AddColumnVolatileDefault : public BasicRule {
 public:
  AddColumnVolatileDefault()
      : BasicRule({"add-column-volatile-default", Severity::warning, "type and data",
                   "filling a new column with a per-row default (and before PostgreSQL 11 with any "
                   "default) rewrites the whole table under an ACCESS EXCLUSIVE lock, blocking all "
                   "reads and writes",
                   "add the column without the default, then `ALTER COLUMN … SET DEFAULT …` for "
                   "new rows and backfill the existing rows in batches"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& tree = statement.tree;
    const auto relation = tree["relation"];
    if (state.created_here(relation)) return;
    for (const auto& column : added_columns(tree)) {
      if (generates_values(column)) continue;  // the other rules' columns
      for (const auto& constraint : column["constraints"].items()) {
        if (constraint["contype"].str() != "CONSTR_DEFAULT") continue;
        const auto expr = constraint["raw_expr"];
        if (is_null_constant(expr)) continue;
        const std::string message = describe(column["colname"].str(), sql::relation_name(relation),
                                             classify_default(expr), state.pg_version_num);
        if (!message.empty()) {
          sink.report(offset_of(column, statement), message,
                      column_object(relation, column["colname"].str()));
        }
      }
    }
  }

 private:
  static std::string describe(const std::string& column, const std::string& table,
                              const DefaultKind& kind, int pg_version_num) {
    const std::string rewrites = " rewrites table " + table + " under an ACCESS EXCLUSIVE lock";
    if (!kind.volatile_call.empty()) {
      return "ADD COLUMN " + column + " with the volatile DEFAULT " + kind.volatile_call + "()" +
             rewrites + " to store a value in every row";
    }
    if (pg_version_num < 110000) {
      return "ADD COLUMN " + column + " with a DEFAULT" + rewrites +
             ": before PostgreSQL 11 every non-NULL default is written into every row";
    }
    if (!kind.unknown_call.empty()) {
      return "ADD COLUMN " + column + " with DEFAULT " + kind.unknown_call + "()" + rewrites +
             " if " + kind.unknown_call + " is volatile";
    }
    return "";
  }
};

}  // namespace

std::unique_ptr<Rule> make_add_column_volatile_default() {
  return std::make_unique<AddColumnVolatileDefault>();
}

}  // namespace pgdrift::lint::rules
