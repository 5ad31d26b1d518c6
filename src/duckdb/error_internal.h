#pragma once
/// \file
/// DuckDB errors as arrow::Status: the one place a DuckDB error class becomes a status code
/// (parser, binder, ... -> Invalid; catalog -> KeyError; interrupt -> Cancelled; IO, HTTP ->
/// IOError; out of memory -> OutOfMemory).

#include <arrow/status.h>
#include <duckdb.h>

namespace homer::duckdb {

/// Status for a failed result: DuckDB's message, its error class mapped to a status code.
arrow::Status ResultError(duckdb_result* result);
arrow::Status ErrorDataStatus(duckdb_error_data error);
/// For C API calls that only give a message ("Catalog Error: ..."): classified by its prefix.
arrow::Status MessageError(const char* message);

}  // namespace homer::duckdb
