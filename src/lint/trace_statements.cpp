// What the Tracer needs to know about a statement before asking the server about it.
#include <set>
#include <string>

#include "pgdrift/util/text.hpp"
#include "trace_queries.hpp"

namespace pgdrift::lint::trace {

// The command of a command tag: "INSERT" of "INSERT 0 1", "ALTER TABLE" of "ALTER TABLE".
std::string command_name(std::string_view tag) {
  std::string out;
  for (const auto& word : util::split(tag, ' ')) {
    if (word.empty() || (word[0] >= '0' && word[0] <= '9')) break;
    out += (out.empty() ? "" : " ") + word;
  }
  return out.empty() ? "the statement" : out;
}

// Statements that run without a snapshot. A query after them would take the transaction's
// snapshot, and a SET TRANSACTION ISOLATION LEVEL / SNAPSHOT that the migration runs next would
// fail; none of them takes a lock worth reporting. (LOCK TABLE also runs without one but is
// traced: its lock is the point, and SET TRANSACTION after LOCK is not a pattern seen in practice.)
bool takes_no_snapshot(const std::string& node) {
  static const std::set<std::string> k_nodes = {"TransactionStmt", "VariableSetStmt", "VariableShowStmt",
                                                "ConstraintsSetStmt", "ListenStmt", "NotifyStmt", "UnlistenStmt",
                                                "CheckPointStmt", "FetchStmt"};
  return k_nodes.count(node) != 0;
}

// Statements that take no lock a finding is about (at most SHARE UPDATE EXCLUSIVE on a table),
// rewrite nothing, scan no table and create no constraint: nothing to look at after them (a
// lock-held-across-statements finding goes to the next statement that is looked at). VACUUM
// refuses to run in a transaction block, so a VacuumStmt inside one is an ANALYZE.
bool changes_nothing_traced(const std::string& node, bool in_transaction) {
  static const std::set<std::string> k_nodes = {
      "CommentStmt",      "GrantStmt",          "GrantRoleStmt",   "CreateFunctionStmt", "AlterFunctionStmt",
      "ViewStmt",         "CreateSeqStmt",      "AlterSeqStmt",    "CreateEnumStmt",     "AlterEnumStmt",
      "CompositeTypeStmt", "DefineStmt",        "CreateDomainStmt", "CreateStatsStmt",   "SecLabelStmt",
      "AlterOwnerStmt",   "AlterDefaultPrivilegesStmt", "CreateRoleStmt", "AlterRoleStmt", "DropRoleStmt"};
  return k_nodes.count(node) != 0 || (node == "VacuumStmt" && in_transaction);
}

// Whether `statement` may create a foreign key: it declares one (CREATE TABLE … REFERENCES, ADD
// FOREIGN KEY), or it runs code that could (DO, CALL, a function in a SELECT, an extension's
// script). Only then does the query after it look for new constraints, which doubles its cost.
// Keys made otherwise (by a trigger) are found after the next statement that does look; keys
// that ALTER COLUMN TYPE re-creates keep their location by name.
bool may_create_foreign_key(const sql::Statement& statement) {
  static const std::set<std::string> k_code = {"DoStmt",          "CallStmt",           "SelectStmt", "ExecuteStmt",
                                               "CreateSchemaStmt", "CreateExtensionStmt", "AlterExtensionStmt"};
  return statement.node.empty() || k_code.count(statement.node) != 0 ||
         statement.tree_json.find("\"CONSTR_FOREIGN\"") != std::string::npos;
}

// Whether a statement (by its parse node) may drop the session's prepared statements: DEALLOCATE,
// DISCARD, or code that could run them (DO, CALL). A SELECT of a function that does is not
// caught: the next trace then fails with "prepared statement … does not exist".
bool may_drop_prepared(const std::string& node) {
  return node.empty() || node == "DeallocateStmt" || node == "DiscardStmt" || node == "DoStmt" || node == "CallStmt";
}

// Whether `statement` may create a table, materialized view or index (a new oid the next
// migration must know as pre-existing). When no statement of a migration may, the next one is
// not preceded by a snapshot; a relation missed that way is found by the next snapshot, later.
bool may_create_relation(const sql::Statement& statement) {
  static const std::set<std::string> k_nodes = {"CreateStmt",   "IndexStmt",        "CreateTableAsStmt",
                                                "DoStmt",       "CallStmt",         "SelectStmt",
                                                "ExecuteStmt",  "CreateSchemaStmt", "CreateExtensionStmt",
                                                "AlterExtensionStmt", "ReindexStmt"};
  if (statement.node.empty() || k_nodes.count(statement.node) != 0) return true;
  if (statement.node != "AlterTableStmt") return false;
  // Indexes of new constraints, indexes rebuilt by a type change, indexes made for a partition.
  for (const char* mark : {"\"CONSTR_PRIMARY\"", "\"CONSTR_UNIQUE\"", "\"CONSTR_EXCLUSION\"", "\"AT_AlterColumnType\"",
                           "\"AT_AttachPartition\""}) {
    if (statement.tree_json.find(mark) != std::string::npos) return true;
  }
  return false;
}

// Statements that may rename relations or schemas (or do anything at all: DO, CALL).
bool renames(const std::string& node) {
  return node == "RenameStmt" || node == "AlterObjectSchemaStmt" || node == "DoStmt" || node == "CallStmt";
}

}  // namespace pgdrift::lint::trace
