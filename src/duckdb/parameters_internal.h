#pragma once
/// \file
/// Arrow values bound to DuckDB prepared statements, and a statement's parameter types.

#include <arrow/api.h>
#include <arrow/result.h>

#include <memory>
#include <vector>

#include <duckdb.h>

#include "duckdb/handles_internal.h"
#include "duckdb/parameters.h"

namespace homer::duckdb {

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

}  // namespace homer::duckdb
