#pragma once
/// \file
/// DoGet: a ticket's statement run by the engine and streamed as Flight data, in batches from
/// common::BatchStream (coalesced, within max_message_size), stopped inside DuckDB when the
/// client cancels or disconnects.

#include <arrow/flight/server.h>
#include <arrow/result.h>

#include <memory>
#include <vector>

#include "engine/engine.h"
#include "flight/cancel_watcher.h"
#include "flight/ticket.h"

namespace homer::flight {

/// Start the ticket's query (it runs when the first batch is pulled) for the call `context`,
/// once per parameter set in `parameter_rows`, results one after another (all of the first
/// row's schema). Errors while streaming reach the client through ToFlightStatus.
arrow::Result<std::unique_ptr<arrow::flight::FlightDataStream>> OpenDataStream(
    engine::Engine* engine, const TicketContent& ticket, const arrow::flight::ServerCallContext& context,
    CancelWatcher* watcher, int64_t max_message_size,
    std::vector<engine::QueryParameters> parameter_rows = {engine::QueryParameters{}});

}  // namespace homer::flight
