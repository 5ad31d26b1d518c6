#include "flight/filter_sql.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "duckdb/sql_text.h"

namespace homer::flight {
namespace {

using Json = nlohmann::json;
/// A rendered SQL fragment, or nullopt for "not understood".
using Sql = std::optional<std::string>;
using int128 = __int128;
using uint128 = unsigned __int128;

std::string Field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json* Child(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string Digits(uint128 v) {
  std::string out;
  do {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return out;
}

std::string SignedDigits(int128 v) { return v < 0 ? "-" + Digits(-static_cast<uint128>(v)) : Digits(v); }

/// A 128-bit integer serialized as a JSON integer or as {"upper", "lower"}.
std::optional<int128> Int128Of(const Json& v) {
  if (v.is_number_unsigned()) return static_cast<int128>(v.get<uint64_t>());
  if (v.is_number_integer()) return static_cast<int128>(v.get<int64_t>());
  const Json* upper = v.is_object() ? Child(v, "upper") : nullptr;
  const Json* lower = v.is_object() ? Child(v, "lower") : nullptr;
  if (!upper || !lower || !upper->is_number_integer() || !lower->is_number_integer()) return std::nullopt;
  const uint128 bits = (static_cast<uint128>(static_cast<uint64_t>(upper->get<int64_t>())) << 64) |
                       lower->get<uint64_t>();
  return static_cast<int128>(bits);
}

std::optional<uint128> UInt128Of(const Json& v) {
  if (v.is_number_unsigned()) return static_cast<uint128>(v.get<uint64_t>());
  const Json* upper = v.is_object() ? Child(v, "upper") : nullptr;
  const Json* lower = v.is_object() ? Child(v, "lower") : nullptr;
  if (!upper || !lower || !upper->is_number_unsigned() || !lower->is_number_unsigned()) return std::nullopt;
  return (static_cast<uint128>(upper->get<uint64_t>()) << 64) | lower->get<uint64_t>();
}

std::optional<int64_t> Int64Of(const Json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

/// An aliased (JSON, user) or collated type compares differently from its base type.
bool HasPlainSemantics(const Json& type) {
  const Json* info = Child(type, "type_info");
  return info == nullptr || !info->is_object() || (Field(*info, "alias").empty() && Field(*info, "collation").empty());
}

/// The SQL name of a serialized LogicalType, for the types whose constants are rendered.
Sql TypeSql(const Json& type) {
  if (!type.is_object() || !HasPlainSemantics(type)) return std::nullopt;
  static const std::set<std::string> kNamed = {
      "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
      "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "VARCHAR", "BLOB", "DATE", "TIME", "TIMESTAMP",
      "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "UUID"};
  const std::string id = Field(type, "id");
  if (kNamed.count(id)) return id;
  const Json* info = Child(type, "type_info");
  if (id == "DECIMAL" && info && info->is_object()) {
    const Json* width = Child(*info, "width");
    const Json* scale = Child(*info, "scale");
    if (width && scale && width->is_number_unsigned() && scale->is_number_unsigned()) {
      return "DECIMAL(" + std::to_string(width->get<uint64_t>()) + ", " + std::to_string(scale->get<uint64_t>()) + ")";
    }
  }
  return std::nullopt;
}

Sql DecimalText(int128 unscaled, uint64_t scale) {
  if (scale > 38) return std::nullopt;
  std::string digits = Digits(unscaled < 0 ? -static_cast<uint128>(unscaled) : static_cast<uint128>(unscaled));
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  if (scale > 0) digits.insert(digits.size() - scale, ".");
  return (unscaled < 0 ? "-" : "") + digits;
}

Sql UuidText(int128 stored) {
  // DuckDB stores a UUID with the top bit flipped so that signed order is byte order.
  const uint128 bits = static_cast<uint128>(stored) ^ (static_cast<uint128>(1) << 127);
  char hex[33];
  for (int i = 0; i < 32; ++i) hex[i] = "0123456789abcdef"[static_cast<int>((bits >> (124 - 4 * i)) & 0xf)];
  const std::string h(hex, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string BlobLiteral(const std::string& bytes) {
  std::string out = "'";
  char buf[5];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "\\x%02X", c);
    out += buf;
  }
  return "CAST(" + out + "' AS BLOB)";
}

/// Temporal constants from their integer storage; DuckDB's infinities are not rendered.
Sql TemporalSql(const std::string& id, const Json& v) {
  auto n = Int64Of(v);
  if (!n || *n == INT64_MAX || *n == -INT64_MAX) return std::nullopt;
  const std::string x = "CAST(" + std::to_string(*n) + " AS BIGINT)";
  if (id == "DATE") {
    if (*n >= INT32_MAX || *n <= -INT32_MAX) return std::nullopt;
    return "CAST(DATE '1970-01-01' + CAST(" + std::to_string(*n) + " AS INTEGER) AS DATE)";
  }
  if (id == "TIME") {
    if (*n < 0 || *n >= 86400000000LL) return std::nullopt;
    return "CAST(TIME '00:00:00' + to_microseconds(" + x + ") AS TIME)";
  }
  if (id == "TIMESTAMP") return "make_timestamp(" + x + ")";
  if (id == "TIMESTAMP WITH TIME ZONE") return "timezone('UTC', make_timestamp(" + x + "))";
  if (id == "TIMESTAMP_NS") return "make_timestamp_ns(" + x + ")";
  if (id == "TIMESTAMP_MS") return "CAST(make_timestamp(" + x + " * 1000) AS TIMESTAMP_MS)";
  if (id == "TIMESTAMP_S") return "CAST(make_timestamp(" + x + " * 1000000) AS TIMESTAMP_S)";
  return std::nullopt;
}

Sql NumberSql(const std::string& id, const std::string& type_sql, const Json& v) {
  if (id == "HUGEINT") {
    auto h = Int128Of(v);
    return h ? Sql("CAST(" + SignedDigits(*h) + " AS HUGEINT)") : std::nullopt;
  }
  if (id == "UHUGEINT") {
    auto u = UInt128Of(v);
    return u ? Sql("CAST(" + Digits(*u) + " AS UHUGEINT)") : std::nullopt;
  }
  if (id == "FLOAT" || id == "DOUBLE") {
    if (!v.is_number()) return std::nullopt;
    const double d = v.get<double>();
    if (!std::isfinite(d)) return std::nullopt;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return "CAST(" + std::string(buf) + " AS " + id + ")";
  }
  static const std::set<std::string> kIntegers = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT",
                                                 "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"};
  if (!kIntegers.count(id)) return std::nullopt;
  if (v.is_number_unsigned()) return "CAST(" + std::to_string(v.get<uint64_t>()) + " AS " + type_sql + ")";
  if (v.is_number_integer()) return "CAST(" + std::to_string(v.get<int64_t>()) + " AS " + type_sql + ")";
  return std::nullopt;
}

/// A serialized Value {type, is_null, value} as an exactly equal SQL expression.
Sql ConstantSql(const Json& value) {
  const Json* type = Child(value, "type");
  if (type == nullptr) return std::nullopt;
  Sql type_sql = TypeSql(*type);
  if (!type_sql) return std::nullopt;
  const Json* is_null = Child(value, "is_null");
  if (is_null && is_null->is_boolean() && is_null->get<bool>()) return "CAST(NULL AS " + *type_sql + ")";
  const Json* v = Child(value, "value");
  if (v == nullptr) return std::nullopt;
  const std::string id = Field(*type, "id");
  if (id == "BOOLEAN") return v->is_boolean() ? Sql(v->get<bool>() ? "true" : "false") : std::nullopt;
  if (id == "VARCHAR") return v->is_string() ? Sql(duckdb::QuoteLiteral(v->get<std::string>())) : std::nullopt;
  if (id == "BLOB") return v->is_string() ? Sql(BlobLiteral(v->get<std::string>())) : std::nullopt;
  if (id == "UUID") {
    auto h = Int128Of(*v);
    return h ? Sql("CAST('" + *UuidText(*h) + "' AS UUID)") : std::nullopt;
  }
  if (id == "DECIMAL") {
    auto h = Int128Of(*v);
    const uint64_t scale = Child(*type, "type_info")->value("scale", uint64_t{0});
    Sql text = h ? DecimalText(*h, scale) : std::nullopt;
    return text ? Sql("CAST('" + *text + "' AS " + *type_sql + ")") : std::nullopt;
  }
  static const std::set<std::string> kTemporal = {"DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE",
                                                  "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"};
  if (kTemporal.count(id)) return TemporalSql(id, *v);
  return NumberSql(id, *type_sql, *v);
}

class Translator {
 public:
  Translator(std::vector<std::string> names, const std::vector<std::string>& columns)
      : names_(std::move(names)), columns_(columns.begin(), columns.end()) {}

  /// A condition implied by `expr`, or nullopt.
  Sql Condition(const Json& expr) const;

 private:
  /// A value expression rendered with exactly the same value, or nullopt.
  Sql Operand(const Json& expr) const;
  Sql ColumnRef(const Json& expr) const;
  Sql Conjunction(const Json& expr, bool is_and) const;
  Sql Comparison(const Json& expr) const;
  Sql Between(const Json& expr) const;
  Sql Operator(const Json& expr) const;

  std::vector<std::string> names_;
  std::set<std::string> columns_;
};

Sql Translator::Condition(const Json& expr) const {
  if (!expr.is_object()) return std::nullopt;
  const std::string cls = Field(expr, "expression_class");
  const std::string type = Field(expr, "type");
  if (cls == "BOUND_CONJUNCTION") {
    if (type == "CONJUNCTION_AND") return Conjunction(expr, true);
    if (type == "CONJUNCTION_OR") return Conjunction(expr, false);
    return std::nullopt;
  }
  if (cls == "BOUND_COMPARISON") return Comparison(expr);
  if (cls == "BOUND_BETWEEN") return Between(expr);
  if (cls == "BOUND_OPERATOR") return Operator(expr);
  return std::nullopt;
}

Sql Translator::Conjunction(const Json& expr, bool is_and) const {
  const Json* children = Child(expr, "children");
  if (!children || !children->is_array() || children->empty()) return std::nullopt;
  std::string out;
  for (const auto& child : *children) {
    Sql c = Condition(child);
    if (!c) {
      if (is_and) continue;  // a dropped conjunct only widens the result
      return std::nullopt;   // a dropped disjunct would narrow it
    }
    out += (out.empty() ? "" : (is_and ? " AND " : " OR ")) + *c;
  }
  if (out.empty()) return std::nullopt;
  return "(" + out + ")";
}

Sql Translator::Comparison(const Json& expr) const {
  static const std::map<std::string, std::string> kOps = {
      {"COMPARE_EQUAL", "="},
      {"COMPARE_NOTEQUAL", "<>"},
      {"COMPARE_LESSTHAN", "<"},
      {"COMPARE_GREATERTHAN", ">"},
      {"COMPARE_LESSTHANOREQUALTO", "<="},
      {"COMPARE_GREATERTHANOREQUALTO", ">="},
      {"COMPARE_DISTINCT_FROM", "IS DISTINCT FROM"},
      {"COMPARE_NOT_DISTINCT_FROM", "IS NOT DISTINCT FROM"},
  };
  auto op = kOps.find(Field(expr, "type"));
  const Json* left = Child(expr, "left");
  const Json* right = Child(expr, "right");
  if (op == kOps.end() || !left || !right) return std::nullopt;
  Sql l = Operand(*left), r = Operand(*right);
  if (!l || !r) return std::nullopt;
  return "(" + *l + " " + op->second + " " + *r + ")";
}

Sql Translator::Between(const Json& expr) const {
  const Json* input = Child(expr, "input");
  const Json* lower = Child(expr, "lower");
  const Json* upper = Child(expr, "upper");
  if (!input || !lower || !upper || Field(expr, "type") != "COMPARE_BETWEEN") return std::nullopt;
  Sql i = Operand(*input), lo = Operand(*lower), hi = Operand(*upper);
  if (!i || !lo || !hi) return std::nullopt;
  const bool lower_inclusive = expr.value("lower_inclusive", true);
  const bool upper_inclusive = expr.value("upper_inclusive", true);
  return "(" + *i + (lower_inclusive ? " >= " : " > ") + *lo + " AND " + *i + (upper_inclusive ? " <= " : " < ") +
         *hi + ")";
}

Sql Translator::Operator(const Json& expr) const {
  const std::string type = Field(expr, "type");
  const Json* children = Child(expr, "children");
  if (!children || !children->is_array() || children->empty()) return std::nullopt;
  if (type == "OPERATOR_IS_NULL" || type == "OPERATOR_IS_NOT_NULL") {
    Sql x = Operand((*children)[0]);
    if (!x || children->size() != 1) return std::nullopt;
    return "(" + *x + (type == "OPERATOR_IS_NULL" ? " IS NULL)" : " IS NOT NULL)");
  }
  if ((type == "COMPARE_IN" || type == "COMPARE_NOT_IN") && children->size() >= 2) {
    Sql x = Operand((*children)[0]);
    if (!x) return std::nullopt;
    std::string list;
    for (size_t i = 1; i < children->size(); ++i) {
      Sql v = Operand((*children)[i]);
      if (!v) return std::nullopt;
      list += (i > 1 ? ", " : "") + *v;
    }
    return "(" + *x + (type == "COMPARE_IN" ? " IN (" : " NOT IN (") + list + "))";
  }
  return std::nullopt;
}

Sql Translator::Operand(const Json& expr) const {
  if (!expr.is_object()) return std::nullopt;
  const std::string cls = Field(expr, "expression_class");
  if (cls == "BOUND_COLUMN_REF") return ColumnRef(expr);
  if (cls == "BOUND_CONSTANT") {
    const Json* value = Child(expr, "value");
    return value ? ConstantSql(*value) : std::nullopt;
  }
  if (cls == "BOUND_CAST") {
    const Json* child = Child(expr, "child");
    const Json* type = Child(expr, "return_type");
    if (!child || !type) return std::nullopt;
    Sql c = Operand(*child), t = TypeSql(*type);
    if (!c || !t) return std::nullopt;
    const bool try_cast = expr.value("try_cast", false);
    return std::string(try_cast ? "TRY_CAST(" : "CAST(") + *c + " AS " + *t + ")";
  }
  return std::nullopt;
}

Sql Translator::ColumnRef(const Json& expr) const {
  const Json* binding = Child(expr, "binding");
  const Json* depth = Child(expr, "depth");
  if (!binding || (depth && depth->is_number_integer() && depth->get<int64_t>() != 0)) return std::nullopt;
  const Json* index = Child(*binding, "column_index");
  if (!index || !index->is_number_unsigned() || index->get<uint64_t>() >= names_.size()) return std::nullopt;
  const std::string& name = names_[index->get<uint64_t>()];
  if (!columns_.count(name)) return std::nullopt;
  return duckdb::QuoteIdent(name);
}

}  // namespace

std::string FiltersToSql(std::string_view json_filters, const std::vector<std::string>& columns) {
  if (json_filters.empty()) return "";
  Json doc = Json::parse(json_filters, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return "";
  const Json* filters = Child(doc, "filters");
  const Json* names = Child(doc, "column_binding_names_by_index");
  if (!filters || !filters->is_array() || !names || !names->is_array()) return "";
  std::vector<std::string> binding_names;
  for (const auto& n : *names) binding_names.push_back(n.is_string() ? n.get<std::string>() : std::string());
  Translator translator(std::move(binding_names), columns);
  std::string out;
  for (const auto& filter : *filters) {  // the top-level filters are ANDed
    Sql c = translator.Condition(filter);
    if (c) out += (out.empty() ? "" : " AND ") + *c;
  }
  return out;
}

}  // namespace homer::flight
