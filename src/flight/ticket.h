#pragma once
/// \file
/// Tickets are self-contained: the statement to run and how to send it, serialized into the
/// ticket bytes. No server state is needed to redeem one, so a restarted node (or another node
/// of the same lake) serves tickets issued before; a ticket of another format version fails
/// with INVALID_ARGUMENT saying so. Redeeming a ticket runs its SQL through the engine's
/// sandbox like any query, so a forged ticket can do no more than a GetFlightInfo command.
///
/// Layout: the 4 bytes "HNT1" (homer-node ticket, format 1), then a msgpack map
/// {"sql": str, "zstd": bool}.

#include <arrow/result.h>

#include <string>
#include <string_view>

namespace homer::flight {

struct TicketContent {
  std::string sql;
  /// Write the IPC bodies ZSTD-compressed: set when a projection null-fills columns, whose
  /// all-zero buffers compress to almost nothing.
  bool zstd = false;
};

std::string EncodeTicket(const TicketContent& content);
arrow::Result<TicketContent> DecodeTicket(std::string_view ticket);

}  // namespace homer::flight
