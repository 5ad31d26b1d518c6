#pragma once
/// \file
/// FlightInfo for a descriptor, shared by GetFlightInfo, ListFlights and the Airport
/// `flight_info` action: a CMD descriptor is one SQL statement (prepared here, so bad SQL and
/// unknown tables fail now, not at DoGet), a PATH descriptor names a table (table_scan.h).

#include <arrow/flight/types.h>
#include <arrow/result.h>

#include <memory>
#include <optional>
#include <vector>

#include "flight/table_scan.h"

namespace homer::flight {

struct DescribeOptions {
  /// Airport style: endpoints carry the reuse-connection location (the client requires one)
  /// and a table's schema the statistics marker. Plain Flight leaves locations empty, which
  /// means "this server".
  bool airport = false;
  /// Split large table scans into several endpoints.
  bool split = true;
  /// The FlightInfo's app_metadata (Airport's client needs a table's, see airport_catalog.h).
  std::string app_metadata = {};
  /// Stamped on every ticket (Engine::Pin): GetFlightInfo and Airport's actions pin their
  /// endpoints; ListFlights does not.
  std::optional<lake::SnapshotPin> pin = std::nullopt;
};

arrow::Result<std::unique_ptr<arrow::flight::FlightInfo>> DescribeFlight(engine::Engine* engine,
                                                                         const TableScanner& scanner,
                                                                         const lake::CatalogSnapshot& snapshot,
                                                                         const arrow::flight::FlightDescriptor& descriptor,
                                                                         const TimeTravel& at, DescribeOptions options);

/// One endpoint per ticket, each carrying `pin` when set.
std::vector<arrow::flight::FlightEndpoint> MakeEndpoints(std::vector<TicketContent> tickets, bool airport,
                                                         const std::optional<lake::SnapshotPin>& pin);

}  // namespace homer::flight
