#include "flightsql/grafana_cast.h"

#include <cctype>

#include "duckdb/sql_text.h"

namespace homer::flightsql {
namespace {

/// Trailing blanks and semicolons would end the subquery early.
std::string WithoutTrailingSemicolons(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) sql.pop_back();
  return sql;
}

}  // namespace

std::optional<std::string> GrafanaCastType(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL:
    case arrow::Type::INT8: case arrow::Type::INT16: case arrow::Type::INT32: case arrow::Type::INT64:
    case arrow::Type::UINT8: case arrow::Type::UINT16: case arrow::Type::UINT32:
    case arrow::Type::FLOAT: case arrow::Type::DOUBLE:
    case arrow::Type::STRING:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::DURATION:
      return std::nullopt;
    case arrow::Type::UINT64:      // above int64's range for some values: a float keeps the magnitude
    case arrow::Type::DECIMAL128:  // DECIMAL and HUGEINT
    case arrow::Type::HALF_FLOAT:
      return "DOUBLE";
    case arrow::Type::DATE32:
    case arrow::Type::DATE64:
      return "TIMESTAMP";
    case arrow::Type::EXTENSION:   // arrow.uuid, arrow.json, DuckDB's opaque types
    default:                       // large strings, times, intervals, blobs, lists, structs, maps, enums
      return "VARCHAR";
  }
}

std::string GrafanaCastSql(const std::string& sql, const arrow::Schema& schema) {
  std::string columns;
  bool any_cast = false;
  for (const auto& field : schema.fields()) {
    const std::string name = duckdb::QuoteIdent(field->name());
    if (!columns.empty()) columns += ", ";
    if (auto cast = GrafanaCastType(*field->type())) {
      columns += "CAST(" + name + " AS " + *cast + ") AS " + name;
      any_cast = true;
    } else {
      columns += name;
    }
  }
  if (!any_cast) return sql;
  // The newline ends a trailing -- comment of the client's SQL.
  return "SELECT " + columns + " FROM (" + WithoutTrailingSemicolons(sql) + "\n) AS grafana_cast";
}

}  // namespace homer::flightsql
