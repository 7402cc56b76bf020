#pragma once

// Private to lint/rules: what a migration file did so far to the columns of tables that existed
// before it (tables it created itself are skipped by the rules anyway).

#include <map>
#include <string>

#include "pgdrift/lint/rule.hpp"
#include "pgdrift/sql/tree.hpp"

namespace pgdrift::lint::rules {

// Columns a file added to tables (or created with CREATE TABLE) and the type it last gave a column, so rules can tell a column
// holding pre-migration data from one the file added itself, and know an old type when the file
// set it. Rules call observe() with every statement after checking it. Tables are matched by
// same_name (support.hpp), as FileState::created_here matches them.
class KnownColumns {
 public:
  void observe(const sql::Node& tree);

  // Whether ALTER TABLE … ADD COLUMN added `column` to `table` earlier in the file.
  bool added_here(const std::string& table, const std::string& column) const;
  // The TypeName the file last gave the column (ADD COLUMN or ALTER COLUMN TYPE); a null node
  // when the file never did.
  sql::Node type_of(const std::string& table, const std::string& column) const;
  // The same, falling back to what earlier migrations gave it (state.known) when the file did not.
  sql::Node type_of(const std::string& table, const std::string& column, const FileState& state) const;

 private:
  struct Column {
    std::string table;
    std::string name;
    bool added = false;
    sql::Node type;
  };
  Column* find(const std::string& table, const std::string& column);
  const Column* find(const std::string& table, const std::string& column) const;
  Column& entry(const std::string& table, const std::string& column);
  void forget_table(const std::string& table);

  std::map<std::string, Column> m_columns;  // by "table.column" as first written
};

}  // namespace pgdrift::lint::rules
