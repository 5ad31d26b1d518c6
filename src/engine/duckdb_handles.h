#pragma once
/// \file
/// Move-only owners for DuckDB C API handles. Each destructor calls the matching destroy
/// function; get() lends the raw handle, which must not outlive its owner.

#include <duckdb.h>

#include <utility>

namespace homer::engine {

template <typename Handle, void (*Destroy)(Handle*)>
class DuckHandle {
 public:
  DuckHandle() = default;
  explicit DuckHandle(Handle h) : handle_(h) {}
  DuckHandle(const DuckHandle&) = delete;
  DuckHandle& operator=(const DuckHandle&) = delete;
  DuckHandle(DuckHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  DuckHandle& operator=(DuckHandle&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  ~DuckHandle() { reset(); }

  Handle get() const { return handle_; }
  /// Out-parameter for the C API's create functions; releases what was held.
  Handle* out() {
    reset();
    return &handle_;
  }
  explicit operator bool() const { return handle_ != nullptr; }
  void reset() {
    if (handle_) Destroy(&handle_);
    handle_ = nullptr;
  }

 private:
  Handle handle_ = nullptr;
};

using Database = DuckHandle<duckdb_database, duckdb_close>;
using Connection = DuckHandle<duckdb_connection, duckdb_disconnect>;
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

}  // namespace homer::engine
