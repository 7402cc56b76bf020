#include "reader.hpp"

#include <algorithm>
#include <set>

#include "pgdrift/config/config.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::config::detail {

namespace fs = std::filesystem;

namespace {

const std::string k_duration_forms =
    "a whole number with a unit: 250ms, 30s, 5min or 2h (a bare number is seconds)";

// `parts` joined with spaces, skipping empty ones.
std::string sentence(const std::vector<std::string>& parts) {
  std::vector<std::string> kept;
  for (const auto& part : parts) {
    if (!part.empty()) kept.push_back(part);
  }
  return util::join(kept, " ");
}

}  // namespace

Reader::Reader(std::string file_name, fs::path base, const Environment& env)
    : m_file(std::move(file_name)), m_base(std::move(base)), m_env(env) {}

std::string Reader::location(int line) const {
  return line > 0 ? m_file + ":" + std::to_string(line) : m_file;
}

std::string Reader::shown(const YAML::Node& scalar, const std::string& text) {
  return quoted_value(scalar.IsScalar() ? scalar.Scalar() : std::string(), text);
}

Error Reader::error_at(int line, const std::string& message, std::string hint) const {
  return usage_error(location(line) + ": " + message, std::move(hint));
}

int Reader::line_of(const YAML::Node& node, int fallback) {
  const int line = node.Mark().line;
  return line >= 0 ? line + 1 : fallback;
}

void Reader::read_map(const YAML::Node& node, const std::string& prefix, int line,
                      const Handlers& handlers) const {
  if (node.IsNull()) return;
  if (!node.IsMap()) {
    throw error_at(line, prefix + " must be a map of settings",
                   "put each setting on its own line below '" + prefix + ":', indented");
  }
  std::vector<std::string> names;
  for (const auto& handler : handlers) names.push_back(handler.first);
  std::set<std::string> seen;
  for (const auto& pair : node) {
    const int key_line = line_of(pair.first, line);
    if (!pair.first.IsScalar()) {
      throw error_at(key_line, "keys" + (prefix.empty() ? "" : " in " + prefix) +
                                   " must be plain names, not lists or maps");
    }
    const std::string name = pair.first.Scalar();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) {
      const std::string level = prefix.empty() ? "top-level keys" : "keys in " + prefix;
      throw error_at(
          key_line, "unknown key '" + key + "'",
          sentence({did_you_mean(name, names), "Valid " + level + ": " + util::join(names, ", ")}));
    }
    if (!seen.insert(name).second) throw error_at(key_line, "duplicate key '" + key + "'");
    handlers[static_cast<std::size_t>(found - names.begin())].second(
        Entry{pair.second, key, key_line});
  }
}

std::optional<std::string> Reader::read_text(const Entry& entry,
                                             const std::string& expected) const {
  if (entry.value.IsNull()) return std::nullopt;
  if (!entry.value.IsScalar()) throw error_at(entry.line, entry.key + " must be " + expected);
  return expand(entry.value, entry.line, entry.key);
}

void Reader::read_string(const Entry& entry, std::string& out) const {
  if (auto text = read_text(entry, "a string")) out = *text;
}

void Reader::read_path(const Entry& entry, std::string& out) const {
  const auto text = read_text(entry, "a path (a string)");
  if (!text) return;
  const fs::path path(*text);
  out = text->empty() || path.is_absolute() ? *text : (m_base / path).lexically_normal().string();
}

void Reader::read_choice(const Entry& entry, const std::vector<std::string>& allowed,
                         std::string& out) const {
  const auto text = read_text(entry, "a string");
  if (!text) return;
  if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end()) {
    throw error_at(
        line_of(entry.value, entry.line),
        entry.key + " must be one of " + util::join(allowed, ", ") + " (got " +
            shown(entry.value, *text) + ")",
        did_you_mean(*text, allowed));
  }
  out = *text;
}

void Reader::read_duration(const Entry& entry, bool zero_allowed,
                           std::chrono::milliseconds& out) const {
  const auto text = read_text(entry, "a duration");
  if (!text) return;
  const auto duration = parse_duration(*text);
  const int line = line_of(entry.value, entry.line);
  if (!duration) {
    throw error_at(line,
                   entry.key + " must be a duration like 30s or 5min (got " +
                       shown(entry.value, *text) + ")",
                   "write " + k_duration_forms + (zero_allowed ? "; 0 means no timeout" : ""));
  }
  if (duration->count() == 0 && !zero_allowed) {
    throw error_at(line, entry.key + " must be greater than 0", "write " + k_duration_forms);
  }
  out = *duration;
}

void Reader::read_version(const Entry& entry, std::string& out) const {
  const auto text = read_text(entry, "a major version number");
  if (!text) return;
  const bool digits = !text->empty() && std::all_of(text->begin(), text->end(),
                                                    [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    throw error_at(line_of(entry.value, entry.line),
                   entry.key + " must be a major version number like 15 (got " +
                       shown(entry.value, *text) + ")",
                   "give only the major version: 15, not 15.4");
  }
  out = *text;
}

void Reader::read_vars(const Entry& entry, std::map<std::string, std::string>& out) const {
  if (entry.value.IsNull()) return;
  const std::string expected = entry.key + " must be a map of names to values";
  const std::string example = "for example: vars: {Namespace: app}";
  if (!entry.value.IsMap()) throw error_at(entry.line, expected, example);
  for (const auto& pair : entry.value) {
    const int line = line_of(pair.first, entry.line);
    if (!pair.first.IsScalar()) throw error_at(line, expected, example);
    const std::string key = entry.key + "." + pair.first.Scalar();
    if (out.count(pair.first.Scalar()) > 0) throw error_at(line, "duplicate key '" + key + "'");
    std::string value;
    if (pair.second.IsScalar()) {
      value = expand(pair.second, line, key);
    } else if (!pair.second.IsNull()) {
      throw error_at(line, key + " must be a single value (a string, number or boolean)", example);
    }
    out[pair.first.Scalar()] = value;
  }
}

void Reader::read_command(const Entry& entry, std::vector<std::string>& out) const {
  const std::string expected = entry.key + " must be a string or a list of strings";
  const YAML::Node& value = entry.value;
  if (value.IsNull()) return;
  if (value.IsScalar()) {
    const std::string line_text = expand(value, entry.line, entry.key);
    try {
      out = util::split_command_line(line_text);
    } catch (const Error& e) {
      // Keep the reason but not the command itself: an expanded variable may hold a secret.
      const std::string reason = e.what();
      throw error_at(line_of(value, entry.line),
                     entry.key + ": " + reason.substr(0, reason.find(" in command")),
                     "close the quote, or give the command as a list of words");
    }
    return;
  }
  if (!value.IsSequence()) throw error_at(entry.line, expected);
  std::vector<std::string> words;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    const int line = line_of(item, entry.line);
    if (!item.IsScalar()) throw error_at(line, expected);
    words.push_back(expand(item, line, entry.key + "[" + std::to_string(i) + "]"));
  }
  out = std::move(words);
}

void Reader::read_list(const Entry& entry, std::vector<std::string>& out) const {
  const YAML::Node& value = entry.value;
  if (value.IsNull()) return;
  if (value.IsScalar()) {
    out = {expand(value, entry.line, entry.key)};
    return;
  }
  if (!value.IsSequence()) throw error_at(entry.line, entry.key + " must be a list of strings");
  std::vector<std::string> items;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const YAML::Node item = value[i];
    const int line = line_of(item, entry.line);
    if (!item.IsScalar()) throw error_at(line, entry.key + " must be a list of strings");
    items.push_back(expand(item, line, entry.key + "[" + std::to_string(i) + "]"));
  }
  out = std::move(items);
}

void Reader::read_paths(const Entry& entry, std::vector<std::string>& out) const {
  std::vector<std::string> items;
  read_list(entry, items);
  if (entry.value.IsNull()) return;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].empty()) {
      const YAML::Node item = entry.value.IsSequence() ? entry.value[i] : entry.value;
      throw error_at(line_of(item, entry.line), entry.key + (entry.value.IsSequence() ? "[" + std::to_string(i) + "]" : "") +
                                                    " is an empty path",
                     "name a file, relative to this file's directory");
    }
    const fs::path path(items[i]);
    if (!path.is_absolute()) items[i] = (m_base / path).lexically_normal().string();
  }
  out = std::move(items);
}

std::string Reader::expand(const YAML::Node& scalar, int fallback_line,
                           const std::string& key) const {
  return expand_env(scalar.Scalar(), m_env,
                    location(line_of(scalar, fallback_line)) + ": key " + key);
}

}  // namespace pgdrift::config::detail
