#pragma once

// Private to the destructive-change guard (guard*.cpp): reading identifiers and catalog property
// values as text.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pgdrift/sql/statement.hpp"

namespace pgdrift::lint::guard {

// Whether `text` contains `word` as a whole identifier (or words separated by single spaces):
// not preceded or followed by an identifier byte (letter, digit, _, $, non-ASCII). Exact case.
bool mentions(std::string_view text, std::string_view word);

// `name` as Postgres prints it in a qualified type name: bare when a plain lower-case identifier,
// else double-quoted.
std::string quote_if_needed(const std::string& name);

// The labels of an enum's "labels" property ("'a', 'it''s'" → a, it's).
std::vector<std::string> enum_labels(const std::string& text);

// The text inside the first balanced parentheses: "USING btree (a, b) WHERE …" → "a, b".
std::string first_group(const std::string& text);

// A default expression without the casts to `types` around it: "('ok'::public.mood)::text" →
// "'ok'" for types {"public.mood", "text"}. A type's modifiers may be missing from the cast.
std::string without_casts(std::string expression, const std::vector<std::string>& types);

// The (schema, table) pairs of a table's "partition_of" or "inherits" property ("public.a,
// app.\"B\"" → (public, a), (app, B)), unquoted.
std::vector<std::pair<std::string, std::string>> parent_tables(const std::string& list);

// Whether the change journal cannot tell the guard everything `statement` changed, so that the
// migration running it is compared on whole-schema reads: it renames or moves an object (other
// objects' texts change without an event naming them), renames an enum label, attaches, detaches
// or inherits a table, creates or alters an event trigger, or sets session_replication_role.
// True when it does not parse.
bool hides_changes_from_journal(const sql::Statement& statement);

// Whether `statement` runs code whose DDL the guard only learns from the journal: DO, CALL,
// SELECT, EXECUTE, CREATE TABLE AS, a write calling a user function.
bool runs_code(const sql::Statement& statement);

}  // namespace pgdrift::lint::guard
