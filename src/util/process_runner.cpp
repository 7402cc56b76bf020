#include "pgdrift/util/process_runner.hpp"

namespace pgdrift::util {

RunResult SystemProcessRunner::run(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  return run_process(spec, timeout);
}

std::shared_ptr<ProcessRunner> system_process_runner() {
  static const auto runner = std::make_shared<SystemProcessRunner>();
  return runner;
}

}  // namespace pgdrift::util
