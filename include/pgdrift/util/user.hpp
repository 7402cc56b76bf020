#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace pgdrift::util {

// An operating-system account that child processes can be switched to.
struct Account {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

// Makes this process non-dumpable: other processes of the same uid can no longer ptrace it or
// read its /proc/PID/environ, mem and fd entries (children get their own flag back at exec).
void keep_process_private();

// True when this process runs with effective uid 0.
bool running_as_root();

// The unprivileged account Postgres runs as when pgdrift runs as root: `postgres` if it
// exists, else `nobody`. Nullopt when not root (children then run as the current user).
// Throws pgdrift::Error (infrastructure) when root but neither account exists.
std::optional<Account> unprivileged_account_if_root();

// As root, an account of one sandbox server's own: a uid (and equal gid) that no passwd or group
// entry names, derived from this process's id so concurrent runs never share one, and not handed
// out again until released; named "uid N". Nullopt when not root.
std::optional<Account> run_account_if_root();

// Lets run_account_if_root() hand `account` out again (its processes must be gone).
void release_run_account(const Account& account);

// Kills (SIGKILL) every process running as `account`, from a child switched to it. Root only;
// `account` must be one of run_account_if_root()'s, never a shared one. False when it could not
// (not root, or the switch failed).
bool kill_processes_of(const Account& account);

// True when `account` may search (traverse) `dir` and every directory above it, judged from the
// permission bits (root's own access says nothing about the account's).
bool can_traverse(const std::string& dir, const Account& account);

// Changes the owner of `path` and everything below it.
void chown_recursive(const std::string& path, const Account& account);

}  // namespace pgdrift::util
