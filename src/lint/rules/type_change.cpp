#include "type_change.hpp"

#include "support.hpp"

namespace pgdrift::lint::rules {
namespace {

// The declared length of a varchar/char/bit varying, the precision of a numeric or of a
// timestamp/time; -1 when not given.
long long first_modifier(const ColumnType& type) {
  return type.modifiers.empty() ? -1 : type.modifiers[0];
}

// The scale of a numeric(p,s) (0 for numeric(p) and for numeric without modifiers).
long long numeric_scale(const ColumnType& type) {
  return type.modifiers.size() > 1 ? type.modifiers[1] : 0;
}

bool is_string(const std::string& base) {
  return base == "text" || base == "varchar" || base == "bpchar";
}

bool is_datetime_with_precision(const std::string& base) {
  return base == "timestamp" || base == "timestamptz" || base == "time" || base == "timetz";
}

// 1 for int2, 2 for int4, 3 for int8; 0 for anything else.
int integer_rank(const std::string& base) {
  if (base == "int2") return 1;
  if (base == "int4") return 2;
  if (base == "int8") return 3;
  return 0;
}

// Decimal digits the largest value of an integer type has.
long long integer_digits(const std::string& base) {
  switch (integer_rank(base)) {
    case 1:
      return 5;
    case 2:
      return 10;
    default:
      return 19;
  }
}

// Fractional-second digits of a timestamp/time type (6 when not given).
long long seconds_precision(const ColumnType& type) {
  const long long given = first_modifier(type);
  return given < 0 ? 6 : given;
}

bool narrows(const ColumnType& from, const ColumnType& to) {
  const std::string& f = from.base;
  const std::string& t = to.base;
  const long long to_length = first_modifier(to);
  const long long from_length = first_modifier(from);
  if (t == "bpchar" && to_length >= 0) {
    // Any type → char(n), except a char or varchar that is not longer (values only get padded).
    return !((f == "bpchar" || f == "varchar") && from_length >= 0 && from_length <= to_length);
  }
  if ((t == "varchar" || t == "varbit") && to_length >= 0) {
    const bool same_kind = t == "varchar" ? is_string(f) : f == "varbit";
    return same_kind && (from_length < 0 || from_length > to_length);
  }
  if (t == "numeric" && to_length >= 0) {
    const long long to_integer_digits = to_length - numeric_scale(to);
    if (f == "numeric") {
      return from_length < 0 || numeric_scale(to) < numeric_scale(from) ||
             to_integer_digits < from_length - numeric_scale(from);
    }
    if (integer_rank(f) > 0) return to_integer_digits < integer_digits(f);
    return f == "float4" || f == "float8";
  }
  if (integer_rank(t) > 0) {
    return integer_rank(f) > integer_rank(t) || f == "numeric" || f == "float4" || f == "float8";
  }
  if (t == "float4") return f == "float8" || f == "numeric";
  if (t == "timestamp" && f == "timestamptz") return true;
  if (is_datetime_with_precision(t) && f == t)
    return seconds_precision(to) < seconds_precision(from);
  if (t == "date") return f == "timestamp" || f == "timestamptz";
  return false;
}

bool binary_coercible(const ColumnType& from, const ColumnType& to) {
  const std::string& f = from.base;
  const std::string& t = to.base;
  const long long to_length = first_modifier(to);
  const long long from_length = first_modifier(from);
  if (t == "text") return f == "varchar" || f == "xml";
  if (t == "varchar") {
    if (to_length < 0) return f == "text" || f == "varchar" || f == "xml";
    return f == "varchar" && from_length >= 0 && from_length <= to_length;
  }
  if (t == "varbit" && f == "varbit")
    return to_length < 0 || (from_length >= 0 && from_length <= to_length);
  if (t == "numeric" && f == "numeric") {
    return to_length < 0 || (from_length >= 0 && numeric_scale(from) == numeric_scale(to) &&
                             from_length <= to_length);
  }
  if (t == "inet") return f == "cidr";
  if (is_datetime_with_precision(t) && f == t)
    return to_length < 0 || (from_length >= 0 && from_length <= to_length);
  if (t == "interval" && f == "interval") return to.modifiers.empty();
  return false;
}

}  // namespace

ColumnType column_type(const sql::Node& type_name_node) {
  ColumnType out;
  out.base = sql::type_base(type_name_node);
  out.modifiers = sql::type_modifiers(type_name_node);
  out.array_depth = type_name_node["arrayBounds"].items().size();
  out.shown = display_type(type_name_node);
  return out;
}

TypeChange classify(const ColumnType& from, const ColumnType& to) {
  if (from.base == to.base && from.modifiers == to.modifiers &&
      from.array_depth == to.array_depth) {
    return TypeChange::same;
  }
  if (from.array_depth != to.array_depth) return TypeChange::rewrite;
  if (narrows(from, to)) return TypeChange::narrowing;
  // Arrays are rewritten even when their elements would be binary-coercible (varchar(10)[] →
  // text[] rewrites on PostgreSQL 15).
  if (from.array_depth == 0 && binary_coercible(from, to)) return TypeChange::binary_coercible;
  return TypeChange::rewrite;
}

std::string no_rewrite_from(const ColumnType& to) {
  if (to.array_depth > 0) return "";
  const std::string& t = to.base;
  const long long length = first_modifier(to);
  if (t == "text") return "the column is varchar already";
  if (t == "varchar") {
    if (length < 0) return "the column is text or varchar already";
    return "the column is a varchar of at most " + std::to_string(length) + " characters";
  }
  if (t == "varbit") {
    if (length < 0) return "the column is bit varying already";
    return "the column is a bit varying of at most " + std::to_string(length) + " bits";
  }
  if (t == "numeric") {
    if (length < 0) return "the column is numeric already";
    return "the column is a numeric with scale " + std::to_string(numeric_scale(to)) +
           " and at most " + std::to_string(length) + " digits";
  }
  if (t == "inet") return "the column is cidr";
  if (is_datetime_with_precision(t)) {
    if (length < 0) return "the column is " + t + " already";
    return "the column is a " + t + " of at most " + std::to_string(length) + " fractional digits";
  }
  if (t == "interval" && to.modifiers.empty()) return "the column is interval already";
  return "";
}

bool narrows_any(const ColumnType& to) { return to.base == "bpchar" && first_modifier(to) >= 0; }

bool using_keeps_values(const sql::Node& using_expr, const std::string& column) {
  if (using_expr.is_null()) return true;
  if (using_expr.is("TypeCast")) return using_keeps_values(using_expr["arg"], column);
  if (using_expr.is("ColumnRef")) {
    const auto fields = using_expr["fields"].items();
    return !fields.empty() && fields.back().str() == column;
  }
  return false;
}

}  // namespace pgdrift::lint::rules
