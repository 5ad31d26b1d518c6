#pragma once
/// \file
/// The node's message limit (flight_server.max_message_size) applied to what clients send:
/// a command, path, ticket or action body larger than it is refused before anything parses it.
/// (Arrow's gRPC server lifts gRPC's own receive limit, so the bytes have arrived; nothing is
/// built from them: no SQL parse, no plan, no decoding.)

#include <arrow/flight/types.h>
#include <arrow/status.h>

#include <cstdint>

namespace homer::rpc {

arrow::Status CheckInbound(const arrow::flight::FlightDescriptor& descriptor, int64_t limit);
arrow::Status CheckInbound(const arrow::flight::Ticket& ticket, int64_t limit);
arrow::Status CheckInbound(const arrow::flight::Action& action, int64_t limit);

}  // namespace homer::rpc
