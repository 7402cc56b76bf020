#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <cctype>

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// From PostgreSQL 12, SET NOT NULL skips its scan when a validated CHECK proves the column
// has no NULL.
constexpr int k_check_spares_scan_since = 120000;

// The columns a CHECK expression proves NOT NULL: `col IS NOT NULL`, and every such test of an
// AND of them. Anything else proves nothing here (Postgres's own proof is more general).
void proven_not_null(const sql::Node& expr, std::set<std::string>& out) {
  if (expr.is("NullTest") && expr["nulltesttype"].str() == "IS_NOT_NULL" &&
      expr["arg"].is("ColumnRef")) {
    const auto fields = expr["arg"]["fields"].items();
    if (!fields.empty()) out.insert(fields.back().str());
  } else if (expr.is("BoolExpr") && expr["boolop"].str() == "AND_EXPR") {
    for (const auto& arg : expr["args"].items()) proven_not_null(arg, out);
  }
}

// add-not-null: ALTER TABLE … ALTER COLUMN … SET NOT NULL on a table that existed before the
// migration. Reported at the ALTER TABLE's table name: libpg_query keeps no location for the
// command. The CHECK constraint that spares the scan is tracked through the file (ADD, VALIDATE,
// DROP CONSTRAINT); a VALIDATE CONSTRAINT of a constraint added by an earlier migration (the
// recommended split) counts as such a CHECK for its table. That CHECK's own validation scan is
// constraint-missing-not-valid's finding.
class AddNotNull : public BasicRule {
 public:
  AddNotNull()
      : BasicRule(
            {"add-not-null", Severity::warning, "constraints and locks",
             "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock: every read and "
             "write of the table waits until the scan is done",
             "PostgreSQL 12+: `ADD CONSTRAINT t_c_not_null CHECK (c IS NOT NULL) NOT VALID`, then "
             "`VALIDATE CONSTRAINT t_c_not_null` in another transaction (no write lock), then "
             "`ALTER COLUMN c SET NOT NULL` (no scan) and `DROP CONSTRAINT t_c_not_null`; before "
             "12, keep the validated CHECK constraint instead of SET NOT NULL"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    const auto& relation = statement.tree["relation"];
    const std::string table = sql::relation_name(relation);
    for (const auto& cmd : alter_table_commands(statement.tree)) {
      const std::string subtype = cmd["subtype"].str();
      if (subtype == "AT_AddConstraint") {
        remember_check(table, cmd["def"]);
      } else if (subtype == "AT_ValidateConstraint") {
        const std::string name = cmd["name"].str();
        bool known = false;
        for (auto& c : m_checks) {
          if (!same_name(c.table, table) || c.name != name) continue;
          c.validated = true;
          known = true;
        }
        // Added by an earlier migration, as the hint recommends: its expression is unknown here,
        // so it is taken to be a CHECK (col IS NOT NULL) for the columns its name mentions
        // ("orders_status_not_null" proves status), never for any column.
        if (!known) m_checks.push_back({table, name, {}, true, true});
      } else if (subtype == "AT_DropConstraint") {
        const std::string name = cmd["name"].str();
        m_checks.erase(std::remove_if(m_checks.begin(), m_checks.end(),
                                      [&](const Check& c) {
                                        return same_name(c.table, table) && c.name == name;
                                      }),
                       m_checks.end());
      } else if (subtype == "AT_SetNotNull") {
        if (state.created_here(relation)) continue;
        const std::string column = cmd["name"].str();
        const bool modern = state.pg_version_num >= k_check_spares_scan_since;
        if (modern && proven(table, column)) continue;
        std::string message = "ALTER COLUMN " + column + " SET NOT NULL scans every row of table " +
                              table + " under an ACCESS EXCLUSIVE lock";
        message += modern ? " (no validated CHECK (" + column + " IS NOT NULL) precedes it)"
                          : " (before PostgreSQL 12 no CHECK constraint spares the scan)";
        sink.report(offset_of(relation, statement), message, column_object(relation, column));
      }
    }
  }

 private:
  struct Check {
    std::string table;
    std::string name;  // empty when unnamed: it cannot be validated or dropped by name later
    std::set<std::string> columns;
    bool validated = false;
    bool unknown = false;  // validated here but added elsewhere: proves the columns its name names
  };

  // Whether a constraint's name contains `column` as a whole word ("orders_status_not_null").
  static bool names_column(const std::string& name, const std::string& column) {
    const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    for (auto at = name.find(column); at != std::string::npos; at = name.find(column, at + 1)) {
      const bool starts = at == 0 || !word(name[at - 1]);
      const bool ends = at + column.size() == name.size() || !word(name[at + column.size()]);
      if (starts && ends) return true;
    }
    return false;
  }

  void remember_check(const std::string& table, const sql::Node& constraint) {
    if (!constraint.is("Constraint") || constraint["contype"].str() != "CONSTR_CHECK") return;
    Check c{
        table, constraint["conname"].str(), {}, !constraint["skip_validation"].boolean(), false};
    proven_not_null(constraint["raw_expr"], c.columns);
    if (!c.columns.empty()) m_checks.push_back(std::move(c));
  }

  bool proven(const std::string& table, const std::string& column) const {
    return std::any_of(m_checks.begin(), m_checks.end(), [&](const Check& c) {
      return c.validated && same_name(c.table, table) &&
             (c.unknown ? names_column(c.name, column) : c.columns.count(column) != 0);
    });
  }

  std::vector<Check> m_checks;  // CHECK (… IS NOT NULL) constraints added earlier in the file
};

}  // namespace

std::unique_ptr<Rule> make_add_not_null() { return std::make_unique<AddNotNull>(); }

}  // namespace pgdrift::lint::rules
