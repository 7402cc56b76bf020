// Which column type changes keep every value (is_widening). Input is format_type's spelling, so
// only its forms are recognized ("character varying(50)", "timestamp(3) with time zone",
// "numeric(10,2)", "integer[]"); anything else is not known to widen.

#include <cstdlib>
#include <limits>
#include <map>

#include "pgdrift/lint/guard.hpp"
#include "pgdrift/util/text.hpp"

namespace pgdrift::lint {

namespace {

constexpr long k_unbounded = std::numeric_limits<long>::max();

// A type as format_type prints it, taken apart: base name, modifiers, array dimensions.
struct TypeSpec {
  std::string base;        // "character varying", "timestamp with time zone", "public.mood"
  std::vector<long> mods;  // (50), (10,2), (3)
  bool mods_ok = true;     // every modifier is a number
  int dims = 0;            // [] count
};

TypeSpec parse(std::string_view text) {
  TypeSpec spec;
  text = util::trim(text);
  while (util::ends_with(text, "[]")) {
    ++spec.dims;
    text = util::trim(text.substr(0, text.size() - 2));
  }
  const auto open = text.find('(');
  const auto close = open == std::string_view::npos ? std::string_view::npos : text.find(')', open);
  if (close == std::string_view::npos) {
    spec.base = std::string(text);
    return spec;
  }
  for (const auto& part : util::split(text.substr(open + 1, close - open - 1), ',')) {
    const auto digits = std::string(util::trim(part));
    char* end = nullptr;
    const long value = std::strtol(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0') spec.mods_ok = false;
    spec.mods.push_back(value);
  }
  spec.base = std::string(util::trim(text.substr(0, open))) + std::string(text.substr(close + 1));
  return spec;
}

bool is_string(const std::string& base) { return base == "text" || base == "character varying" || base == "character"; }

// The longest value a string or bit-string type holds (k_unbounded for text, varchar, varbit).
long max_length(const TypeSpec& spec) {
  if (spec.mods.empty()) return spec.base == "character" || spec.base == "bit" ? 1 : k_unbounded;
  return spec.mods.front();
}

// Fractional-second digits of a time, timestamp or interval type (6 when not given).
long seconds_precision(const TypeSpec& spec) { return spec.mods.empty() ? 6 : spec.mods.front(); }

bool is_time_family(const std::string& base) {
  return util::starts_with(base, "timestamp") || util::starts_with(base, "time ") || base == "time" ||
         util::starts_with(base, "interval");
}

// Digits before the point a type needs: integers' widest values, numeric(p,s)'s p - s.
long integer_digits(const TypeSpec& spec) {
  static const std::map<std::string, long> k_digits = {{"smallint", 5}, {"integer", 10}, {"bigint", 19}};
  const auto it = k_digits.find(spec.base);
  return it == k_digits.end() ? -1 : it->second;
}

bool numeric_widens(const TypeSpec& from, const TypeSpec& to) {
  if (to.mods.empty()) return true;  // unconstrained numeric holds any number
  const long to_scale = to.mods.size() > 1 ? to.mods[1] : 0;
  const long to_int_digits = to.mods[0] - to_scale;
  if (from.base != "numeric") return integer_digits(from) <= to_int_digits;
  if (from.mods.empty()) return false;
  const long from_scale = from.mods.size() > 1 ? from.mods[1] : 0;
  return to_scale >= from_scale && to_int_digits >= from.mods[0] - from_scale;
}

bool element_widens(const TypeSpec& from, const TypeSpec& to, bool enum_from) {
  if (!from.mods_ok || !to.mods_ok) return false;
  static const std::map<std::string, int> k_integer_rank = {{"smallint", 1}, {"integer", 2}, {"bigint", 3}};
  const auto from_rank = k_integer_rank.find(from.base);
  const auto to_rank = k_integer_rank.find(to.base);
  if (from_rank != k_integer_rank.end()) {
    if (to_rank != k_integer_rank.end()) return from_rank->second <= to_rank->second;
    if (to.base == "numeric") return numeric_widens(from, to);
    // Floats hold integers exactly up to their mantissa: 24 bits (real), 53 bits (double).
    if (to.base == "real") return from.base == "smallint";
    if (to.base == "double precision") return from.base != "bigint";
    return false;
  }
  if (from.base == "numeric") return to.base == "numeric" && numeric_widens(from, to);
  if (from.base == "real") return to.base == "double precision" || to.base == "real";
  if (is_string(from.base) || enum_from) {
    // char(n) → varchar/text drops only the padding, which char values never carry in meaning.
    const long from_length = enum_from ? k_unbounded : max_length(from);
    if (to.base == "text" || to.base == "character varying") return max_length(to) >= from_length;
    if (to.base == "character") return from.base == "character" && max_length(to) >= from_length;
    return false;
  }
  if (from.base == "bit" || from.base == "bit varying") {
    if (to.base == "bit varying") return max_length(to) >= max_length(from);
    return to.base == "bit" && from.base == "bit" && max_length(to) == max_length(from);
  }
  if (from.base == "date") {
    return to.base == "timestamp without time zone" || to.base == "timestamp with time zone";
  }
  if (is_time_family(from.base)) {
    const bool same = from.base == to.base;
    // timestamp → timestamptz reads the old values in the session's time zone: no value is lost.
    const bool to_zone = from.base == "timestamp without time zone" && to.base == "timestamp with time zone";
    // "interval year to month" → "interval": the field restriction goes away.
    const bool to_interval = util::starts_with(from.base, "interval") && to.base == "interval";
    return (same || to_zone || to_interval) && seconds_precision(to) >= seconds_precision(from);
  }
  if (from.base == "cidr") return to.base == "inet";
  // jsonb keeps every JSON document's meaning (not its whitespace, key order or duplicate keys).
  if (from.base == "json") return to.base == "jsonb";
  return false;
}

}  // namespace

bool is_widening(std::string_view from, std::string_view to, bool enum_from) {
  const auto a = parse(from);
  const auto b = parse(to);
  if (a.dims != b.dims) return false;
  if (a.base == b.base && a.mods == b.mods && a.mods_ok && b.mods_ok) return true;  // the same type
  return element_widens(a, b, enum_from);
}

}  // namespace pgdrift::lint
