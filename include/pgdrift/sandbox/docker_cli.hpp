#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pgdrift/util/environment.hpp"
#include "pgdrift/util/process_runner.hpp"

namespace pgdrift::sandbox {

// Labels on every container pgdrift starts: a public contract (README), read by `sandbox prune`.
inline constexpr const char* k_label_managed = "pgdrift";    // always "1"
inline constexpr const char* k_label_run = "pgdrift.run";    // the run id (also in the name)
inline constexpr const char* k_label_pid = "pgdrift.pid";    // pid of the pgdrift that made it
inline constexpr const char* k_label_host = "pgdrift.host";  // hostname of that machine

// What `docker run -d` starts.
struct ContainerSpec {
  std::string name;
  std::string image;
  // In this order on the command line.
  std::vector<std::pair<std::string, std::string>> labels;
  // e.g. "127.0.0.1::5432"; empty = nothing published.
  std::string publish;
  // Visible on the command line (and to `ps`): never secrets.
  std::map<std::string, std::string> env;
  // Handed over through the CLI's own environment: only `-e NAME` is on the command line.
  std::map<std::string, std::string> secret_env;
  // tmpfs mount points.
  std::vector<std::string> tmpfs;
  // After the image.
  std::vector<std::string> command;
};

// A container labelled pgdrift=1, as `docker inspect` describes it.
struct LabelledContainer {
  std::string id;
  std::string name;
  std::string run;     // pgdrift.run
  std::string host;    // pgdrift.host
  std::string status;  // running, exited, created, …
  long pid = 0;        // pgdrift.pid; 0 when missing or malformed
};

// The docker CLI (podman works the same), driven through a ProcessRunner with argv vectors,
// never a shell. Cheap to copy. Every method throws pgdrift::Error (infrastructure) when the CLI
// fails or times out, with docker's message and what to do (a daemon that is not running, or
// that this user may not use, gets its own message).
class DockerCli {
 public:
  // `executable`: the resolved CLI; `env`: its whole environment (DOCKER_HOST, HOME, …).
  DockerCli(std::filesystem::path executable, Environment env,
            std::shared_ptr<util::ProcessRunner> runner);

  // True when `image` is present locally (false when docker says there is no such image).
  bool has_image(const std::string& image) const;
  // Pulls `image`. With `show_progress` docker draws its progress on this process's terminal;
  // otherwise its output is kept and shown only when the pull fails.
  void pull(const std::string& image, bool show_progress) const;
  // `docker run -d`; returns the new container's id.
  std::string run(const ContainerSpec& spec) const;
  // The host port published for the container's 5432/tcp.
  int published_port(const std::string& container) const;
  // The container's state: "running", "exited", "created", "dead", …
  std::string status(const std::string& container) const;
  // The last `lines` lines of the container's output; a note saying why when docker cannot
  // give them. Never throws.
  std::string logs(const std::string& container, int lines) const noexcept;
  // Kills and removes the container with its anonymous volumes (`rm -f -v`); false when no
  // such container exists (already gone).
  bool remove(const std::string& container) const;
  // Every container labelled pgdrift=1, running or not.
  std::vector<LabelledContainer> list_labelled() const;

  // The CLI's name for messages, e.g. "docker" or "podman".
  std::string name() const;

 private:
  util::RunResult call(const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                       const Environment& extra_env = {}, bool inherit_output = false) const;

  std::filesystem::path m_executable;
  Environment m_env;
  std::shared_ptr<util::ProcessRunner> m_runner;
};

// The argv (after the executable) of `docker run` for `spec`.
std::vector<std::string> run_arguments(const ContainerSpec& spec);

}  // namespace pgdrift::sandbox
