#pragma once

// The change journal: event triggers in a database pgdrift replays into record every DDL command
// (ddl_command_end) and every dropped object (sql_drop) with the top-level statement that caused
// it, so that each object of the replayed model can say which file:line created it and which last
// changed it. The journal lives in the schema pgdrift_journal, which models leave out.

#include <memory>
#include <string>
#include <vector>

#include "pgdrift/catalog/schema_model.hpp"
#include "pgdrift/db/connection.hpp"
#include "pgdrift/migrations/migration.hpp"

namespace pgdrift::replay {

// Installs the journal in the connected database unless it is there already (a database restored
// from the replay cache keeps it). False, with nothing installed, when the session may not create
// event triggers (a `server` backend without superuser): models then carry no provenance.
bool install_journal(db::Connection& connection);

// Reads the journal and sets model.provenance for every object the statements of `migrations`
// (in the order they were replayed into this database) created or changed. Objects made by
// anything else (setup files, the tools' bookkeeping) get none. Throws pgdrift::Error
// (infrastructure) when the journal cannot be read; does nothing when it was never installed.
void attach_provenance(db::Connection& connection, const std::vector<migrations::Migration>& migrations,
                       catalog::SchemaModel& model);

// The journal of one database, read once and matched to the statements of the files replayed
// there: provenance for a model, and what each statement did.
class JournalReading {
 public:
  ~JournalReading();
  JournalReading(JournalReading&&) noexcept;
  JournalReading& operator=(JournalReading&&) noexcept;

  // Reads the connected database's journal for `migrations` (replayed there in this order). Empty
  // (recorded() false) when the journal was never installed. Throws like attach_provenance.
  static JournalReading read(db::Connection& connection, const std::vector<migrations::Migration>& migrations);

  bool recorded() const;
  // Sets model.provenance (see attach_provenance).
  void attach_provenance(catalog::SchemaModel& model) const;
  // Whether the statement of `file` (a display path) spanning `line` ran and dropped nothing: a
  // DROP … IF EXISTS of what was not there. False when the journal says nothing about it.
  bool dropped_nothing(const std::string& file, int line) const;

 private:
  struct Data;
  JournalReading();
  std::unique_ptr<Data> m;
};

}  // namespace pgdrift::replay
