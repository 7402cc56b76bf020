#include <chrono>

#include "drift_support.hpp"
#include "output.hpp"
#include "pgdrift/diff/findings.hpp"
#include "pgdrift/diff/heal.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/version.hpp"
#include "secrets.hpp"
#include "source.hpp"

namespace pgdrift::cli {

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
    a = load_source(source_a, cfg, options, io, common.verbose);
    if (a.loaded) b = load_source(source_b, cfg, options, io, common.verbose);
  } catch (const Error& e) {
    // CI always gets its report files, also when the run stops with exit 2 or 3.
    write_error_reports(report, e, flags, fallback_path, io);
    throw;
  }
  if (!a.loaded || !b.loaded) {
    // A source that does not build has no schema to compare: show why, as replay would.
    report.findings = a.loaded ? b.findings : a.findings;
    report.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    write_outputs(report, common, flags, fallback_path, io);
    return 1;
  }
  if (drift.sql) {
    diff::HealOptions heal;
    heal.allow_destructive = drift.allow_destructive;
    io.out << diff::render_script(diff::heal(a.model, b.model, heal), heal);
    return 0;
  }
  const auto differences = without_ignored(diff::compare(a.model, b.model, compare_options(cfg)), cfg);
  diff::FindingOptions finding_options;
  finding_options.target = b.description;
  finding_options.reference = "in " + a.description;
  report.findings = diff::findings(differences, a.model, b.model, finding_options);
  report.checks.push_back({"drift", b.description, "", b.description, 0, false, "", ""});
  apply_severity_overrides(report.findings, cfg);
  sort_findings(report.findings);
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  write_outputs(report, common, flags, fallback_path, io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
