#include "pgdrift/util/user.hpp"

#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <vector>

#include "pgdrift/util/error.hpp"

namespace pgdrift::util {

namespace {

std::optional<Account> lookup(const char* name) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* result = nullptr;
  if (getpwnam_r(name, &entry, buffer.data(), buffer.size(), &result) != 0 || result == nullptr) {
    return std::nullopt;
  }
  return Account{entry.pw_uid, entry.pw_gid, entry.pw_name};
}

void chown_one(const std::string& path, const Account& account) {
  if (lchown(path.c_str(), account.uid, account.gid) != 0) {
    throw infra_error("cannot change the owner of " + path + " to " + account.name + ": " +
                      std::strerror(errno));
  }
}

}  // namespace

bool running_as_root() { return geteuid() == 0; }

void keep_process_private() { ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

std::optional<Account> unprivileged_account_if_root() {
  if (!running_as_root()) return std::nullopt;
  for (const char* name : {"postgres", "nobody"}) {
    if (auto account = lookup(name); account && account->uid != 0) return account;
  }
  throw infra_error("running as root, but there is no 'postgres' or 'nobody' account to run the "
                    "throwaway PostgreSQL server as (PostgreSQL refuses to run as root)",
                    "create a 'postgres' system user (adduser --system postgres) or run pgdrift as "
                    "a normal user");
}

namespace {

std::mutex g_run_accounts_mutex;
std::set<uid_t> g_run_accounts;  // handed out by run_account_if_root() and not yet released

bool named(uid_t id) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* pw = nullptr;
  group gentry{};
  group* gr = nullptr;
  return (getpwuid_r(id, &entry, buffer.data(), buffer.size(), &pw) == 0 && pw != nullptr) ||
         (getgrgid_r(id, &gentry, buffer.data(), buffer.size(), &gr) == 0 && gr != nullptr);
}

}  // namespace

std::optional<Account> run_account_if_root() {
  if (!running_as_root()) return std::nullopt;
  // Far above the ids distributions hand out and below 2^31 (some tools take ids as signed):
  // pids stay below 2^22, and each process has 8 ids of its own for concurrent sandboxes.
  constexpr uid_t k_base = 1'900'000'000;
  constexpr uid_t k_per_process = 8;
  const uid_t first = k_base + static_cast<uid_t>(::getpid()) * k_per_process;
  std::lock_guard<std::mutex> lock(g_run_accounts_mutex);
  for (uid_t uid = first; uid < first + k_per_process; ++uid) {
    if (g_run_accounts.count(uid) != 0 || named(uid)) continue;
    g_run_accounts.insert(uid);
    return Account{uid, uid, "uid " + std::to_string(uid)};
  }
  throw infra_error("no free user id for another sandbox server in " + std::to_string(first) + "-" +
                        std::to_string(first + k_per_process - 1) + " (" + std::to_string(k_per_process) +
                        " run at once at most, and none named in /etc/passwd or /etc/group)",
                    "stop a sandbox first, or remove the accounts in that range");
}

void release_run_account(const Account& account) {
  std::lock_guard<std::mutex> lock(g_run_accounts_mutex);
  g_run_accounts.erase(account.uid);
}

bool kill_processes_of(const Account& account) {
  if (!running_as_root() || account.uid == 0) return false;
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(account.gid) != 0 || ::setuid(account.uid) != 0) _exit(1);
    ::kill(-1, SIGKILL);  // every process this uid may signal, but this one
    _exit(0);
  }
  if (pid < 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool can_traverse(const std::string& dir, const Account& account) {
  std::filesystem::path current = std::filesystem::absolute(dir);
  while (true) {
    struct stat info {};
    if (::stat(current.c_str(), &info) != 0) return false;
    mode_t needed = S_IXOTH;
    if (info.st_uid == account.uid) {
      needed = S_IXUSR;
    } else if (info.st_gid == account.gid) {
      needed = S_IXGRP;
    }
    if ((info.st_mode & needed) == 0) return false;
    if (current == current.root_path()) return true;
    current = current.parent_path();
  }
}

void chown_recursive(const std::string& path, const Account& account) {
  chown_one(path, account);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    chown_one(it->path().string(), account);
  }
  if (ec) throw infra_error("cannot walk " + path + ": " + ec.message());
}

}  // namespace pgdrift::util
