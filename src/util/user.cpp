#include "pgdrift/util/user.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
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
