#pragma once
/// \file
/// DoGet for Flight and Flight SQL: a statement run by the engine and streamed as Flight data,
/// in batches from BatchStream (coalesced, within max_message_size). A client that cancels or
/// disconnects is noticed by the engine's one watchdog (ExecuteOptions::client_gone), which stops
/// the query inside DuckDB, also before its first rows.

#include <arrow/flight/server.h>
#include <arrow/result.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "duckdb/parameters.h"
#include "engine/engine.h"

namespace homer::rpc {

struct DataStreamOptions {
  int64_t max_message_size = 16 * 1024 * 1024;
  bool zstd = false;  ///< compress the IPC buffers (Airport asks for it in its tickets)
  std::string surface = "flight";  ///< for the metrics: flight or flightsql
  std::optional<lake::SnapshotPin> pin = std::nullopt;  ///< the ticket's snapshot pin
};

/// Start `sql` (it runs when the first batch is pulled) for the call `context`, once per
/// parameter set in `parameter_rows`, results one after another (all of the first row's schema).
/// Errors while streaming reach the client through ToFlightStatus.
arrow::Result<std::unique_ptr<arrow::flight::FlightDataStream>> OpenDataStream(
    engine::Engine* engine, const std::string& sql, const arrow::flight::ServerCallContext& context,
    DataStreamOptions options, std::vector<duckdb::QueryParameters> parameter_rows = {duckdb::QueryParameters{}});

}  // namespace homer::rpc
