#include <chrono>

#include "drift_support.hpp"
#include "output.hpp"
#include "pgdrift/diff/findings.hpp"
#include "pgdrift/diff/heal.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/version.hpp"
#include "source.hpp"

namespace pgdrift::cli {

int diff_command(const CommonFlags& common, const ReplayFlags& flags, const DriftFlags& drift, Io io) {
  const auto started = std::chrono::steady_clock::now();
  const auto cfg = load_config(common, flags, io.env);
  if (drift.sources.size() != 2) {
    throw usage_error("diff compares two SOURCEs", "pgdrift diff SOURCE_A SOURCE_B [--sql]");
  }
  const auto options = introspect_options(cfg);
  const auto a = load_source(drift.sources[0], cfg, options, io, common.verbose);
  const auto b = a.loaded ? load_source(drift.sources[1], cfg, options, io, common.verbose) : LoadedSource{};

  report::Report report;
  report.command = "diff";
  report.tool_version = k_version;
  report.fail_on = *parse_severity(cfg.fail_on);
  if (!a.loaded || !b.loaded) {
    // A source that does not build has no schema to compare: show why, as replay would.
    report.findings = a.loaded ? b.findings : a.findings;
    report.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    write_outputs(report, common, flags, drift.sources[0], io);
    return 1;
  }
  if (drift.sql) {
    diff::HealOptions heal;
    heal.allow_destructive = drift.allow_destructive;
    io.out << diff::render_script(diff::heal(a.model, b.model, heal), heal);
    return 0;
  }
  const auto differences = without_ignored(diff::compare(a.model, b.model, compare_options(cfg)), cfg);
  report.findings = diff::findings(differences, a.model, b.model, {b.description, false});
  report.checks.push_back({"drift", b.description, "", b.description, 0, false, ""});
  apply_severity_overrides(report.findings, cfg);
  sort_findings(report.findings);
  report.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  write_outputs(report, common, flags, drift.sources[0], io);
  return report::exit_code(report);
}

}  // namespace pgdrift::cli
