#include "pgdrift/report/report.hpp"
#include "pgdrift/util/redact.hpp"

namespace pgdrift::report {

namespace {

void mask(std::string& text) { text = util::redact(text); }

}  // namespace

// Every field of text pgdrift did not write itself is masked: server messages (message, detail
// with CONTEXT and the statement echoed there, hint), a framework command's output, error texts,
// and the names and fixes that come from targets. redact() keeps everything but the secret, so
// the SQL around a password stays readable; rule ids, locations, counts and statuses are
// pgdrift's own and are left alone.
Report without_secrets(const Report& report) {
  Report out = report;
  mask(out.migrations_dir);
  mask(out.migrations_command);
  mask(out.backend);
  mask(out.judged.base);
  mask(out.judged.cache);
  for (auto& row : out.migrations) {
    mask(row.name);
    mask(row.transaction_note);
  }
  for (auto& check : out.checks) {
    mask(check.name);
    mask(check.target);
    mask(check.error_message);
  }
  for (auto& f : out.findings) {
    mask(f.message);
    mask(f.object);
    mask(f.detail);
    mask(f.hint);
    mask(f.target);
    mask(f.fix);
  }
  out.fix_scripts.clear();
  for (const auto& [target, script] : report.fix_scripts) out.fix_scripts[util::redact(target)] = util::redact(script);
  mask(out.error_message);
  mask(out.error_hint);
  return out;
}

}  // namespace pgdrift::report
