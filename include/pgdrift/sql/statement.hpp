#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgdrift::sql {

// One SQL statement found in a text. Offsets are bytes into the text that was split, and so are
// the "location" fields in tree_json (libpg_query omits a location of 0).
struct Statement {
  std::size_t begin = 0;  // first byte of the statement's first token (leading comments skipped)
  std::size_t end = 0;    // one past its last byte; the terminating ';' is not included
  std::string node;       // parse-tree node type, e.g. "CreateStmt"; empty when it does not parse
  std::string tree_json;  // libpg_query's JSON parse tree of this statement; empty when unparsable
  std::string parse_error;        // libpg_query's message when it does not parse
  std::size_t parse_error_at = 0; // byte offset into the text of that error (when parse_error set)

  std::string_view text(std::string_view source) const {
    return source.substr(begin, end - begin);
  }
};

// Why a statement needs special handling by a transaction-wrapping runner.
enum class TransactionNeed {
  any,                 // runs fine inside a transaction block
  outside_transaction, // Postgres refuses it inside a transaction block
  transaction_control, // BEGIN/COMMIT/ROLLBACK/SAVEPOINT… written in the migration itself
};

// Splits `text` into statements with libpg_query's parser; when the text does not parse, falls
// back to the scanner so every statement (the bad one included) still gets its own range.
// Empty statements (stray ';', comments only) are omitted.
std::vector<Statement> split(std::string_view text);

// The byte offsets of every `--` comment in `text`: what looks like one inside a string, a quoted
// identifier, a dollar-quoted body or a block comment is not one.
std::vector<std::size_t> line_comments(std::string_view text);

// A psql meta-command found in a script (`\connect`, `\i`, …), by its byte offset.
struct MetaCommand {
  std::size_t offset = 0;  // of the backslash
  std::string name;        // "connect", "i", …
};

// `text` with what psql itself consumes instead of sending to the server blanked out, as pg_dump
// writes it: meta-commands (`\restrict KEY`, `\unrestrict KEY`, `\set …`, …: a backslash outside
// strings and comments, to the end of its line) and `COPY … FROM stdin;` statements with their
// data up to the `\.` line (data is not schema). Blanking keeps the length: every byte but line
// breaks becomes a space, so offsets and line numbers stay. Meta-commands that would change what
// is loaded (`\connect`, `\i`, `\include`, `\gexec`, `\if`, …) are blanked too and returned
// in `unsupported`.
std::string blank_psql_commands(std::string_view text, std::vector<MetaCommand>& unsupported);

// Whether `a` and `b` hold the same tokens in the same order: they differ at most in whitespace
// and comments (a string's or a dollar-quoted body's contents count as tokens, not whitespace).
bool same_tokens(std::string_view a, std::string_view b);

// What `statement` needs, for a server of version `server_version_num` (e.g. 110000: ALTER TYPE …
// ADD VALUE cannot run in a transaction before 12). Unparsable statements need nothing special.
TransactionNeed transaction_need(const Statement& statement, int server_version_num);

// A short human description of why, e.g. "CREATE INDEX CONCURRENTLY" or "COMMIT", for reports;
// empty when no server needs special handling. Version-independent: ALTER TYPE … ADD VALUE is
// always described (call it when transaction_need() is not `any`).
std::string describe_need(const Statement& statement);

}  // namespace pgdrift::sql
