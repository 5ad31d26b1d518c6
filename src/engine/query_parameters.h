#pragma once
/// \file
/// Values for a statement's parameters (`?`, `$1`, `$name`), bound through DuckDB's prepared
/// statements: a value never becomes SQL text, so it cannot change what the statement does.

#include <arrow/api.h>
#include <arrow/result.h>

#include <memory>
#include <vector>

#include "engine/duckdb_handles.h"

namespace homer::engine {

/// One value per parameter, in DuckDB's parameter order (the statement's parameter schema).
using QueryParameters = std::vector<std::shared_ptr<arrow::Scalar>>;

/// Bind `values` to `prepared`; their number must equal the statement's parameter count.
arrow::Status BindParameters(duckdb_prepared_statement prepared, const QueryParameters& values);

/// Bind NULL to every parameter (to learn a statement's result types before values exist).
arrow::Status BindNulls(duckdb_prepared_statement prepared);

/// True when DuckDB could not infer every parameter's type (`SELECT ?`): the result types are
/// then only known once values are bound and the statement is planned again.
bool HasUntypedParameters(duckdb_prepared_statement prepared);

/// The statement's parameters as an Arrow schema, one field per parameter named as DuckDB names
/// it; a parameter whose type DuckDB leaves open (`SELECT ?`) is of Arrow type null.
arrow::Result<std::shared_ptr<arrow::Schema>> ParameterSchema(duckdb_prepared_statement prepared,
                                                              duckdb_arrow_options options);

/// An Arrow value as a DuckDB value.
arrow::Result<Value> ToDuckDBValue(const arrow::Scalar& scalar);

}  // namespace homer::engine
