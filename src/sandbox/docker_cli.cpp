#include "pgdrift/sandbox/docker_cli.hpp"

#include <algorithm>

#include "pgdrift/util/error.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::sandbox {

namespace {

constexpr std::chrono::milliseconds k_quick{30000};   // inspect, port, logs
constexpr std::chrono::milliseconds k_slow{120000};   // run (image present), rm, ps
constexpr std::chrono::milliseconds k_pull{1800000};  // a pull over a slow network

constexpr const char* k_other_backends =
    "or use --backend local (PostgreSQL server binaries on this machine) or --backend server "
    "--server-url postgresql://user:password@host:5432/postgres (an existing server)";

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool daemon_unreachable(const std::string& lower) {
  return contains(lower, "cannot connect to the docker daemon") ||
         contains(lower, "is the docker daemon running") ||
         contains(lower, "error during connect") || contains(lower, "cannot connect to podman") ||
         contains(lower, "unable to connect to podman");
}

bool daemon_forbidden(const std::string& lower) {
  return contains(lower, "permission denied while trying to connect");
}

std::string tail(const std::string& output) {
  return std::string(util::trim(util::last_lines(output, 8)));
}

// The error for a failed or timed-out CLI call, classified so the hint says what to do.
Error failure(const std::string& cli, const std::vector<std::string>& args,
              const util::RunResult& result) {
  const std::string command = "`" + cli + " " + util::join(args, " ") + "`";
  if (result.status.timed_out) {
    return infra_error(
        command + " did not finish in time",
        "check that the " + cli + " daemon is healthy (`" + cli + " info`), " + k_other_backends);
  }
  const std::string lower = util::to_lower(result.output);
  if (daemon_unreachable(lower)) {
    return infra_error(
        "the " + cli + " daemon is not reachable: " + tail(result.output),
        "start it (`sudo systemctl start docker`, or open Docker Desktop) and check that `" + cli +
            " info` works; for podman pass --docker podman; " + k_other_backends);
  }
  if (daemon_forbidden(lower)) {
    return infra_error(
        "this user may not use the " + cli + " daemon: " + tail(result.output),
        std::string("add the user to the docker group (`sudo usermod -aG docker $USER`, then "
                    "log in again), or use rootless podman (--docker podman); ") +
            k_other_backends);
  }
  return infra_error(command + " failed (" + result.status.describe() + ")" +
                         (util::trim(result.output).empty() ? "" : ":\n" + tail(result.output)),
                     std::string("check `") + cli + " info`; " + k_other_backends);
}

std::vector<std::string> lines_of(const std::string& output) {
  std::vector<std::string> lines;
  for (const auto& line : util::split(output, '\n')) {
    const auto trimmed = util::trim(line);
    if (!trimmed.empty()) lines.emplace_back(trimmed);
  }
  return lines;
}

bool is_container_id(const std::string& text) {
  return text.size() >= 12 && text.size() <= 64 &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

long parse_pid(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stol(text);
}

// `docker inspect` prints "<no value>" for a label the container does not have.
std::string label_value(std::string_view text) {
  const auto trimmed = std::string(util::trim(text));
  return trimmed == "<no value>" ? std::string() : trimmed;
}

std::string label_template(const char* key) {
  return std::string("{{index .Config.Labels \"") + key + "\"}}";
}

}  // namespace

std::vector<std::string> run_arguments(const ContainerSpec& spec) {
  std::vector<std::string> args = {"run", "-d", "--name", spec.name};
  for (const auto& [key, value] : spec.labels) {
    args.push_back("--label");
    args.push_back(key + "=" + value);
  }
  if (!spec.publish.empty()) {
    args.push_back("-p");
    args.push_back(spec.publish);
  }
  for (const auto& [key, value] : spec.env) {
    args.push_back("-e");
    args.push_back(key + "=" + value);
  }
  // `-e NAME` without a value: the CLI copies NAME from its own environment, so the secret is
  // never on a command line (visible to every user in /proc/*/cmdline and `ps`).
  for (const auto& entry : spec.secret_env) {
    args.push_back("-e");
    args.push_back(entry.first);
  }
  for (const auto& mount : spec.tmpfs) {
    args.push_back("--tmpfs");
    args.push_back(mount);
  }
  args.push_back(spec.image);
  args.insert(args.end(), spec.command.begin(), spec.command.end());
  return args;
}

DockerCli::DockerCli(std::filesystem::path executable, Environment env,
                     std::shared_ptr<util::ProcessRunner> runner)
    : m_executable(std::move(executable)), m_env(std::move(env)), m_runner(std::move(runner)) {
  if (!m_runner) m_runner = util::system_process_runner();
}

std::string DockerCli::name() const { return m_executable.filename().string(); }

util::RunResult DockerCli::call(const std::vector<std::string>& args,
                                std::chrono::milliseconds timeout, const Environment& extra_env,
                                bool inherit_output) const {
  util::ProcessSpec spec;
  spec.argv.push_back(m_executable.string());
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = m_env;
  for (const auto& [key, value] : extra_env) spec.env[key] = value;
  spec.inherit_output = inherit_output;
  return m_runner->run(spec, timeout);
}

bool DockerCli::has_image(const std::string& image) const {
  const std::vector<std::string> args = {"image", "inspect", "--format", "{{.Id}}", image};
  const auto result = call(args, k_quick);
  if (result.status.ok()) return true;
  const std::string lower = util::to_lower(result.output);
  if (!result.status.timed_out && !daemon_unreachable(lower) && !daemon_forbidden(lower) &&
      (contains(lower, "no such image") || contains(lower, "image not known") ||
       contains(lower, "no such object") || contains(lower, "not found"))) {
    return false;
  }
  throw failure(name(), args, result);
}

void DockerCli::pull(const std::string& image, bool show_progress) const {
  const std::vector<std::string> args = {"pull", image};
  const auto result = call(args, k_pull, {}, show_progress);
  if (result.status.ok()) return;
  const std::string lower = util::to_lower(result.output);
  if (result.status.timed_out || daemon_unreachable(lower) || daemon_forbidden(lower)) {
    throw failure(name(), args, result);
  }
  const std::string said = show_progress ? " (" + name() + "'s message is above)"
                           : util::trim(result.output).empty() ? ""
                                                               : ":\n" + tail(result.output);
  throw infra_error("cannot pull the image " + image + said,
                    "check the image name and tag (postgres.image / --image, postgres.version / "
                    "--postgres-version), network access, and `" +
                        name() + " login` for a private registry; " + k_other_backends);
}

std::string DockerCli::run(const ContainerSpec& spec) const {
  const auto args = run_arguments(spec);
  const auto result = call(args, k_slow, spec.secret_env);
  if (!result.status.ok()) throw failure(name(), args, result);
  const auto lines = lines_of(result.output);
  if (lines.empty() || !is_container_id(lines.back())) {
    throw infra_error("`" + name() + " run` printed no container id:\n" + tail(result.output),
                      std::string("check `") + name() + " ps -a --filter label=pgdrift=1`");
  }
  return lines.back();
}

int DockerCli::published_port(const std::string& container) const {
  const std::vector<std::string> args = {"port", container, "5432/tcp"};
  const auto result = call(args, k_quick);
  if (!result.status.ok()) throw failure(name(), args, result);
  int fallback = 0;
  for (const auto& line : lines_of(result.output)) {
    const auto colon = line.rfind(':');
    if (colon == std::string::npos) continue;
    const auto digits = line.substr(colon + 1);
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    const int port = std::stoi(digits);
    if (util::starts_with(line, "127.0.0.1:")) return port;
    if (fallback == 0) fallback = port;
  }
  if (fallback != 0) return fallback;
  throw infra_error(
      "`" + name() + " port " + container + " 5432/tcp` printed no port:\n" + tail(result.output),
      "the container must publish 5432/tcp; check the image (postgres.image)");
}

std::string DockerCli::status(const std::string& container) const {
  const std::vector<std::string> args = {"inspect",           "--type", "container", "--format",
                                         "{{.State.Status}}", container};
  const auto result = call(args, k_quick);
  if (!result.status.ok()) throw failure(name(), args, result);
  const auto lines = lines_of(result.output);
  return lines.empty() ? std::string() : lines.back();
}

std::string DockerCli::logs(const std::string& container, int lines) const noexcept {
  try {
    const auto result = call({"logs", "--tail", std::to_string(lines), container}, k_quick);
    if (!result.status.ok()) return "(`" + name() + " logs` failed: " + tail(result.output) + ")";
    const auto text = util::last_lines(result.output, static_cast<std::size_t>(lines));
    return util::trim(text).empty() ? "(the container printed nothing)" : text;
  } catch (const std::exception& e) {
    return std::string("(no log: ") + e.what() + ")";
  }
}

bool DockerCli::remove(const std::string& container) const {
  const std::vector<std::string> args = {"rm", "-f", "-v", container};
  const auto result = call(args, k_slow);
  if (result.status.ok()) return true;
  const std::string lower = util::to_lower(result.output);
  if (!result.status.timed_out &&
      (contains(lower, "no such container") || contains(lower, "no container with"))) {
    return false;
  }
  throw failure(name(), args, result);
}

std::vector<LabelledContainer> DockerCli::list_labelled() const {
  const std::vector<std::string> ps = {
      "ps", "-a", "-q", "--no-trunc", "--filter", std::string("label=") + k_label_managed + "=1"};
  const auto listed = call(ps, k_slow);
  if (!listed.status.ok()) throw failure(name(), ps, listed);
  const auto ids = lines_of(listed.output);
  if (ids.empty()) return {};

  // Labels through `inspect` with `index .Config.Labels`: `ps --format '{{.Label "…"}}'` is
  // docker-only (podman before 4.8 rejects it). Real tabs separate the fields.
  std::vector<std::string> inspect = {"inspect", "--type", "container", "--format",
                                      std::string("{{.Id}}\t{{.Name}}\t") +
                                          label_template(k_label_run) + "\t" +
                                          label_template(k_label_pid) + "\t" +
                                          label_template(k_label_host) + "\t{{.State.Status}}"};
  inspect.insert(inspect.end(), ids.begin(), ids.end());
  const auto described = call(inspect, k_slow);
  std::vector<LabelledContainer> containers;
  for (const auto& line : util::split(described.output, '\n')) {
    const auto fields = util::split(line, '\t');
    if (fields.size() != 6 || !is_container_id(std::string(util::trim(fields[0])))) continue;
    LabelledContainer c;
    c.id = std::string(util::trim(fields[0]));
    c.name = std::string(util::trim(fields[1]));
    if (util::starts_with(c.name, "/")) c.name.erase(0, 1);
    c.run = label_value(fields[2]);
    c.pid = parse_pid(label_value(fields[3]));
    c.host = label_value(fields[4]);
    c.status = std::string(util::trim(fields[5]));
    containers.push_back(std::move(c));
  }
  // A container removed between `ps` and `inspect` makes inspect fail for it alone.
  if (!described.status.ok() && containers.empty()) throw failure(name(), inspect, described);
  return containers;
}

}  // namespace pgdrift::sandbox
