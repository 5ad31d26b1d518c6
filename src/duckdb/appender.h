#pragma once
/// \file
/// Rows appended to one table through DuckDB's Appender, a data chunk at a time: values are
/// written straight into the chunk's vectors (no per-value DuckDB Value), and a full chunk is
/// handed to the Appender. Flush() commits what was appended.

#include <arrow/result.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "duckdb/database.h"

namespace homer::duckdb {

class ChunkAppender {
 public:
  /// An Appender on `catalog.schema.table` over `con` (which must outlive it).
  static arrow::Result<std::unique_ptr<ChunkAppender>> Open(const Connection& con, const std::string& catalog,
                                                            const std::string& schema, const std::string& table);
  ~ChunkAppender();
  ChunkAppender(const ChunkAppender&) = delete;
  ChunkAppender& operator=(const ChunkAppender&) = delete;

  size_t column_count() const;

  /// Values of the current row, by column position; a column not set is NULL. The setter must
  /// match the column's type (VARCHAR/JSON, UINTEGER, BIGINT, TIMESTAMP, DATE).
  void SetText(size_t column, std::string_view value);
  void SetUInt32(size_t column, uint32_t value);
  void SetInt64(size_t column, int64_t value);
  void SetTimestampMicros(size_t column, int64_t micros_since_epoch);
  void SetDate(size_t column, int32_t days_since_epoch);
  /// Finish the row; a full chunk goes to the Appender (not yet committed).
  arrow::Status EndRow();
  /// Hand the partial chunk over and commit everything appended (DuckDB's WAL makes it durable
  /// for a database file).
  arrow::Status Flush();
  /// Rows appended since the last Flush().
  int64_t unflushed_rows() const { return unflushed_; }

 private:
  struct Impl;
  explicit ChunkAppender(std::unique_ptr<Impl> impl);
  arrow::Status AppendChunk();
  std::unique_ptr<Impl> impl_;
  int64_t unflushed_ = 0;
};

}  // namespace homer::duckdb
