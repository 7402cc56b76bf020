#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "pgdrift/sandbox/local_backend.hpp"
#include "pgdrift/util/process.hpp"
#include "pgdrift/util/text.hpp"
#include "template_cache.hpp"
#include "tree_manifest.hpp"

namespace pgdrift::sandbox {

namespace {

bool executable(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

// "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → "15.18".
std::string parse_version(const std::string& output) {
  const auto marker = output.find("(PostgreSQL) ");
  if (marker == std::string::npos) return {};
  const auto start = marker + 13;
  auto end = output.find_first_of(" \n\r", start);
  return output.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// `postgres --version` costs a process start (tens of milliseconds) on every run: its answer is
// kept in <cache>/binaries, one "bindir<TAB>size<TAB>mtime<TAB>version" line per binary, and
// asked again when the binary's size or modification time changes (an upgrade).
class VersionCache {
 public:
  explicit VersionCache(const Environment& env) : m_file(cache_root("", env) / "binaries") {
    std::ifstream in(m_file);
    std::string line;
    while (std::getline(in, line)) {
      const auto fields = util::split(line, '\t');
      if (fields.size() == 4) m_entries[fields[0]] = {fields[1] + "\t" + fields[2], fields[3]};
    }
  }

  std::optional<std::string> find(const std::filesystem::path& postgres) const {
    const auto it = m_entries.find(postgres.string());
    if (it == m_entries.end() || it->second.first != stamp(postgres)) return std::nullopt;
    return it->second.second;
  }

  void remember(const std::filesystem::path& postgres, const std::string& version) {
    m_entries[postgres.string()] = {stamp(postgres), version};
    std::error_code ec;
    create_cache_dirs(m_file.parent_path(), m_file.parent_path(), ec);
    const auto staging = m_file.string() + "." + std::to_string(::getpid());
    {
      std::ofstream out(staging);
      for (const auto& [path, entry] : m_entries) out << path << '\t' << entry.first << '\t' << entry.second << '\n';
      if (!out) return;  // a cache only: never an error
    }
    std::filesystem::rename(staging, m_file, ec);
    if (ec) std::filesystem::remove(staging, ec);
  }

 private:
  static std::string stamp(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return "";
    return std::to_string(st.st_size) + "\t" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
  }

  std::filesystem::path m_file;
  std::map<std::string, std::pair<std::string, std::string>> m_entries;  // path → (stamp, version)
};

std::optional<ServerBinaries> probe(const std::filesystem::path& bindir, const Environment& env, VersionCache& cache) {
  if (!executable(bindir / "postgres") || !executable(bindir / "initdb")) return std::nullopt;
  if (const auto known = cache.find(bindir / "postgres")) {
    ServerBinaries found;
    found.bindir = bindir;
    found.version = *known;
    found.major = std::atoi(found.version.c_str());
    if (found.major > 0) return found;
  }
  util::ProcessSpec spec;
  spec.argv = {(bindir / "postgres").string(), "--version"};
  spec.env = {{"PATH", env_get(env, "PATH").value_or("/usr/bin:/bin")}, {"LC_ALL", "C"}};
  try {
    const auto result = util::run_process(spec, std::chrono::seconds{20});
    if (!result.status.ok()) return std::nullopt;
    ServerBinaries found;
    found.bindir = bindir;
    found.version = parse_version(result.output);
    if (found.version.empty()) return std::nullopt;
    found.major = std::stoi(found.version);
    cache.remember(bindir / "postgres", found.version);
    return found;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<ServerBinaries> find_server_binaries(const Environment& env) {
  std::vector<std::filesystem::path> candidates;
  const auto path_env = env_get(env, "PATH").value_or("");
  for (const auto& name : {"postgres", "initdb"}) {
    if (auto found = util::find_executable(name, path_env)) {
      std::error_code ec;
      const auto real = std::filesystem::canonical(*found, ec);
      candidates.push_back((ec ? *found : real).parent_path());
    }
  }
  // Debian/Ubuntu install server binaries off PATH, one directory per major version.
  std::error_code listing;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", listing)) {
    candidates.push_back(entry.path() / "bin");
  }
  candidates.emplace_back("/usr/local/pgsql/bin");
  // pg_config only helps when nothing else was found (a custom prefix off PATH): it costs a process.
  const bool fallback = std::none_of(candidates.begin(), candidates.end(), [](const auto& dir) {
    std::error_code ec;
    return std::filesystem::exists(dir / "postgres", ec) && std::filesystem::exists(dir / "initdb", ec);
  });
  if (fallback) {
    if (auto pg_config = util::find_executable("pg_config", path_env)) {
      util::ProcessSpec spec;
      spec.argv = {pg_config->string(), "--bindir"};
      spec.env = {{"PATH", path_env}, {"LC_ALL", "C"}};
      try {
        const auto result = util::run_process(spec, std::chrono::seconds{20});
        if (result.status.ok()) candidates.emplace_back(std::string(util::trim(result.output)));
      } catch (const std::exception&) {
        // pg_config is only a hint; the fixed locations still apply.
      }
    }
  }

  std::vector<ServerBinaries> found;
  std::set<std::string> seen;
  VersionCache versions(env);
  for (const auto& dir : candidates) {
    std::error_code canonical_error;
    const auto real = std::filesystem::canonical(dir, canonical_error);
    const auto resolved = canonical_error ? dir : real;
    if (!seen.insert(resolved.string()).second) continue;
    if (auto binaries = probe(resolved, env, versions)) found.push_back(*binaries);
  }
  std::stable_sort(found.begin(), found.end(), [](const ServerBinaries& a, const ServerBinaries& b) {
    if (a.major != b.major) return a.major > b.major;
    return util::natural_less(b.version, a.version);
  });
  return found;
}

}  // namespace pgdrift::sandbox
