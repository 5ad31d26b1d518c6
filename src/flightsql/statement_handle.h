#pragma once
/// \file
/// Statement handles without server state: a prepared-statement handle, and the ticket of a
/// statement or prepared query, carry the SQL and the parameter rows bound to it (Arrow IPC), so
/// a restarted node still redeems them. Values are bound by DuckDB (duckdb/parameters.h),
/// never pasted into the SQL, and a forged handle can do no more than a statement query: its SQL
/// still goes through the engine's sandbox.
///
/// Several parameter rows run the statement once per row, results concatenated in row order.

#include <arrow/api.h>
#include <arrow/result.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duckdb/parameters.h"
#include "lake/snapshot_pin.h"

namespace homer::flightsql {

/// Largest parameter set a handle carries (it travels in tickets and DoPut answers).
constexpr int64_t kMaxBoundParameterBytes = 1 << 20;

struct StatementHandle {
  std::string sql;
  std::shared_ptr<arrow::RecordBatch> parameters;  ///< one row per execution; null: none bound
  /// Set in a statement's ticket (GetFlightInfo): DoGet reads the lake as it was then, on any
  /// node (lake/snapshot_pin.h). Prepared-statement handles carry none.
  std::optional<lake::SnapshotPin> pin;

  /// One engine parameter set per row; a single empty set when none are bound.
  arrow::Result<std::vector<duckdb::QueryParameters>> ParameterRows() const;
};

arrow::Result<std::string> EncodeHandle(const StatementHandle& handle);
arrow::Result<StatementHandle> DecodeHandle(std::string_view bytes);

/// The batches a client bound through DoPut as one batch (null when they hold no row).
arrow::Result<std::shared_ptr<arrow::RecordBatch>> CombineParameterBatches(
    const std::shared_ptr<arrow::Schema>& schema, const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches);

}  // namespace homer::flightsql
