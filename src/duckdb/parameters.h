#pragma once
/// \file
/// Values for a statement's parameters (`?`, `$1`, `$name`), bound through DuckDB's prepared
/// statements (duckdb/statement.h): a value never becomes SQL text, so it cannot change what
/// the statement does.

#include <arrow/api.h>

#include <memory>
#include <vector>

namespace homer::duckdb {

/// One value per parameter, in DuckDB's parameter order (the statement's parameter schema).
using QueryParameters = std::vector<std::shared_ptr<arrow::Scalar>>;

}  // namespace homer::duckdb
