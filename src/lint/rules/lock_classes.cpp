#include "lock_classes.hpp"

#include <cstdlib>
#include <optional>
#include <set>

#include "pgdrift/lint/lint.hpp"
#include "pgdrift/util/text.hpp"
#include "type_change.hpp"

// Lock levels follow the PostgreSQL 15 documentation of each command ("explicit locking" and
// the ALTER TABLE page). Only what a migration on a busy table cares about is modelled.

namespace pgdrift::lint::rules {
namespace {

bool has(const std::set<std::string>& set, const std::string& value) {
  return set.count(value) != 0;
}

// Storage parameters ALTER TABLE … SET (…) changes under SHARE UPDATE EXCLUSIVE instead of
// ACCESS EXCLUSIVE.
bool light_storage_parameter(const sql::Node& def_elem) {
  const std::string name = def_elem["defname"].str();
  if (def_elem["defnamespace"].str() == "toast") return true;
  if (name.rfind("autovacuum_", 0) == 0 || name.rfind("vacuum_", 0) == 0) return true;
  return name == "fillfactor" || name == "parallel_workers" || name == "toast_tuple_target" ||
         name == "log_autovacuum_min_duration";
}

// How strongly an ALTER TABLE command locks its table.
LockMode command_lock(const sql::Node& cmd) {
  static const std::set<std::string> k_share_update_exclusive = {
      "AT_ValidateConstraint", "AT_SetStatistics", "AT_SetOptions",     "AT_ResetOptions",
      "AT_ClusterOn",          "AT_DropCluster",   "AT_AttachPartition"};
  static const std::set<std::string> k_share_row_exclusive = {
      "AT_EnableTrig",    "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig", "AT_DisableTrig",
      "AT_EnableTrigAll", "AT_DisableTrigAll",   "AT_EnableTrigUser",    "AT_DisableTrigUser"};
  const std::string subtype = cmd["subtype"].str();
  const auto def = cmd["def"];
  if (has(k_share_update_exclusive, subtype)) return LockMode::share_update_exclusive;
  if (has(k_share_row_exclusive, subtype)) return LockMode::share_row_exclusive;
  if (subtype == "AT_DetachPartition" && def["concurrent"].boolean()) {
    return LockMode::share_update_exclusive;
  }
  if (subtype == "AT_AddConstraint" && def["contype"].str() == "CONSTR_FOREIGN") {
    return LockMode::share_row_exclusive;
  }
  if (subtype == "AT_SetRelOptions" || subtype == "AT_ResetRelOptions") {
    bool light = true;
    for (const auto& option : def.items()) light = light && light_storage_parameter(option);
    if (light) return LockMode::share_update_exclusive;
  }
  return LockMode::access_exclusive;
}

// Whether an ALTER TABLE command reads every row of its table (validation, index build) or
// rewrites it.
bool command_scans(const sql::Node& cmd) {
  static const std::set<std::string> k_scanning = {
      "AT_AlterColumnType", "AT_SetNotNull",  "AT_ValidateConstraint", "AT_SetTableSpace",
      "AT_SetLogged",       "AT_SetUnLogged", "AT_SetAccessMethod",    "AT_AttachPartition"};
  const std::string subtype = cmd["subtype"].str();
  if (has(k_scanning, subtype)) return true;
  if (subtype == "AT_AddConstraint") {
    const auto def = cmd["def"];
    const std::string contype = def["contype"].str();
    if (contype == "CONSTR_CHECK" || contype == "CONSTR_FOREIGN") {
      return !def["skip_validation"].boolean();
    }
    // PRIMARY KEY / UNIQUE / EXCLUDE build an index, unless USING INDEX names a built one.
    return def["indexname"].is_null();
  }
  if (subtype == "AT_AddColumn") {
    // Filled from a sequence: a rewrite.
    const auto type_name = cmd["def"]["typeName"];
    if (type_name["names"].items().size() == 1 && serial_type(sql::type_base(type_name)))
      return true;
    for (const auto& constraint : command_constraints(cmd)) {
      static const std::set<std::string> k_filling = {"CONSTR_IDENTITY", "CONSTR_GENERATED",
                                                      "CONSTR_PRIMARY", "CONSTR_UNIQUE",
                                                      "CONSTR_EXCLUSION"};
      if (has(k_filling, constraint["contype"].str())) return true;
    }
  }
  return false;
}

// "ADD COLUMN email", "VALIDATE CONSTRAINT orders_user_fk", … for an ALTER TABLE command.
std::string describe_command(const sql::Node& cmd) {
  const std::string subtype = cmd["subtype"].str();
  const std::string name = cmd["name"].str();
  const auto def = cmd["def"];
  if (subtype == "AT_AddColumn") return "ADD COLUMN " + def["colname"].str();
  if (subtype == "AT_DropColumn") return "DROP COLUMN " + name;
  if (subtype == "AT_AlterColumnType") {
    return "ALTER COLUMN " + name + " TYPE " + display_type(def["typeName"]);
  }
  if (subtype == "AT_SetNotNull") return "ALTER COLUMN " + name + " SET NOT NULL";
  if (subtype == "AT_DropNotNull") return "ALTER COLUMN " + name + " DROP NOT NULL";
  if (subtype == "AT_ColumnDefault") {
    return "ALTER COLUMN " + name + (def.is_null() ? " DROP DEFAULT" : " SET DEFAULT");
  }
  if (subtype == "AT_ValidateConstraint") return "VALIDATE CONSTRAINT " + name;
  if (subtype == "AT_DropConstraint") return "DROP CONSTRAINT " + name;
  if (subtype == "AT_AttachPartition") return "ATTACH PARTITION " + sql::relation_name(def["name"]);
  if (subtype == "AT_DetachPartition") return "DETACH PARTITION " + sql::relation_name(def["name"]);
  if (subtype == "AT_AddConstraint") {
    if (!def["conname"].str().empty()) return "ADD CONSTRAINT " + def["conname"].str();
    const std::string contype = def["contype"].str();
    if (contype == "CONSTR_FOREIGN") return "ADD FOREIGN KEY";
    if (contype == "CONSTR_PRIMARY") return "ADD PRIMARY KEY";
    if (contype == "CONSTR_UNIQUE") return "ADD UNIQUE";
    if (contype == "CONSTR_CHECK") return "ADD CHECK";
    return "ADD CONSTRAINT";
  }
  return "";
}

// Builds the accesses of one statement.
class Collector {
 public:
  Collector(const StatementView& statement, const FileState& state)
      : m_statement(statement), m_state(state) {}

  std::vector<TableAccess> run() {
    const auto& tree = m_statement.tree;
    const std::string type = tree.type();
    if (type == "AlterTableStmt") {
      alter_table(tree);
    } else if (type == "IndexStmt") {
      if (!tree["concurrent"].boolean()) {
        const std::string name = tree["idxname"].str();
        const std::string action =
            std::string(tree["unique"].boolean() ? "CREATE UNIQUE INDEX" : "CREATE INDEX") +
            (name.empty() ? "" : " " + name);
        add_table(tree["relation"], action, LockMode::share, true);
      }
    } else if (type == "DropStmt") {
      drop(tree);
    } else if (type == "TruncateStmt") {
      for (const auto& relation : tree["relations"].items()) {
        add_table(relation, "TRUNCATE " + sql::relation_name(relation), LockMode::access_exclusive,
                  false);
      }
    } else if (type == "CreateTrigStmt") {
      add_table(tree["relation"], "CREATE TRIGGER " + tree["trigname"].str(),
                LockMode::share_row_exclusive, false);
    } else if (type == "RenameStmt") {
      rename(tree);
    } else if (type == "ReindexStmt") {
      reindex(tree);
    } else if (type == "ClusterStmt") {
      if (tree["relation"].is_null()) {
        add_other("CLUSTER", "database", "every clustered table of the database",
                  LockMode::access_exclusive, true);
      } else {
        add_table(tree["relation"], "CLUSTER " + sql::relation_name(tree["relation"]),
                  LockMode::access_exclusive, true);
      }
    } else if (type == "VacuumStmt") {
      vacuum(tree);
    } else if (type == "LockStmt") {
      lock(tree);
    } else if (type == "CreateStmt") {
      create_table(tree);
    } else if (type == "UpdateStmt" || type == "DeleteStmt") {
      if (tree["whereClause"].is_null()) {
        const auto relation = tree["relation"];
        const std::string verb = type == "UpdateStmt" ? "UPDATE " : "DELETE FROM ";
        add_table(relation, verb + sql::relation_name(relation) + " without WHERE", LockMode::none,
                  true);
      }
    } else if (type == "RefreshMatViewStmt") {
      // CONCURRENTLY takes EXCLUSIVE, which still lets the view be read: not modelled.
      if (!tree["concurrent"].boolean()) {
        const auto relation = tree["relation"];
        add_table(relation, "REFRESH MATERIALIZED VIEW " + sql::relation_name(relation),
                  LockMode::access_exclusive, true,
                  "materialized view " + sql::relation_name(relation));
      }
    }
    return std::move(m_out);
  }

 private:
  void add_table(const sql::Node& range_var, const std::string& action, LockMode lock,
                 bool long_running, std::string object = "",
                 std::optional<std::size_t> at = std::nullopt) {
    if (range_var.is_null() || m_state.created_here(range_var)) return;
    if (object.empty()) object = table_object(range_var);
    const std::size_t offset = at ? *at : offset_of(range_var, m_statement);
    m_out.push_back({action, object, object, lock, long_running, offset});
  }

  void add_other(const std::string& action, const std::string& object, const std::string& locked,
                 LockMode lock, bool long_running, std::optional<std::size_t> at = std::nullopt) {
    m_out.push_back(
        {action, object, locked, lock, long_running, at ? *at : m_statement.statement.begin});
  }

  // A new foreign key locks the table it references in SHARE ROW EXCLUSIVE mode, even when the
  // referencing table is new.
  void referenced_table(const sql::Node& constraint, const std::string& action,
                        const sql::Node& own_table) {
    if (constraint["contype"].str() != "CONSTR_FOREIGN") return;
    const auto pktable = constraint["pktable"];
    if (sql::relation_name(pktable) == sql::relation_name(own_table)) return;  // references itself
    add_table(pktable, action, LockMode::share_row_exclusive, false);
  }

  void alter_table(const sql::Node& tree) {
    const auto relation = tree["relation"];
    for (const auto& cmd : alter_table_commands(tree)) {
      const std::string what = describe_command(cmd);
      const std::string action =
          "ALTER TABLE " + sql::relation_name(relation) + (what.empty() ? "" : " " + what);
      const auto def = cmd["def"];
      const std::string subtype = cmd["subtype"].str();
      if (subtype == "AT_AttachPartition" || subtype == "AT_DetachPartition") {
        // The partition is locked ACCESS EXCLUSIVE (and scanned to check its bound when attached);
        // the parent too before PG 12 for ATTACH, and for DETACH without CONCURRENTLY.
        const auto partition = def["name"];
        const bool attach = subtype == "AT_AttachPartition";
        LockMode parent = command_lock(cmd);
        if (attach && m_state.pg_version_num < 120000) parent = LockMode::access_exclusive;
        add_table(relation, action, parent, false, "", offset_of(partition, m_statement));
        if (!def["concurrent"].boolean()) {
          add_table(partition, action, LockMode::access_exclusive, attach);
        }
        continue;
      }
      const std::optional<std::size_t> at = def.is_null() ? std::nullopt : def.location();
      add_table(relation, action, command_lock(cmd), command_scans(cmd) && !free_retype(relation, cmd), "", at);
      for (const auto& constraint : command_constraints(cmd)) {
        referenced_table(constraint, action, relation);
      }
    }
  }

  // An ALTER COLUMN TYPE that earlier migrations show to be binary coercible (varchar(20) to
  // text, …) with no USING that computes new values: neither rewrite nor scan.
  bool free_retype(const sql::Node& relation, const sql::Node& cmd) const {
    if (cmd["subtype"].str() != "AT_AlterColumnType" || m_state.known == nullptr) return false;
    const std::string column = cmd["name"].str();
    const auto old_type = m_state.known->type_of(sql::relation_name(relation), column);
    if (old_type.is_null()) return false;
    const auto change = classify(column_type(old_type), column_type(cmd["def"]["typeName"]));
    return (change == TypeChange::same || change == TypeChange::binary_coercible) &&
           using_keeps_values(cmd["def"]["raw_default"], column);
  }

  void drop(const sql::Node& tree) {
    const std::string kind = tree["removeType"].str();
    for (const auto& object : tree["objects"].items()) {
      auto parts = sql::strings(object);
      if (parts.empty()) continue;
      if (kind == "OBJECT_TABLE") {
        const std::string name = util::join(parts, ".");
        if (!m_state.created_here(name)) {
          add_other("DROP TABLE " + name, "table " + name, "table " + name,
                    LockMode::access_exclusive, false);
        }
      } else if (kind == "OBJECT_INDEX" && !tree["concurrent"].boolean()) {
        // The index's table is not named, so whether it is new cannot be told: always reported.
        const std::string name = util::join(parts, ".");
        add_other("DROP INDEX " + name, "index " + name, "the table of index " + name,
                  LockMode::access_exclusive, false);
      } else if (kind == "OBJECT_TRIGGER" && parts.size() >= 2) {
        const std::string trigger = parts.back();
        parts.pop_back();
        const std::string table = util::join(parts, ".");
        if (!m_state.created_here(table)) {
          add_other("DROP TRIGGER " + trigger, "table " + table, "table " + table,
                    LockMode::access_exclusive, false);
        }
      }
    }
  }

  void rename(const sql::Node& tree) {
    static const std::set<std::string> k_table_renames = {"OBJECT_TABLE", "OBJECT_COLUMN",
                                                          "OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER"};
    const std::string kind = tree["renameType"].str();
    if (!has(k_table_renames, kind)) return;
    // A view's column takes no table lock.
    if (kind == "OBJECT_COLUMN" && tree["relationType"].str() != "OBJECT_TABLE") return;
    const auto relation = tree["relation"];
    const std::string table = sql::relation_name(relation);
    const std::string to = " TO " + tree["newname"].str();
    const std::string subname = tree["subname"].str();
    std::string action = "ALTER TABLE " + table + " RENAME" + to;
    if (kind == "OBJECT_COLUMN") action = "ALTER TABLE " + table + " RENAME COLUMN " + subname + to;
    if (kind == "OBJECT_TABCONSTRAINT") {
      action = "ALTER TABLE " + table + " RENAME CONSTRAINT " + subname + to;
    }
    if (kind == "OBJECT_TRIGGER")
      action = "ALTER TRIGGER " + subname + " ON " + table + " RENAME" + to;
    add_table(relation, action, LockMode::access_exclusive, false);
  }

  void reindex(const sql::Node& tree) {
    if (option_on(tree["params"], "concurrently")) return;
    const std::string kind = tree["kind"].str();
    const auto relation = tree["relation"];
    if (kind == "REINDEX_OBJECT_TABLE") {
      // SHARE on the table, ACCESS EXCLUSIVE on its indexes: queries planning on it wait too.
      if (m_state.created_here(relation)) return;
      const std::string object = table_object(relation);
      add_other("REINDEX TABLE " + sql::relation_name(relation), object,
                object + " (and ACCESS EXCLUSIVE on its indexes)", LockMode::share, true,
                offset_of(relation, m_statement));
    } else if (kind == "REINDEX_OBJECT_INDEX") {
      const std::string name = sql::relation_name(relation);
      add_other("REINDEX INDEX " + name, "index " + name, "index " + name,
                LockMode::access_exclusive, true, offset_of(relation, m_statement));
    } else {
      const std::string name = tree["name"].str();
      const std::string object = kind == "REINDEX_OBJECT_SCHEMA" ? "schema " + name : "database";
      add_other("REINDEX", object, "every index of the " + object, LockMode::access_exclusive,
                true);
    }
  }

  void vacuum(const sql::Node& tree) {
    if (!tree["is_vacuumcmd"].boolean() || !option_on(tree["options"], "full")) return;
    const auto relations = tree["rels"].items();
    if (relations.empty()) {
      add_other("VACUUM FULL", "database", "every table of the database",
                LockMode::access_exclusive, true);
    }
    for (const auto& relation : relations) {
      const auto range_var = relation["relation"];
      add_table(range_var, "VACUUM FULL " + sql::relation_name(range_var),
                LockMode::access_exclusive, true);
    }
  }

  void lock(const sql::Node& tree) {
    // LockStmt modes: 1 ACCESS SHARE … 3 ROW EXCLUSIVE (no conflict with traffic), 4 SHARE UPDATE
    // EXCLUSIVE, 5 SHARE, 6 SHARE ROW EXCLUSIVE, 7 EXCLUSIVE, 8 ACCESS EXCLUSIVE.
    const long long mode = tree["mode"].integer(8);
    LockMode lock_mode = LockMode::access_exclusive;
    if (mode <= 3) lock_mode = LockMode::none;
    if (mode == 4) lock_mode = LockMode::share_update_exclusive;
    if (mode == 5) lock_mode = LockMode::share;
    if (mode == 6) lock_mode = LockMode::share_row_exclusive;
    if (mode == 7) lock_mode = LockMode::exclusive;
    for (const auto& relation : tree["relations"].items()) {
      add_table(relation, "LOCK TABLE " + sql::relation_name(relation), lock_mode, false);
    }
  }

  void create_table(const sql::Node& tree) {
    const auto relation = tree["relation"];
    const std::string action = "CREATE TABLE " + sql::relation_name(relation);
    for (const auto& element : tree["tableElts"].items()) {
      if (element.is("Constraint")) referenced_table(element, action, relation);
      if (!element.is("ColumnDef")) continue;
      for (const auto& constraint : element["constraints"].items()) {
        referenced_table(constraint, action, relation);
      }
    }
    // CREATE TABLE … PARTITION OF locks the parent ACCESS EXCLUSIVE.
    if (!tree["partbound"].is_null()) {
      for (const auto& parent : tree["inhRelations"].items()) {
        add_table(parent, action + " PARTITION OF " + sql::relation_name(parent),
                  LockMode::access_exclusive, false);
      }
    }
  }

  const StatementView& m_statement;
  const FileState& m_state;
  std::vector<TableAccess> m_out;
};

// Whether the value of a SET (an A_Const) leaves the timeout on: any value but zero in any unit.
bool nonzero_setting(const sql::Node& value) {
  std::string text;
  if (!value["sval"].is_null()) {
    text = value.str();
  } else if (!value["fval"].is_null()) {
    text = value["fval"]["fval"].str();
  } else {
    return value.integer(0) != 0;
  }
  // '5s', '500ms', '0', '0s': the leading number decides; text Postgres would reject counts as set.
  const char* begin = text.c_str();
  char* end = nullptr;
  const double number = std::strtod(begin, &end);
  return end == begin || number != 0.0;
}

}  // namespace

std::string lock_mode_name(LockMode mode) {
  switch (mode) {
    case LockMode::none:
      return "";
    case LockMode::share_update_exclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::share:
      return "SHARE";
    case LockMode::share_row_exclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::exclusive:
      return "EXCLUSIVE";
    case LockMode::access_exclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "";
}

bool blocks_traffic(LockMode mode) { return mode >= LockMode::share; }

std::vector<TableAccess> existing_table_accesses(const StatementView& statement,
                                                 const FileState& state) {
  return Collector(statement, state).run();
}

void TimeoutSetting::set(bool on, bool local, const FileState& state) {
  if (local) {
    // SET LOCAL outside any transaction only warns; inside BEGIN … COMMIT it ends with COMMIT.
    if (state.explicit_depth == 0 && !state.wrapped && !state.tool_wraps) return;
    m_expires_at_commit = on && state.explicit_depth > 0;
  } else {
    m_expires_at_commit = false;
  }
  m_set = on;
}

void TimeoutSetting::observe(const StatementView& statement, const FileState& state) {
  const auto& tree = statement.tree;
  const std::string type = tree.type();
  if (type == "TransactionStmt") {
    if (ends_transaction(tree) && m_expires_at_commit) {
      m_set = false;
      m_expires_at_commit = false;
    }
  } else if (type == "VariableSetStmt") {
    const std::string kind = tree["kind"].str();
    if (kind == "VAR_RESET_ALL") {
      set(false, tree["is_local"].boolean(), state);
    } else if (tree["name"].str() == m_name) {
      if (kind == "VAR_SET_VALUE") {
        const auto args = tree["args"].items();
        set(!args.empty() && nonzero_setting(args.front()), tree["is_local"].boolean(), state);
      } else if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") {
        set(false, tree["is_local"].boolean(), state);
      }
    }
  } else if (type == "SelectStmt") {
    // SELECT set_config('lock_timeout', '5s', is_local)
    tree.walk([&](const sql::Node& node) {
      if (!node.is("FuncCall")) return;
      const auto function = sql::strings(node["funcname"]);
      if (function.empty() || function.back() != "set_config") return;
      const auto args = node["args"].items();
      if (args.size() != 3 || args[0].str() != m_name || args[1]["sval"].is_null()) return;
      set(nonzero_setting(args[1]), args[2]["boolval"]["boolval"].boolean(), state);
    });
  }
}

}  // namespace pgdrift::lint::rules
