#include <cstdint>
#include <limits>

#include "pgdrift/config/config.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::config {

namespace {

// Longest digit run accepted: 10^12 hours still fits in int64 milliseconds.
constexpr std::size_t k_max_digits = 12;

std::optional<std::int64_t> unit_in_ms(std::string_view unit) {
  if (unit.empty() || unit == "s") return 1000;
  if (unit == "ms") return 1;
  if (unit == "min") return 60 * 1000;
  if (unit == "h") return 60 * 60 * 1000;
  return std::nullopt;
}

}  // namespace

// Whole numbers only ("1.5s" is malformed: write "1500ms"); whitespace may separate the number
// from its unit; no sign is accepted, so negative durations are malformed too.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  const std::string_view s = util::trim(text);
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > k_max_digits) return std::nullopt;
  const auto unit = unit_in_ms(util::trim(s.substr(digits)));
  if (!unit) return std::nullopt;
  std::int64_t count = 0;
  for (std::size_t i = 0; i < digits; ++i) count = count * 10 + (s[i] - '0');
  // At most 2147483647 ms (~24.8 days): Postgres's limit for statement_timeout, and far from
  // overflowing a steady_clock deadline.
  constexpr std::int64_t k_max_ms = std::numeric_limits<std::int32_t>::max();
  if (count > k_max_ms / *unit) return std::nullopt;
  return std::chrono::milliseconds{count * *unit};
}

std::optional<std::uint64_t> parse_size(const std::string& text) {
  const std::string_view s = util::trim(text);
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  const std::string unit(util::trim(s.substr(digits)));
  static const std::pair<const char*, std::uint64_t> k_units[] = {
      {"", 1},           {"B", 1},
      {"KB", 1000ULL},   {"MB", 1000ULL * 1000},  {"GB", 1000ULL * 1000 * 1000},
      {"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30}};
  for (const auto& [name, factor] : k_units) {
    if (unit == name) return std::stoull(std::string(s.substr(0, digits))) * factor;
  }
  return std::nullopt;
}

}  // namespace pgdrift::config
