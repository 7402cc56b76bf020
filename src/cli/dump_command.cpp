#include <chrono>

#include "pgdrift/catalog/render.hpp"
#include "pgdrift/report/report.hpp"
#include "pgdrift/util/error.hpp"
#include "pgdrift/util/file_write.hpp"
#include "secrets.hpp"
#include "source.hpp"

namespace pgdrift::cli {

int dump_command(const CommonFlags& common, const ReplayFlags& flags, const DumpFlags& dump, Io io) {
  const auto started = std::chrono::steady_clock::now();
  const auto cfg = load_config(common, flags, io);
  auto options = introspect_options(cfg);
  if (!dump.schemas.empty()) options.include_schemas = dump.schemas;
  options.exclude_schemas.insert(options.exclude_schemas.end(), dump.exclude_schemas.begin(), dump.exclude_schemas.end());
  options.exclude_objects.insert(options.exclude_objects.end(), dump.exclude.begin(), dump.exclude.end());

  const auto source = load_source(url_argument("SOURCE", dump.source, io), cfg, options, io, common.verbose);
  if (!source.loaded) {
    // The schema could not be built: show why, as replay would, and dump nothing.
    report::Report failed;
    failed.command = "dump";
    failed.findings = source.findings;
    failed.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    report::write_text(io.err, failed, {false, false, true});
    io.err << "pgdrift dump: " << source.description << " could not be loaded; nothing dumped\n";
    return 1;
  }
  const auto text = dump.json ? catalog::to_json(source.model) : catalog::to_text(source.model);
  if (dump.output.empty()) {
    io.out << text;
  } else {
    util::write_file_atomically(dump.output, text);
  }
  if (common.verbose) {
    io.err << "pgdrift dump: " << source.model.objects.size() << " objects from " << source.description << "\n";
  }
  return 0;
}

}  // namespace pgdrift::cli
