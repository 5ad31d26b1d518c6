#include "duckdb/error_internal.h"

#include <string>
#include <utility>

#include "duckdb/allocator_limits.h"

namespace homer::duckdb {
namespace {

arrow::Status StatusFor(duckdb_error_type type, std::string message) {
  switch (type) {
    case DUCKDB_ERROR_PARSER:
    case DUCKDB_ERROR_SYNTAX:
    case DUCKDB_ERROR_BINDER:
    case DUCKDB_ERROR_CONVERSION:
    case DUCKDB_ERROR_OUT_OF_RANGE:
    case DUCKDB_ERROR_INVALID_INPUT:
    case DUCKDB_ERROR_INVALID_TYPE:
    case DUCKDB_ERROR_MISMATCH_TYPE:
    case DUCKDB_ERROR_DIVIDE_BY_ZERO:
    case DUCKDB_ERROR_NOT_IMPLEMENTED:
    case DUCKDB_ERROR_PERMISSION:
    case DUCKDB_ERROR_CONSTRAINT:
    case DUCKDB_ERROR_PARAMETER_NOT_RESOLVED:
    case DUCKDB_ERROR_PARAMETER_NOT_ALLOWED:
      return arrow::Status::Invalid(std::move(message));
    case DUCKDB_ERROR_CATALOG:
      return arrow::Status::KeyError(std::move(message));
    case DUCKDB_ERROR_INTERRUPT:
      return arrow::Status::Cancelled(std::move(message));
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_HTTP:
    case DUCKDB_ERROR_CONNECTION:
      return arrow::Status::IOError(std::move(message));
    case DUCKDB_ERROR_OUT_OF_MEMORY: {
      if (auto refused = ExplainRefusedAllocation(message)) {
        NoteRefusedAllocation(refused->bound);
        // A query over the per-allocation cap fails every time (Invalid: HTTP 400); the ceiling
        // depends on the other queries (OutOfMemory: HTTP 503, Flight UNAVAILABLE).
        if (!refused->retryable) return arrow::Status::Invalid(refused->message);
        return arrow::Status::OutOfMemory(refused->message);
      }
      return arrow::Status::OutOfMemory(std::move(message));
    }
    default:
      return arrow::Status::UnknownError(std::move(message));
  }
}

}  // namespace

arrow::Status ResultError(duckdb_result* result) {
  const char* msg = duckdb_result_error(result);
  return StatusFor(duckdb_result_error_type(result), msg ? msg : "unknown DuckDB error");
}

arrow::Status ErrorDataStatus(duckdb_error_data error) {
  if (!error || !duckdb_error_data_has_error(error)) return arrow::Status::OK();
  return StatusFor(duckdb_error_data_error_type(error), duckdb_error_data_message(error));
}

arrow::Status MessageError(const char* message) {
  static const std::pair<const char*, duckdb_error_type> kPrefixes[] = {
      {"Parser Error", DUCKDB_ERROR_PARSER},     {"Binder Error", DUCKDB_ERROR_BINDER},
      {"Catalog Error", DUCKDB_ERROR_CATALOG},   {"Conversion Error", DUCKDB_ERROR_CONVERSION},
      {"Invalid Input Error", DUCKDB_ERROR_INVALID_INPUT}, {"Permission Error", DUCKDB_ERROR_PERMISSION},
      {"IO Error", DUCKDB_ERROR_IO},             {"HTTP Error", DUCKDB_ERROR_HTTP},
      {"INTERRUPT Error", DUCKDB_ERROR_INTERRUPT}, {"Out of Memory Error", DUCKDB_ERROR_OUT_OF_MEMORY},
      {"Not implemented Error", DUCKDB_ERROR_NOT_IMPLEMENTED}, {"Out of Range Error", DUCKDB_ERROR_OUT_OF_RANGE},
  };
  std::string msg = message ? message : "unknown DuckDB error";
  for (const auto& [prefix, type] : kPrefixes) {
    if (msg.rfind(prefix, 0) == 0) return StatusFor(type, msg);
  }
  return StatusFor(DUCKDB_ERROR_INVALID, msg);
}

}  // namespace homer::duckdb
