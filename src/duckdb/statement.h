#pragma once
/// \file
/// One prepared statement and its streaming result, as Arrow: prepare, learn the result and
/// parameter schemas, bind values, execute, fetch batches. The query engine adds the sandbox,
/// deadlines and cancellation on top (engine/query_stream.h).

#include <arrow/api.h>
#include <arrow/result.h>

#include <memory>
#include <string>

#include "duckdb/database.h"
#include "duckdb/parameters.h"

namespace homer::duckdb {

class Statement {
 public:
  /// DuckDB's own error for SQL that does not prepare (parser, binder, catalog).
  static arrow::Result<std::unique_ptr<Statement>> Prepare(const Connection& con, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Is it of DuckDB's SELECT statement type?
  bool IsSelect() const;
  /// One field per parameter named as DuckDB names it; Arrow null where DuckDB leaves a type open.
  arrow::Result<std::shared_ptr<arrow::Schema>> ParameterSchema() const;
  /// True when a parameter or result type is only known once values are bound (`SELECT ?`):
  /// DuckDB then plans the statement again when it runs.
  bool TypesDependOnValues() const;

  /// Bind `values` (their number must equal the parameter count), or NULL to every parameter.
  arrow::Status Bind(const QueryParameters& values);
  arrow::Status BindNulls();

  /// The result schema as the prepared statement knows it (before running).
  arrow::Result<std::shared_ptr<arrow::Schema>> PreparedSchema() const;
  /// Start the statement with a streaming result.
  arrow::Status Execute();
  bool executing() const;
  /// The result schema of the started result (Execute first).
  arrow::Result<std::shared_ptr<arrow::Schema>> ResultSchema() const;
  /// The next chunk of the started result as a batch of `schema`, or nullptr at its end (the
  /// result is then closed, which ends the query for DuckDB's profiler).
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Fetch(const std::shared_ptr<arrow::Schema>& schema);
  /// Close the result and the prepared statement.
  void Close();

 private:
  struct Impl;
  explicit Statement(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace homer::duckdb
