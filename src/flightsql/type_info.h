#pragma once
/// \file
/// GetXdbcTypeInfo: the SQL types a client can use in queries against the node, as a static
/// table of DuckDB's types with their XDBC (ODBC/JDBC) codes, in the spec's result schema.

#include <arrow/api.h>
#include <arrow/result.h>

#include <optional>

namespace homer::flightsql {

const std::shared_ptr<arrow::Schema>& XdbcTypeInfoSchema();

/// Every type, or those whose data_type equals `data_type`; ordered by data_type, then name.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> MakeXdbcTypeInfoBatch(std::optional<int32_t> data_type);

}  // namespace homer::flightsql
