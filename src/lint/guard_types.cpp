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

// citext (an extension's type, printed schema-qualified) is text that compares case-insensitively:
// every text value is a citext value and back.
bool is_citext(const std::string& base) { return base == "citext" || util::ends_with(base, ".citext"); }

bool is_string(const std::string& base) {
  return base == "text" || base == "character varying" || base == "character" || is_citext(base);
}

// The longest text form of a value of `base` (its output function's), when it is bounded.
long max_text_length(const std::string& base) {
  static const std::map<std::string, long> k_widths = {
      {"smallint", 6}, {"integer", 11}, {"bigint", 20}, {"boolean", 5}, {"uuid", 36}, {"date", 13},
  };
  const auto it = k_widths.find(base);
  return it == k_widths.end() ? -1 : it->second;
}

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
  // Every value has a text form that reads back as the same value: a string type without a
  // limit holds any of them; one with a limit holds those whose form is never longer.
  if (!is_string(from.base) && !enum_from && (to.base == "text" || to.base == "character varying" || is_citext(to.base))) {
    if (max_length(to) == k_unbounded) return true;
    const long width = max_text_length(from.base);
    return width > 0 && width <= max_length(to);
  }
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
    if (to.base == "text" || to.base == "character varying" || is_citext(to.base)) {
      return max_length(to) >= from_length;
    }
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

std::string narrowing_reason(std::string_view from, std::string_view to) {
  const auto a = parse(from);
  const auto b = parse(to);
  const std::string old_name(util::trim(from));
  const std::string new_name(util::trim(to));
  if (a.dims != b.dims) return old_name + " and " + new_name + " have different array dimensions";
  if ((is_string(a.base) || max_text_length(a.base) > 0) && is_string(b.base) && max_length(b) != k_unbounded) {
    const long old_max = is_string(a.base) ? max_length(a) : max_text_length(a.base);
    return new_name + " holds at most " + std::to_string(max_length(b)) + " character" +
           (max_length(b) == 1 ? "" : "s") + "; " + old_name +
           (old_max == k_unbounded ? " has no limit" : " values run to " + std::to_string(old_max));
  }
  if (integer_digits(b) > 0 && (integer_digits(a) > integer_digits(b) || a.base == "numeric")) {
    return new_name + " holds whole numbers of at most " + std::to_string(integer_digits(b)) + " digits; " +
           old_name + (a.base == "numeric" ? " values can be larger or have a fractional part" : " values can be larger");
  }
  if (b.base == "numeric" && !b.mods.empty()) {
    const long scale = b.mods.size() > 1 ? b.mods[1] : 0;
    return new_name + " keeps " + std::to_string(b.mods[0] - scale) + " digit" + (b.mods[0] - scale == 1 ? "" : "s") +
           " before the point and " + std::to_string(scale) + " after it: larger " + old_name +
           " values fail and finer ones are rounded";
  }
  if (b.base == "date" && is_time_family(a.base)) return new_name + " drops the time of day " + old_name + " values hold";
  if (is_time_family(a.base) && is_time_family(b.base) && seconds_precision(b) < seconds_precision(a)) {
    return new_name + " keeps " + std::to_string(seconds_precision(b)) + " fractional second digits; " + old_name +
           " keeps " + std::to_string(seconds_precision(a)) + ": the rest is rounded";
  }
  return "not every " + old_name + " value converts to " + new_name;
}

bool is_widening(std::string_view from, std::string_view to, bool enum_from) {
  const auto a = parse(from);
  const auto b = parse(to);
  if (a.dims != b.dims) return false;
  if (a.base == b.base && a.mods == b.mods && a.mods_ok && b.mods_ok) return true;  // the same type
  return element_widens(a, b, enum_from);
}

}  // namespace pgdrift::lint
