#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "drift_support.hpp"
#include "output.hpp"
#include "pgdrift/diff/findings.hpp"
#include "pgdrift/diff/heal.hpp"
#include "pgdrift/diff/server_canonicalizer.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"
#include "pgdrift/version.hpp"
#include "rebuilt_schema.hpp"
#include "secrets.hpp"
#include "source.hpp"

namespace pgdrift::cli {

namespace {

void report_aligned(std::size_t aligned, Io io, bool verbose) {
  if (verbose && aligned > 0) {
    io.err << "pgdrift: " << aligned
           << (aligned == 1 ? " expression is spelled differently but parses the same\n"
                            : " expressions are spelled differently but parse the same\n");
  }
}

// B's expressions that A spells differently but that parse the same take A's text, so neither
// the findings nor --sql report them. They are probed in the sandbox database of A, else of B
// (and that sandbox is stopped); between two database URLs, in a sandbox started only when an
// expression differs, holding A's schema rebuilt from A's model.
void align_expressions(LoadedSource& a, LoadedSource& b, const config::Config& cfg, Io io, bool verbose) {
  LoadedSource& probed = a.database ? a : b;
  if (probed.database) {
    diff::ServerCanonicalizer canonicalizer(*probed.database);
    report_aligned(diff::align_expressions(a.model, b.model, canonicalizer), io, verbose);
    probed.sandbox->stop();
    probed.sandbox.reset();
    return;
  }
  RebuiltSchemaCanonicalizer canonicalizer(a.model, sandbox_options(cfg, io.env, io.err, verbose));
  report_aligned(diff::align_expressions(a.model, b.model, canonicalizer), io, verbose);
  if (!canonicalizer.unavailable().empty()) {
    io.err << "pgdrift: warning: expressions are compared as written (no sandbox to parse them in: "
           << canonicalizer.unavailable() << ")\n";
  } else if (verbose && canonicalizer.started()) {
    io.err << "pgdrift: expressions were probed in a sandbox holding the first database's schema\n";
  }
  canonicalizer.stop();
}

// Each object of a kind the model lacks, once (with the sources holding it): diff did not compare
// it, and says so rather than ignore it.
std::vector<Finding> unmodeled_findings(const LoadedSource& a, const LoadedSource& b) {
  std::map<catalog::UnmodeledObject, std::vector<std::string>> where;
  for (const auto& object : a.unmodeled) where[object].push_back(a.description);
  for (const auto& object : b.unmodeled) where[object].push_back(b.description);
  std::vector<Finding> out;
  for (const auto& [object, sources] : where) {
    Finding f;
    f.rule = "drift/unmodeled-object";
    f.severity = Severity::warning;
    f.object = object.kind + " " + object.name;
    f.message = f.object + " (in " + util::join(sources, " and in ") +
                ") is not compared: pgdrift does not model " + object.kind + "s yet";
    f.hint = "compare it by hand, and create or drop it in a migration of its own";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

int diff_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io) {
  const auto started = std::chrono::steady_clock::now();
  const auto cfg = load_config(common, flags, io);
  if (drift.sources.size() != 2) {
    throw usage_error("diff compares two SOURCEs", "pgdrift diff SOURCE_A SOURCE_B [--sql]");
  }
  const auto options = introspect_options(cfg);
  const auto source_a = url_argument("SOURCE_A", drift.sources[0], io);
  const auto source_b = url_argument("SOURCE_B", drift.sources[1], io);
  // Reports attach file-less findings to a path: A's, unless A is a database URL (a secret).
  const std::string fallback_path = classify_source(source_a) == SourceKind::database ? std::string() : source_a;
  report::Report report;
  report.command = "diff";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  LoadedSource a;
  LoadedSource b;
  try {
    // One sandbox stays up for the expression probes: A's (the reference), else B's.
    a = load_source(source_a, cfg, options, io, common.verbose, true);
    if (a.loaded) b = load_source(source_b, cfg, options, io, common.verbose, !a.sandbox);
  } catch (const Error& e) {
    // CI always gets its report files, also when the run stops with exit 2 or 3.
    write_error_reports(report, e, flags, fallback_path, io);
    throw;
  }
  if (!a.loaded || !b.loaded) {
    if (a.sandbox) a.sandbox->stop();
    // A source that does not build has no schema to compare: show why, as replay would.
    report.findings = a.loaded ? b.findings : a.findings;
    report.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    write_outputs(report, common, flags, fallback_path, io);
    return 1;
  }
  align_expressions(a, b, cfg, io, common.verbose);
  if (drift.sql) {
    diff::HealOptions heal;
    heal.allow_destructive = drift.allow_destructive;
    const auto steps = diff::heal(a.model, b.model, heal);
    for (const auto& f : unmodeled_findings(a, b)) io.err << "pgdrift: warning: " << f.message << "\n";
    io.out << diff::render_script(steps, heal);
    return drift.exit_code && !steps.empty() ? 1 : 0;
  }
  const auto differences = without_ignored(diff::compare(a.model, b.model, compare_options(cfg)), cfg);
  diff::FindingOptions finding_options;
  finding_options.target = b.description;
  finding_options.reference = "in " + a.description;
  report.findings = diff::findings(differences, a.model, b.model, finding_options);
  for (auto& f : unmodeled_findings(a, b)) report.findings.push_back(std::move(f));
  report.checks.push_back({"drift", b.description, "", b.description, 0, false, "", ""});
  apply_severity_overrides(report.findings, cfg);
  sort_findings(report.findings);
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  write_outputs(report, common, flags, fallback_path, io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
