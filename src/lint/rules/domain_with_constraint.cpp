#include <string>

#include "pgdrift/util/text.hpp"
#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// A qualified name list as written: "app.email".
std::string qualified(const sql::Node& names) { return util::join(sql::strings(names), "."); }

// domain-with-constraint: CREATE DOMAIN … CHECK (at each CHECK), ALTER DOMAIN … ADD CONSTRAINT
// (at the constraint) and ALTER DOMAIN … SET NOT NULL (at the statement).
// A warning, not a notice: the ALTER DOMAIN forms block writes to every table using the domain
// right now, and a CHECK written into CREATE DOMAIN commits the schema to paying that later.
class DomainWithConstraint : public BasicRule {
 public:
  DomainWithConstraint()
      : BasicRule({"domain-with-constraint", Severity::warning, "constraints and locks",
                   "a domain's constraints cannot be changed cheaply: adding or validating one "
                   "checks every column using the domain while blocking writes to those tables, "
                   "and fails if the domain is used inside a composite, array or range column",
                   "use a plain type and a CHECK constraint on each table column instead; those "
                   "can be added NOT VALID and validated without blocking writes"}) {}

  void check(const StatementView& statement, const FileState& state, Sink& sink) override {
    (void)state;
    const auto& tree = statement.tree;
    if (tree.is("CreateDomainStmt")) {
      const std::string domain = qualified(tree["domainname"]);
      for (const auto& constraint : tree["constraints"].items()) {
        if (constraint["contype"].str() != "CONSTR_CHECK") continue;
        sink.report(offset_of(constraint, statement),
                    "domain " + domain +
                        " has a CHECK constraint: changing it later re-checks every column using "
                        "the domain while blocking writes to their tables",
                    "domain " + domain);
      }
    } else if (tree.is("AlterDomainStmt")) {
      const std::string domain = qualified(tree["typeName"]);
      const std::string subtype = tree["subtype"].str();
      if (subtype == "C") {
        const auto constraint = tree["def"];
        const std::string when = constraint["skip_validation"].boolean() ? " when validated" : "";
        sink.report(offset_of(constraint, statement),
                    "ALTER DOMAIN " + domain +
                        " ADD CONSTRAINT checks every column using the domain" + when +
                        ", blocking writes to their tables (SHARE lock)",
                    "domain " + domain);
      } else if (subtype == "O") {
        sink.report(statement.statement.begin,
                    "ALTER DOMAIN " + domain +
                        " SET NOT NULL checks every column using the domain, blocking writes to "
                        "their tables (SHARE lock)",
                    "domain " + domain);
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> make_domain_with_constraint() {
  return std::make_unique<DomainWithConstraint>();
}

}  // namespace pgdrift::lint::rules
