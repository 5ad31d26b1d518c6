#pragma once
/// \file
/// Grafana's data frames hold only utf8, integers, floats, bool, timestamps and durations; a
/// column of another type (DECIMAL, DATE, HUGEINT as decimal128, UBIGINT, UUID, JSON, lists,
/// ...) arrives empty in a panel. With the option on, a statement is wrapped in a projection
/// that casts those columns, inside DuckDB, to types Grafana shows. The wrapped statement is
/// still one SELECT checked by the engine's sandbox.

#include <arrow/api.h>
#include <arrow/result.h>

#include <optional>
#include <string>

namespace homer::flightsql {

/// The DuckDB type a column of `type` is cast to for Grafana, or nullopt to keep it.
std::optional<std::string> GrafanaCastType(const arrow::DataType& type);

/// `sql` wrapped as SELECT <columns, cast where needed> FROM (<sql>), or `sql` itself when no
/// column of `schema` (its result schema) needs a cast.
std::string GrafanaCastSql(const std::string& sql, const arrow::Schema& schema);

}  // namespace homer::flightsql
