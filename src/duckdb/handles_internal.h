#pragma once
/// \file
/// Owners (duckdb/database.h's Owned) for the DuckDB C API handles that only this folder holds,
/// each destroyed by its C API function. Database and Connection, which other folders hold, are
/// in database.h without the C API.

#include <duckdb.h>

#include <type_traits>
#include <utility>

#include "duckdb/database.h"

namespace homer::duckdb {

/// An owner of a C API handle type (a pointer to DuckDB's `_duckdb_*` struct).
template <typename Handle, void (*Destroy)(Handle*)>
using DuckHandle = Owned<std::remove_pointer_t<Handle>, Destroy>;

using Config = DuckHandle<duckdb_config, duckdb_destroy_config>;
using PreparedStatement = DuckHandle<duckdb_prepared_statement, duckdb_destroy_prepare>;
using ExtractedStatements = DuckHandle<duckdb_extracted_statements, duckdb_destroy_extracted>;
using PendingResult = DuckHandle<duckdb_pending_result, duckdb_destroy_pending>;
using DataChunk = DuckHandle<duckdb_data_chunk, duckdb_destroy_data_chunk>;
using LogicalType = DuckHandle<duckdb_logical_type, duckdb_destroy_logical_type>;
using Value = DuckHandle<duckdb_value, duckdb_destroy_value>;
using ArrowOptions = DuckHandle<duckdb_arrow_options, duckdb_destroy_arrow_options>;
using ErrorData = DuckHandle<duckdb_error_data, duckdb_destroy_error_data>;

/// duckdb_result is a struct, not a pointer: owned separately.
class Result {
 public:
  Result() = default;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& other) noexcept : result_(other.result_), live_(std::exchange(other.live_, false)) {}
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      reset();
      result_ = other.result_;
      live_ = std::exchange(other.live_, false);
    }
    return *this;
  }
  ~Result() { reset(); }

  duckdb_result* get() { return &result_; }
  /// Out-parameter; the C API fills the struct even on failure, so it is always destroyed.
  duckdb_result* out() {
    reset();
    live_ = true;
    return &result_;
  }
  void reset() {
    if (live_) duckdb_destroy_result(&result_);
    live_ = false;
  }

 private:
  duckdb_result result_{};
  bool live_ = false;
};

}  // namespace homer::duckdb
