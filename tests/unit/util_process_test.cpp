// util::Process and run_process with real child processes (sh, sleep): what a child leaves
// running in the background never outlives it, on a timeout or after a normal exit.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "pgdrift/util/process.hpp"
#include "pgdrift/util/temp_dir.hpp"

namespace pgdrift::util {
namespace {

using namespace std::chrono_literals;

bool alive(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(in)), {});
  const auto close = stat.rfind(") ");
  return close != std::string::npos && stat[close + 2] != 'Z';
}

long read_pid(const std::filesystem::path& file) {
  for (int i = 0; i < 250; ++i) {
    std::ifstream in(file);
    long pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(20ms);
  }
  return 0;
}

bool ends_soon(long pid) {
  for (int i = 0; i < 250 && alive(pid); ++i) std::this_thread::sleep_for(20ms);
  return !alive(pid);
}

ProcessSpec shell(const std::string& script) {
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  return spec;
}

TEST(RunProcess, ATimeoutKillsTheCommandsGrandchildrenToo) {
  TempDir dir("/tmp", "pgdrift-test-");
  const auto pid_file = dir.path() / "grandchild";
  const auto result = run_process(shell("sleep 300 & echo $! > " + pid_file.string() + "; sleep 300"), 300ms);
  EXPECT_TRUE(result.status.timed_out);
  const long grandchild = read_pid(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ends_soon(grandchild)) << "the background sleep outlived its timed-out parent";
}

TEST(RunProcess, WhatACommandLeavesInTheBackgroundEndsWithIt) {
  TempDir dir("/tmp", "pgdrift-test-");
  const auto pid_file = dir.path() / "grandchild";
  const auto result = run_process(shell("sleep 300 & echo $! > " + pid_file.string() + "; echo done"), 30s);
  EXPECT_TRUE(result.status.ok()) << result.status.describe();
  EXPECT_EQ("done\n", result.output);  // the twin: a normal exit keeps its status and output
  const long grandchild = read_pid(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ends_soon(grandchild)) << "the background sleep outlived the command";
}

TEST(Process, StopEndsTheWholeProcessGroup) {
  TempDir dir("/tmp", "pgdrift-test-");
  const auto pid_file = dir.path() / "grandchild";
  Process child(shell("sleep 300 & echo $! > " + pid_file.string() + "; exec sleep 300"));
  const long grandchild = read_pid(pid_file);
  ASSERT_GT(grandchild, 0);
  const auto status = child.stop(SIGTERM, 2s);
  EXPECT_EQ(SIGTERM, status.signal);
  EXPECT_TRUE(ends_soon(grandchild));
}

}  // namespace
}  // namespace pgdrift::util
