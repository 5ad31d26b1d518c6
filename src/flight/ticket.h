#pragma once
/// \file
/// Tickets are self-contained: the statement to run and how to send it, serialized into the
/// ticket bytes. No server state is needed to redeem one, so a restarted node (or another node
/// of the same lake) serves tickets issued before; a ticket of another format version fails
/// with INVALID_ARGUMENT saying so. Redeeming a ticket runs its SQL through the engine's
/// sandbox like any query, so a forged ticket can do no more than a GetFlightInfo command.
///
/// A forged pin can do no more than the SQL's own `AT (VERSION => n)` clauses.
///
/// Layout: the 4 bytes "HNT1" (homer-node ticket, format 1), then a msgpack map
/// {"sql": str, "zstd": bool, "pin": str (optional, SnapshotPin::Encode)}.

#include <arrow/result.h>

#include <optional>
#include <string>
#include <string_view>

#include "lake/snapshot_pin.h"

namespace homer::flight {

struct TicketContent {
  std::string sql;
  /// Write the IPC bodies ZSTD-compressed: set when a projection null-fills columns, whose
  /// all-zero buffers compress to almost nothing.
  bool zstd = false;
  /// The lake as GetFlightInfo saw it: every ticket of one FlightInfo reads that state, on any
  /// node (lake/snapshot_pin.h). Unset: the lake as it is when redeemed.
  std::optional<lake::SnapshotPin> pin;
};

std::string EncodeTicket(const TicketContent& content);
arrow::Result<TicketContent> DecodeTicket(std::string_view ticket);

}  // namespace homer::flight
