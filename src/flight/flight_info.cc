#include "flight/flight_info.h"

#include <string>

#include "common/lake_catalog.h"
#include "flight/airport_catalog.h"

namespace homer::flight {

std::vector<arrow::flight::FlightEndpoint> MakeEndpoints(std::vector<TicketContent> tickets, bool airport,
                                                         const std::optional<lake::SnapshotPin>& pin) {
  std::vector<arrow::flight::FlightEndpoint> out;
  for (auto& t : tickets) {
    if (pin) t.pin = pin;
    arrow::flight::FlightEndpoint e;
    e.ticket.ticket = EncodeTicket(t);
    if (airport) e.locations.push_back(arrow::flight::Location::ReuseConnection());
    out.push_back(std::move(e));
  }
  return out;
}

arrow::Result<std::unique_ptr<arrow::flight::FlightInfo>> DescribeFlight(engine::Engine* engine,
                                                                         const TableScanner& scanner,
                                                                         const lake::CatalogSnapshot& snapshot,
                                                                         const arrow::flight::FlightDescriptor& descriptor,
                                                                         const TimeTravel& at, DescribeOptions options) {
  using arrow::flight::FlightDescriptor;
  std::shared_ptr<arrow::Schema> schema;
  std::vector<TicketContent> tickets;
  if (descriptor.type == FlightDescriptor::CMD) {
    if (!at.empty()) return arrow::Status::Invalid("time travel applies to tables (PATH descriptors), not to SQL");
    ARROW_ASSIGN_OR_RAISE(schema, common::QuerySchema(engine, descriptor.cmd));
    tickets.push_back({descriptor.cmd, false});
  } else if (descriptor.type == FlightDescriptor::PATH) {
    ARROW_ASSIGN_OR_RAISE(const lake::LakeTable* table, FindTable(snapshot, descriptor.path));
    ARROW_ASSIGN_OR_RAISE(Relation relation, scanner.Resolve(*table, at));
    if (options.split) {
      ARROW_ASSIGN_OR_RAISE(tickets, scanner.Tickets(*table, relation, {}, ""));
    } else {
      tickets.push_back({TableScanner::SelectSql(relation, {}, ""), false});
    }
    // The statistics describe the current snapshot only: no marker when time travelling.
    schema = options.airport && at.empty() ? AdvertisedSchema(*table) : relation.schema;
  } else {
    return arrow::Status::Invalid("unknown FlightDescriptor type");
  }
  auto endpoints = MakeEndpoints(std::move(tickets), options.airport, options.pin);
  ARROW_ASSIGN_OR_RAISE(auto info, arrow::flight::FlightInfo::Make(*schema, descriptor, endpoints, -1, -1, false,
                                                                   options.app_metadata));
  return std::make_unique<arrow::flight::FlightInfo>(std::move(info));
}

}  // namespace homer::flight
