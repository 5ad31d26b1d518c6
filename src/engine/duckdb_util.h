#pragma once
/// \file
/// The small set of helpers every engine file uses to talk to DuckDB: opening a database that
/// loads extensions only from the project's bundle, running a statement, and turning DuckDB
/// errors into arrow::Status (the only place that happens).

#include <arrow/result.h>
#include <arrow/status.h>

#include <string>
#include <vector>

#include "engine/duckdb_handles.h"

namespace homer::engine {

struct DatabaseOptions {
  std::string extension_dir;  ///< a DuckDB extension_directory holding the bundled extensions
  int threads = 0;            ///< 0: DuckDB's default
  std::string memory_limit;   ///< "" keeps DuckDB's default
  std::string temp_directory;
  std::vector<std::string> extensions = {"ducklake", "sqlite_scanner"};
};

/// An in-memory database with automatic extension installs off (a missing extension is an
/// error naming the bundle, never a download) and `options.extensions` loaded.
arrow::Result<Database> OpenDatabase(const DatabaseOptions& options);

arrow::Result<Connection> Connect(const Database& db);

/// Status for a failed result: DuckDB's message, its error class mapped to a status code.
arrow::Status ResultError(duckdb_result* result);
arrow::Status ErrorDataStatus(duckdb_error_data error);
/// For C API calls that only give a message ("Catalog Error: ..."): classified by its prefix.
arrow::Status MessageError(const char* message);

/// Run a statement whose result is not needed.
arrow::Status Exec(duckdb_connection con, const std::string& sql);

/// Run a query and return every row's first column as text (NULL as "").
arrow::Result<std::vector<std::string>> QueryColumn(duckdb_connection con, const std::string& sql);

/// Run a query and return all rows as text (NULL as ""); for small metadata results.
arrow::Result<std::vector<std::vector<std::string>>> QueryRows(duckdb_connection con, const std::string& sql);

}  // namespace homer::engine
