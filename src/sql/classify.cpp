#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "pgdrift/sql/statement.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sql {
namespace {

using nlohmann::json;

// From Postgres 12, ALTER TYPE … ADD VALUE may run inside a transaction block.
constexpr int k_enum_add_in_transaction_since = 120000;
// describe_need answers for the most restrictive server.
constexpr int k_oldest_server = 0;

// Statements Postgres always refuses inside a transaction block, by parse-tree node type.
// Subscriptions are conservative: CREATE/DROP only refuse when they manage a replication slot.
struct AlwaysOutside {
  const char* node;
  const char* description;
};
constexpr AlwaysOutside k_always_outside[] = {
    {"CreatedbStmt", "CREATE DATABASE"},
    {"DropdbStmt", "DROP DATABASE"},
    {"CreateTableSpaceStmt", "CREATE TABLESPACE"},
    {"DropTableSpaceStmt", "DROP TABLESPACE"},
    {"AlterSystemStmt", "ALTER SYSTEM"},
    {"CreateSubscriptionStmt", "CREATE SUBSCRIPTION"},
    {"DropSubscriptionStmt", "DROP SUBSCRIPTION"},
};

struct Need {
  TransactionNeed need = TransactionNeed::any;
  std::string description;
};

Need outside(std::string description) {
  return {TransactionNeed::outside_transaction, std::move(description)};
}

// A field of a parse-tree node, read with libpg_query's JSON defaults (absent = false / "").
bool flag(const json& node, const char* key) {
  const auto it = node.find(key);
  return it != node.end() && it->is_boolean() && it->get<bool>();
}

std::string text_of(const json& node, const char* key) {
  const auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool has(const json& node, const char* key) { return node.find(key) != node.end(); }

// Postgres's defGetBoolean: no argument is true; "false"/"off" and the integer 0 are false.
bool option_value(const json& def_elem) {
  const auto arg = def_elem.find("arg");
  if (arg == def_elem.end() || !arg->is_object()) return true;
  if (const auto s = arg->find("String"); s != arg->end()) {
    const std::string value = util::to_lower(text_of(*s, "sval"));
    return value != "false" && value != "off";
  }
  if (const auto i = arg->find("Integer"); i != arg->end()) return i->value("ival", 0) != 0;
  if (const auto b = arg->find("Boolean"); b != arg->end()) return flag(*b, "boolval");
  return true;
}

// The DefElem named `name` in node[list] (a generic option list), or nullptr.
const json* find_option(const json& node, const char* list, const std::string& name) {
  const auto options = node.find(list);
  if (options == node.end() || !options->is_array()) return nullptr;
  for (const json& element : *options) {
    const auto def_elem = element.find("DefElem");
    if (def_elem != element.end() && text_of(*def_elem, "defname") == name) return &*def_elem;
  }
  return nullptr;
}

// Whether boolean option `name` in node[list] is on; `when_absent` if the list does not name it.
bool option_on(const json& node, const char* list, const std::string& name, bool when_absent) {
  const json* def_elem = find_option(node, list, name);
  return def_elem != nullptr ? option_value(*def_elem) : when_absent;
}

std::string transaction_keyword(const json& node) {
  const std::string kind = text_of(node, "kind");
  if (kind == "TRANS_STMT_BEGIN") return "BEGIN";
  if (kind == "TRANS_STMT_START") return "START TRANSACTION";
  if (kind == "TRANS_STMT_COMMIT") return "COMMIT";
  if (kind == "TRANS_STMT_ROLLBACK") return "ROLLBACK";
  if (kind == "TRANS_STMT_SAVEPOINT") return "SAVEPOINT";
  if (kind == "TRANS_STMT_RELEASE") return "RELEASE SAVEPOINT";
  if (kind == "TRANS_STMT_ROLLBACK_TO") return "ROLLBACK TO SAVEPOINT";
  if (kind == "TRANS_STMT_PREPARE") return "PREPARE TRANSACTION";
  if (kind == "TRANS_STMT_COMMIT_PREPARED") return "COMMIT PREPARED";
  if (kind == "TRANS_STMT_ROLLBACK_PREPARED") return "ROLLBACK PREPARED";
  return "transaction control";
}

bool detaches_concurrently(const json& alter_table) {
  const auto cmds = alter_table.find("cmds");
  if (cmds == alter_table.end() || !cmds->is_array()) return false;
  for (const json& element : *cmds) {
    const auto cmd = element.find("AlterTableCmd");
    if (cmd == element.end() || text_of(*cmd, "subtype") != "AT_DetachPartition") continue;
    const auto def = cmd->find("def");
    if (def == cmd->end() || !def->is_object()) continue;
    const auto partition_cmd = def->find("PartitionCmd");
    if (partition_cmd != def->end() && flag(*partition_cmd, "concurrent")) return true;
  }
  return false;
}

Need classify_reindex(const json& node) {
  const std::string kind = text_of(node, "kind");
  if (kind == "REINDEX_OBJECT_SCHEMA") return outside("REINDEX SCHEMA");
  if (kind == "REINDEX_OBJECT_SYSTEM") return outside("REINDEX SYSTEM");
  if (kind == "REINDEX_OBJECT_DATABASE") return outside("REINDEX DATABASE");
  // PG 14+ grammar: CONCURRENTLY becomes a "concurrently" DefElem in params.
  if (option_on(node, "params", "concurrently", false)) return outside("REINDEX CONCURRENTLY");
  return {};
}

Need classify_alter_subscription(const json& node) {
  const std::string kind = text_of(node, "kind");
  if (kind == "ALTER_SUBSCRIPTION_REFRESH")
    return outside("ALTER SUBSCRIPTION … REFRESH PUBLICATION");
  if ((kind == "ALTER_SUBSCRIPTION_SET_PUBLICATION" ||
       kind == "ALTER_SUBSCRIPTION_ADD_PUBLICATION" ||
       kind == "ALTER_SUBSCRIPTION_DROP_PUBLICATION") &&
      option_on(node, "options", "refresh", true)) {
    return outside("ALTER SUBSCRIPTION … PUBLICATION with refresh");
  }
  return {};
}

// `stmt` is a statement's tree: {"<NodeType>": {…fields}}.
Need classify(const json& stmt, int server_version_num) {
  if (!stmt.is_object() || stmt.size() != 1 || !stmt.begin()->is_object()) return {};
  const std::string& type = stmt.begin().key();
  const json& node = stmt.begin().value();

  if (type == "TransactionStmt") {
    return {TransactionNeed::transaction_control, transaction_keyword(node)};
  }
  for (const AlwaysOutside& entry : k_always_outside) {
    if (type == entry.node) return outside(entry.description);
  }
  if (type == "IndexStmt" && flag(node, "concurrent")) return outside("CREATE INDEX CONCURRENTLY");
  if (type == "DropStmt" && flag(node, "concurrent")) return outside("DROP INDEX CONCURRENTLY");
  if (type == "ReindexStmt") return classify_reindex(node);
  if (type == "AlterTableStmt" && detaches_concurrently(node)) {
    return outside("DETACH PARTITION CONCURRENTLY");
  }
  if (type == "VacuumStmt" && flag(node, "is_vacuumcmd")) return outside("VACUUM");
  if (type == "AlterEnumStmt" && has(node, "newVal") && !has(node, "oldVal") &&
      server_version_num < k_enum_add_in_transaction_since) {
    return outside("ALTER TYPE … ADD VALUE");
  }
  if (type == "AlterDatabaseStmt" && find_option(node, "options", "tablespace") != nullptr) {
    return outside("ALTER DATABASE … SET TABLESPACE");
  }
  if (type == "ClusterStmt" && !has(node, "relation")) return outside("CLUSTER");
  if (type == "DiscardStmt" && text_of(node, "target") == "DISCARD_ALL") {
    return outside("DISCARD ALL");
  }
  if (type == "AlterSubscriptionStmt") return classify_alter_subscription(node);
  return {};
}

Need classify(const Statement& statement, int server_version_num) {
  if (statement.tree_json.empty()) return {};
  const json tree = json::parse(statement.tree_json, nullptr, false);
  if (tree.is_discarded()) return {};
  return classify(tree, server_version_num);
}

}  // namespace

TransactionNeed transaction_need(const Statement& statement, int server_version_num) {
  return classify(statement, server_version_num).need;
}

std::string describe_need(const Statement& statement) {
  return classify(statement, k_oldest_server).description;
}

}  // namespace pgdrift::sql
