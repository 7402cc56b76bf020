#pragma once

#include <chrono>
#include <memory>

#include "pgdrift/util/process.hpp"

namespace pgdrift::util {

// Runs a child to completion: the seam between code that drives command-line tools (the docker
// sandbox backend) and the operating system. Tests substitute a recording fake.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // As run_process: the child's status and combined output; a non-zero `timeout` kills it.
  // Throws pgdrift::Error (infrastructure) when the child cannot be started.
  virtual RunResult run(const ProcessSpec& spec, std::chrono::milliseconds timeout) = 0;
};

// The real runner: run_process. Stateless, so one instance may be shared between threads.
class SystemProcessRunner final : public ProcessRunner {
 public:
  RunResult run(const ProcessSpec& spec, std::chrono::milliseconds timeout) override;
};

// A shared SystemProcessRunner.
std::shared_ptr<ProcessRunner> system_process_runner();

}  // namespace pgdrift::util
