#include "flightsql/parameters.h"

#include <arrow/util/logging.h>

#include <cctype>
#include <cstring>

#include "engine/sql_text.h"
#include "flightsql/commands.h"

namespace homer::flightsql {
namespace {

constexpr std::string_view kBoundTag = "HSB1";  // bound prepared statement, format 1

/// Calls on_placeholder(position, length, number) for each placeholder of `sql`; number is 0 for
/// `?` and n for `$n`. Skips '...' strings, "..." identifiers, -- and /* */ comments.
template <typename F>
arrow::Status ScanPlaceholders(std::string_view sql, F&& on_placeholder) {
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      const size_t end = sql.find(c, i + 1);  // a doubled quote is two adjacent literals: same span
      if (end == std::string_view::npos) return arrow::Status::OK();
      i = end + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (c == '?') {
      ARROW_RETURN_NOT_OK(on_placeholder(i, 1, 0));
      ++i;
    } else if (c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      size_t j = i + 1;
      while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      ARROW_RETURN_NOT_OK(on_placeholder(i, j - i, std::stoi(std::string(sql.substr(i + 1, j - i - 1)))));
      i = j;
    } else {
      ++i;
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::string> CastLiteral(const arrow::Scalar& value, const char* sql_type) {
  return "CAST(" + engine::QuoteLiteral(value.ToString()) + " AS " + sql_type + ")";
}

}  // namespace

std::string EncodePreparedHandle(const PreparedStatement& statement) {
  if (statement.bound_sql == statement.template_sql) return EncodeStatementHandle(statement.template_sql);
  const uint32_t size = static_cast<uint32_t>(statement.template_sql.size());
  std::string out(kBoundTag);
  out.append(reinterpret_cast<const char*>(&size), sizeof(size));
  return out + statement.template_sql + statement.bound_sql;
}

arrow::Result<PreparedStatement> DecodePreparedHandle(std::string_view handle) {
  if (handle.substr(0, kBoundTag.size()) != kBoundTag) {
    ARROW_ASSIGN_OR_RAISE(auto sql, DecodeStatementHandle(handle));
    return PreparedStatement{sql, sql};
  }
  handle.remove_prefix(kBoundTag.size());
  uint32_t size = 0;
  if (handle.size() < sizeof(size)) return arrow::Status::Invalid("truncated prepared statement handle");
  std::memcpy(&size, handle.data(), sizeof(size));
  handle.remove_prefix(sizeof(size));
  if (handle.size() < size) return arrow::Status::Invalid("truncated prepared statement handle");
  return PreparedStatement{std::string(handle.substr(0, size)), std::string(handle.substr(size))};
}

int CountPlaceholders(std::string_view sql) {
  int count = 0;
  auto st = ScanPlaceholders(sql, [&](size_t, size_t, int number) {
    count = number == 0 ? count + 1 : std::max(count, number);
    return arrow::Status::OK();
  });
  ARROW_UNUSED(st);
  return count;
}

arrow::Result<std::string> SqlLiteral(const arrow::Scalar& value) {
  if (!value.is_valid) return std::string("NULL");
  switch (value.type->id()) {
    case arrow::Type::BOOL:
      return std::string(static_cast<const arrow::BooleanScalar&>(value).value ? "TRUE" : "FALSE");
    case arrow::Type::INT8: case arrow::Type::INT16: case arrow::Type::INT32: case arrow::Type::INT64:
    case arrow::Type::UINT8: case arrow::Type::UINT16: case arrow::Type::UINT32: case arrow::Type::UINT64:
      return value.ToString();
    case arrow::Type::HALF_FLOAT: case arrow::Type::FLOAT: case arrow::Type::DOUBLE:
      return CastLiteral(value, "DOUBLE");  // quoted: also covers nan and inf
    case arrow::Type::STRING: case arrow::Type::LARGE_STRING: case arrow::Type::STRING_VIEW:
      return engine::QuoteLiteral(value.ToString());
    case arrow::Type::DATE32: case arrow::Type::DATE64:
      return CastLiteral(value, "DATE");
    case arrow::Type::TIME32: case arrow::Type::TIME64:
      return CastLiteral(value, "TIME");
    case arrow::Type::TIMESTAMP:
      return CastLiteral(value, static_cast<const arrow::TimestampType&>(*value.type).timezone().empty()
                                    ? "TIMESTAMP" : "TIMESTAMPTZ");
    case arrow::Type::DECIMAL128: {
      const auto& type = static_cast<const arrow::Decimal128Type&>(*value.type);
      const std::string decimal = "DECIMAL(" + std::to_string(type.precision()) + "," + std::to_string(type.scale()) + ")";
      return CastLiteral(value, decimal.c_str());
    }
    default:
      return arrow::Status::NotImplemented("parameters of type ", value.type->ToString(), " are not supported");
  }
}

arrow::Result<std::string> BindParameters(std::string_view sql, const arrow::RecordBatch* params, int64_t row) {
  std::string out;
  size_t copied = 0;
  int next = 0;
  ARROW_RETURN_NOT_OK(ScanPlaceholders(sql, [&](size_t pos, size_t len, int number) -> arrow::Status {
    const int column = number == 0 ? next++ : number - 1;
    std::string literal = "NULL";
    if (params) {
      if (column < 0 || column >= params->num_columns()) {
        return arrow::Status::Invalid("the statement has more parameters than the ", params->num_columns(), " bound");
      }
      ARROW_ASSIGN_OR_RAISE(auto scalar, params->column(column)->GetScalar(row));
      ARROW_ASSIGN_OR_RAISE(literal, SqlLiteral(*scalar));
    }
    out.append(sql.substr(copied, pos - copied));
    out.append(literal);
    copied = pos + len;
    return arrow::Status::OK();
  }));
  out.append(sql.substr(copied));
  return out;
}

}  // namespace homer::flightsql
