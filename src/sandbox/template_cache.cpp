#include "template_cache.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <fstream>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/hash.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/temp_dir.hpp"

namespace pgdrift::sandbox {

namespace {

// Bump when the initdb options below change, so old templates are not reused.
constexpr const char* k_layout = "v1";

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
  if (std::filesystem::exists(dir / "ready", ec)) return dir / "data";

  std::filesystem::create_directories(templates, ec);
  if (ec) {
    throw infra_error("cannot create the sandbox cache directory " + templates.string() + ": " +
                          ec.message(),
                      "pass --cache-dir DIR (or sandbox.cache_dir) pointing at a writable directory");
  }
  if (m_options.log) {
    m_options.log("sandbox: creating the template cluster for PostgreSQL " + m_binaries.version +
                  " in " + dir.string() + " (once per server version)");
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
  std::filesystem::copy(work.path() / "data", staging.path() / "data",
                        std::filesystem::copy_options::recursive, ec);
  if (ec) throw infra_error("cannot fill the template cache " + staging.path().string() + ": " + ec.message());
  std::ofstream(staging.path() / "ready") << m_binaries.bindir.string() << "\n";
  std::filesystem::rename(staging.path(), dir, ec);
  if (!ec) {
    staging.release();
  } else if (!std::filesystem::exists(dir / "ready")) {
    throw infra_error("cannot install the template cluster into " + dir.string() + ": " + ec.message());
  }
  // else: a concurrent run installed the same template first; ours is discarded with `staging`.
  return dir / "data";
}

}  // namespace pgdrift::sandbox
