#pragma once

#include <string>
#include <vector>

#include "pgdrift/util/process.hpp"

namespace pgdrift::util::detail {

// An Isolation worked out in the parent, so that applying it in the forked child allocates
// nothing: existing, distinct directories only, and the directories to create before each bind.
struct IsolationPlan {
  bool user_namespace = false;             // not root: map our ids in a user namespace first
  std::string uid_map;                     // "<uid> <uid> 1\n"
  std::string gid_map;
  std::vector<std::string> hide;           // outermost first, none inside another
  std::vector<std::string> keep;           // each inside some hidden directory
  std::vector<std::vector<std::string>> keep_mkdirs;  // per keep: directories to create, outer first
  std::vector<int> keep_fds;               // scratch for the child (one per keep)
};

// The plan for `isolation` in this process (root or not).
IsolationPlan plan_isolation(const Isolation& isolation);

// Runs in the forked child, before any account switch: enters the namespaces and hides the
// directories. Returns nullptr, or what failed (errno says why). Async-signal-safe.
const char* apply_isolation(IsolationPlan& plan);

}  // namespace pgdrift::util::detail
