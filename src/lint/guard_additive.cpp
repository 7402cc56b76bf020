// only_adds: migrations the destructive-change guard need not snapshot around.

#include <set>
#include <string>

#include "guard_text.hpp"
#include "pgdrift/lint/guard.hpp"
#include "pgdrift/sql/statement.hpp"
#include "pgdrift/sql/tree.hpp"

namespace pgdrift::lint {

namespace {

// Built-in functions that defaults and checks commonly call; none can change the schema.
const std::set<std::string> k_builtins = {
    // clang-format off
    "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timezone", "date_trunc",
    "gen_random_uuid", "nextval", "lower", "upper", "length", "char_length", "octet_length", "btrim", "trim",
    "json_build_object", "jsonb_build_object", "to_jsonb", "array_length", "cardinality", "abs",
    // clang-format on
};

// Whether `node` calls a function other than those built-ins (unqualified or pg_catalog.): user
// code, which may run any SQL.
bool calls_user_code(const sql::Node& node) {
  bool found = false;
  node.walk([&](const sql::Node& n) {
    if (!n.is("FuncCall")) return;
    const auto parts = sql::strings(n["funcname"]);
    const bool builtin_schema = parts.size() == 1 || (parts.size() == 2 && parts[0] == "pg_catalog");
    if (parts.empty() || !builtin_schema || k_builtins.count(parts.back()) == 0) found = true;
  });
  return found;
}

// ALTER TABLE whose every command adds something that leaves existing columns as they were
// (or, with `plain_writes`, validates a constraint: its check calls no user function).
bool adds_to_table(const sql::Node& tree, bool plain_writes) {
  if (tree["objtype"].str() != "OBJECT_TABLE") return false;
  for (const auto& command : tree["cmds"].items()) {
    const std::string subtype = command["subtype"].str();
    const auto definition = command["def"];
    if (subtype == "AT_AddColumn") {
      // A default or check is evaluated for every existing row.
      if (calls_user_code(definition)) return false;
    } else if (subtype == "AT_AddConstraint") {
      const std::string type = definition["contype"].str();
      if (type == "CONSTR_PRIMARY") return false;  // makes its columns NOT NULL
      if (type == "CONSTR_CHECK" && calls_user_code(definition)) return false;
    } else if (subtype == "AT_ValidateConstraint") {
      if (!plain_writes) return false;
    } else if (subtype != "AT_SetStatistics" && subtype != "AT_SetRelOptions" && subtype != "AT_ClusterOn" &&
               subtype != "AT_SetOptions") {
      return false;
    }
  }
  return true;
}

bool adds_only(const sql::Statement& statement, bool plain_writes) {
  // Creating objects evaluates no expression on existing data (a new table has no rows; index
  // expressions must be IMMUTABLE); OR REPLACE of a view keeps its columns, of a function its
  // signature. Comments, grants and settings are not what the guard compares.
  static const std::set<std::string> k_creating = {
      "CreateStmt",       "IndexStmt",         "CreateSeqStmt",   "CreateSchemaStmt",   "CreateEnumStmt",
      "CreateDomainStmt", "CompositeTypeStmt", "CreateRangeStmt", "CreateFunctionStmt", "ViewStmt",
      "CreateTrigStmt",   "CreatePolicyStmt",  "CommentStmt",     "GrantStmt",          "VariableSetStmt",
      "TransactionStmt",  "VacuumStmt"};
  const std::string& type = statement.node;
  if (k_creating.count(type) != 0) return true;  // decided without reading the tree
  static const std::set<std::string> k_maybe = {"AlterEnumStmt", "AlterTableStmt", "InsertStmt", "UpdateStmt",
                                                "DeleteStmt"};
  if (k_maybe.count(type) == 0) return false;
  const sql::Node tree = sql::parse_tree(statement);
  if (type == "AlterEnumStmt") return tree["oldVal"].is_null();  // ADD VALUE, not RENAME VALUE
  if (type == "AlterTableStmt") return adds_to_table(tree, plain_writes);
  if (type == "InsertStmt" || type == "UpdateStmt" || type == "DeleteStmt") {
    return plain_writes && !calls_user_code(tree);
  }
  return false;
}

// Whether the statement writes rows (or scans them to validate a constraint).
bool writes_rows(const sql::Statement& statement) {
  const std::string& type = statement.node;
  if (type == "InsertStmt" || type == "UpdateStmt" || type == "DeleteStmt") return true;
  if (type != "AlterTableStmt") return false;
  for (const auto& command : sql::parse_tree(statement)["cmds"].items()) {
    if (command["subtype"].str() == "AT_ValidateConstraint") return true;
  }
  return false;
}

// Whether the statement creates something that runs user code on later writes: a trigger, a
// function (a trigger's may be replaced), a view, a domain, a policy, a table whose defaults or
// checks call a function.
bool adds_code_run_on_writes(const sql::Statement& statement) {
  static const std::set<std::string> k_code = {"CreateTrigStmt", "CreateFunctionStmt", "ViewStmt", "CreateDomainStmt",
                                               "CreatePolicyStmt"};
  if (k_code.count(statement.node) != 0) return true;
  return statement.node == "CreateStmt" && calls_user_code(sql::parse_tree(statement));
}

}  // namespace

namespace guard {

bool hides_changes_from_journal(const sql::Statement& statement) {
  static const std::set<std::string> k_hiding = {"RenameStmt", "AlterObjectSchemaStmt", "CreateEventTrigStmt",
                                                 "AlterEventTrigStmt"};
  const std::string& type = statement.node;
  if (type.empty()) return true;
  if (k_hiding.count(type) != 0) return true;
  if (type != "AlterEnumStmt" && type != "AlterTableStmt" && type != "VariableSetStmt") return false;
  const sql::Node tree = sql::parse_tree(statement);
  if (type == "AlterEnumStmt") return !tree["oldVal"].is_null();  // RENAME VALUE
  if (type == "VariableSetStmt") return tree["name"].str() == "session_replication_role";
  for (const auto& command : tree["cmds"].items()) {
    const std::string subtype = command["subtype"].str();
    if (subtype == "AT_AttachPartition" || subtype == "AT_DetachPartition" || subtype == "AT_DetachPartitionFinalize" ||
        subtype == "AT_AddInherit" || subtype == "AT_DropInherit") {
      return true;
    }
  }
  return false;
}

bool runs_code(const sql::Statement& statement) {
  static const std::set<std::string> k_code = {"DoStmt", "CallStmt", "SelectStmt", "ExecuteStmt",
                                               "CreateTableAsStmt"};
  const std::string& type = statement.node;
  if (type.empty() || k_code.count(type) != 0) return true;
  if (type != "InsertStmt" && type != "UpdateStmt" && type != "DeleteStmt") return false;
  return calls_user_code(sql::parse_tree(statement));
}

}  // namespace guard

bool only_adds(const migrations::Migration& migration, bool plain_writes) {
  bool writes = false;
  bool adds_code = false;
  for (const auto& statement : sql::split(migration.up_sql)) {
    if (!statement.parse_error.empty() || !adds_only(statement, plain_writes)) return false;
    // The caller knew of no user code on writes before the migration; it may add some itself.
    writes = writes || writes_rows(statement);
    adds_code = adds_code || adds_code_run_on_writes(statement);
  }
  return !(writes && adds_code);
}

}  // namespace pgdrift::lint
