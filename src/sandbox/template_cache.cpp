#include "template_cache.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/temp_dir.hpp"
#include "tree_manifest.hpp"

namespace pgdrift::sandbox {

namespace {

// Bump when the initdb options below or the directory's layout change, so old templates are not
// reused. v2: read only, with a manifest checked before each use.
constexpr const char* k_layout = "v2";

// Unix socket paths are limited to 107 bytes: "<base>/pgdrift-XXXXXX/.s.PGSQL.NNNNN" must fit.
constexpr std::size_t k_max_base_length = 70;
constexpr const char* k_shared_memory_dir = "/dev/shm";
// Docker gives containers a 64 MB /dev/shm: too small for a cluster plus a real schema.
constexpr unsigned long long k_min_shared_memory_free = 1ULL << 30;

}  // namespace

std::filesystem::path scratch_base(const Environment& env, const std::optional<util::Account>& account) {
  const auto tmpdir = env_get(env, "TMPDIR").value_or("");
  if (!tmpdir.empty()) {
    if (tmpdir.size() > k_max_base_length) return "/tmp";
    if (account && !util::can_traverse(tmpdir, *account)) return "/tmp";
    return tmpdir;
  }
  // A throwaway cluster belongs in memory: /dev/shm (tmpfs) when it has room, else /tmp.
  struct statvfs shm {};
  if (::statvfs(k_shared_memory_dir, &shm) == 0 && ::access(k_shared_memory_dir, W_OK | X_OK) == 0 &&
      static_cast<unsigned long long>(shm.f_bavail) * shm.f_frsize >= k_min_shared_memory_free) {
    return k_shared_memory_dir;
  }
  return "/tmp";
}

std::filesystem::path cache_root(const std::string& configured, const Environment& env) {
  if (!configured.empty()) return configured;
  if (auto xdg = env_get(env, "XDG_CACHE_HOME"); xdg && !xdg->empty()) {
    return std::filesystem::path(*xdg) / "pgdrift";
  }
  if (auto home = env_get(env, "HOME"); home && !home->empty()) {
    return std::filesystem::path(*home) / ".cache" / "pgdrift";
  }
  return "/tmp/pgdrift-cache-" + std::to_string(getuid());
}

TemplateCache::TemplateCache(std::filesystem::path root, ServerBinaries binaries,
                             std::optional<util::Account> account, Options options)
    : m_root(std::move(root)),
      m_binaries(std::move(binaries)),
      m_account(std::move(account)),
      m_options(std::move(options)) {}

std::filesystem::path TemplateCache::ensure() const {
  const auto templates = m_root / "templates";
  const auto dir = templates / ("pg" + m_binaries.version + "-" +
                                util::sha256_hex(m_binaries.bindir.string()).substr(0, 10) + "-" + k_layout);
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    const auto why = verify(dir);
    if (why.empty()) return dir / "data";
    discard(dir, why);
  }

  create_cache_dirs(m_root, templates, ec);
  if (ec) {
    throw infra_error("cannot create the sandbox cache directory " + templates.string() + ": " + ec.message(),
                      cache_hint(m_root));
  }
  if (m_options.log) {
    m_options.log("sandbox: creating the template cluster for PostgreSQL " + m_binaries.version + " in " +
                  dir.string() + " (once per server version)");
  }

  util::TempDir work(scratch_base(m_options.env, m_account), "pgdrift-initdb-", true);
  if (m_account) util::chown_recursive(work.path().string(), *m_account);
  util::ProcessSpec spec;
  spec.argv = {(m_binaries.bindir / "initdb").string(),
               "-D", (work.path() / "data").string(),
               "-U", "postgres",
               "--auth=trust",
               "--encoding=UTF8",
               "--locale=C",
               "--no-sync"};
  // Small WAL segments keep the per-run copy small (16 MB → 1 MB); available since PostgreSQL 11.
  if (m_binaries.major >= 11) spec.argv.push_back("--wal-segsize=1");
  spec.env = {{"PATH", env_get(m_options.env, "PATH").value_or("/usr/bin:/bin")}, {"LC_ALL", "C"}};
  spec.run_as = m_account;
  const auto result = util::run_process(spec, std::chrono::minutes{3});
  if (!result.status.ok()) {
    throw infra_error("initdb (" + m_binaries.bindir.string() + ") failed, " + result.status.describe() +
                          ":\n" + util::last_lines(result.output, 15),
                      "see initdb's output above");
  }

  util::TempDir staging(templates, ".staging-");
  // Everything is in place and read only before `ready` is written and the directory renamed into
  // place: a template without `ready` and `manifest` was never finished.
  const auto staged = staging.path() / "data";
  std::filesystem::copy(work.path() / "data", staged,
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::copy_symlinks, ec);
  if (!ec) make_tree_read_only(staged, ec);
  if (ec) {
    throw infra_error("cannot fill the template cache " + staging.path().string() + ": " + ec.message(),
                      cache_hint(m_root));
  }
  if (const auto why = write_tree_manifest(staged, staging.path() / "manifest"); !why.empty()) {
    throw infra_error("cannot write the template's manifest in " + staging.path().string() + ": " + why,
                      cache_hint(m_root));
  }
  {
    std::ofstream ready(staging.path() / "ready");
    ready << m_binaries.bindir.string() << "\n";
    ready.flush();
    if (!ready) {
      throw infra_error("cannot write " + (staging.path() / "ready").string(), cache_hint(m_root));
    }
  }
  std::filesystem::permissions(staging.path() / "ready", std::filesystem::perms::owner_read, ec);
  std::filesystem::rename(staging.path(), dir, ec);
  if (!ec) {
    staging.release();
    return dir / "data";
  }
  // A concurrent run installed the same template first: ours is discarded (its read-only
  // directories opened up first, or `staging` could not remove them).
  std::error_code ignored;
  remove_tree(staging.path(), ignored);
  if (verify(dir).empty()) return dir / "data";
  throw infra_error("cannot install the template cluster into " + dir.string() + ": " + ec.message(),
                    cache_hint(m_root));
}

std::string TemplateCache::verify(const std::filesystem::path& dir) const {
  std::error_code ec;
  if (!std::filesystem::exists(dir / "ready", ec)) return "it was never finished";
  const auto started = std::chrono::steady_clock::now();
  std::size_t entries = 0;
  const auto why = verify_tree_manifest(dir / "data", dir / "manifest", &entries);
  if (why.empty() && m_options.log) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    m_options.log("sandbox: the cached template " + dir.string() + " is intact (" + std::to_string(entries) +
                  " files checked in " + std::to_string(us.count() / 1000) + "." +
                  std::to_string(us.count() % 1000 / 100) + " ms)");
  }
  return why;
}

void TemplateCache::discard(const std::filesystem::path& dir, const std::string& why) const {
  const std::string line = "sandbox: the cached template " + dir.string() + " " +
                           (why == "no manifest" ? "has no manifest (an older layout)"
                            : why == "it was never finished" ? "was never finished"
                                                               : "was modified (" + why + ")") +
                           "; rebuilding it";
  if (m_options.warn) {
    m_options.warn(line);
  } else if (m_options.log) {
    m_options.log(line);
  }
  // Renamed out of the way first: no other run starts from it from now on.
  const auto trash = dir.parent_path() / (".trash-" + dir.filename().string() + "-" + std::to_string(::getpid()));
  std::error_code ec;
  std::filesystem::rename(dir, trash, ec);
  if (ec && std::filesystem::exists(dir)) {
    throw infra_error("cannot remove the damaged template " + dir.string() + ": " + ec.message(), cache_hint(m_root));
  }
  if (!ec) remove_tree(trash, ec);
  if (ec) {
    throw infra_error("cannot remove the damaged template " + trash.string() + ": " + ec.message(),
                      cache_hint(m_root));
  }
}

}  // namespace pgdrift::sandbox
