#pragma once
/// \file
/// A happens-before edge ThreadSanitizer cannot see on its own: gRPC hands the end of every call
/// to the thread that stops the server (Shutdown + Wait) through Abseil locks inside the
/// uninstrumented libarrow_flight. Without it a service's destructor looks raced with the last
/// handler that read the service's state. Under TSan a server adds the fence to its middleware:
/// every call releases at its end, ShutdownAndWait acquires once gRPC's Wait returned. No-ops
/// otherwise (no middleware, no per-call allocation).

#include <arrow/flight/server.h>

#include <chrono>

namespace homer::rpc {

/// Adds the fence's middleware to `options` when built with ThreadSanitizer.
void AddHandlerFence(arrow::flight::FlightServerOptions* options);
/// Stops `server`: no new calls, running ones get `grace` to finish and are then cancelled; waits
/// for every handler to return, after which (under TSan too) nothing of theirs still runs.
arrow::Status ShutdownAndWait(arrow::flight::FlightServerBase* server, std::chrono::seconds grace);

}  // namespace homer::rpc
