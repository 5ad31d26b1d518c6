#include "flight/flight_service.h"

#include "flight/flight_info.h"
#include "flight/ticket.h"
#include "rpc/data_stream.h"
#include "rpc/inbound_limits.h"
#include "rpc/status_map.h"

namespace homer::flight {

namespace fl = arrow::flight;

FlightService::FlightService(engine::Engine* engine, int64_t max_message_size, ScanOptions scan_options)
    : engine_(engine),
      max_message_size_(max_message_size),
      scan_options_(scan_options),
      catalog_(engine),
      airport_(engine, &catalog_, scan_options) {}

arrow::Status FlightService::ListFlights(const fl::ServerCallContext&, const fl::Criteria*,
                                         std::unique_ptr<fl::FlightListing>* listings) {
  return rpc::ToFlightStatus(DoListFlights(listings));
}

arrow::Status FlightService::GetFlightInfo(const fl::ServerCallContext&, const fl::FlightDescriptor& request,
                                           std::unique_ptr<fl::FlightInfo>* info) {
  ARROW_RETURN_NOT_OK(rpc::ToFlightStatus(rpc::CheckInbound(request, max_message_size_)));
  return rpc::ToFlightStatus(DoGetFlightInfo(request, info));
}

arrow::Status FlightService::GetSchema(const fl::ServerCallContext&, const fl::FlightDescriptor& request,
                                       std::unique_ptr<fl::SchemaResult>* schema) {
  ARROW_RETURN_NOT_OK(rpc::ToFlightStatus(rpc::CheckInbound(request, max_message_size_)));
  return rpc::ToFlightStatus(DoGetSchema(request, schema));
}

arrow::Status FlightService::DoGet(const fl::ServerCallContext& context, const fl::Ticket& request,
                                   std::unique_ptr<fl::FlightDataStream>* stream) {
  ARROW_RETURN_NOT_OK(rpc::ToFlightStatus(rpc::CheckInbound(request, max_message_size_)));
  return rpc::ToFlightStatus(DoDoGet(context, request, stream));
}

arrow::Status FlightService::DoAction(const fl::ServerCallContext& context, const fl::Action& action,
                                      std::unique_ptr<fl::ResultStream>* result) {
  ARROW_RETURN_NOT_OK(rpc::ToFlightStatus(rpc::CheckInbound(action, max_message_size_)));
  return rpc::ToFlightStatus(DoDoAction(context, action, result));
}

arrow::Status FlightService::ListActions(const fl::ServerCallContext&, std::vector<fl::ActionType>* actions) {
  *actions = AirportActions::Types();
  return arrow::Status::OK();
}

arrow::Result<size_t> FlightService::ListTables() {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_.Snapshot());
  return snapshot->tables.size();
}

arrow::Status FlightService::DoListFlights(std::unique_ptr<fl::FlightListing>* listings) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_.Snapshot());
  TableScanner scanner(engine_, snapshot, scan_options_);
  std::vector<fl::FlightInfo> infos;
  for (const auto& t : snapshot->tables) {
    auto descriptor = fl::FlightDescriptor::Path({t.catalog, t.schema, t.name});
    ARROW_ASSIGN_OR_RAISE(auto info, DescribeFlight(engine_, scanner, *snapshot, descriptor, {},
                                                    {.airport = false, .split = false}));
    infos.push_back(std::move(*info));
  }
  *listings = std::make_unique<fl::SimpleFlightListing>(std::move(infos));
  return arrow::Status::OK();
}

arrow::Status FlightService::DoGetFlightInfo(const fl::FlightDescriptor& request,
                                             std::unique_ptr<fl::FlightInfo>* info) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_.Snapshot());
  TableScanner scanner(engine_, snapshot, scan_options_);
  ARROW_ASSIGN_OR_RAISE(auto pin, engine_->Pin());
  ARROW_ASSIGN_OR_RAISE(*info, DescribeFlight(engine_, scanner, *snapshot, request, {},
                                              {.airport = false, .split = true, .pin = std::move(pin)}));
  return arrow::Status::OK();
}

arrow::Status FlightService::DoGetSchema(const fl::FlightDescriptor& request,
                                         std::unique_ptr<fl::SchemaResult>* schema) {
  std::shared_ptr<arrow::Schema> result;
  if (request.type == fl::FlightDescriptor::CMD) {
    ARROW_ASSIGN_OR_RAISE(result, common::QuerySchema(engine_, request.cmd));
  } else {
    ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_.Snapshot());
    ARROW_ASSIGN_OR_RAISE(const lake::LakeTable* table, FindTable(*snapshot, request.path));
    result = table->arrow_schema;
  }
  ARROW_ASSIGN_OR_RAISE(*schema, fl::SchemaResult::Make(*result));
  return arrow::Status::OK();
}

arrow::Status FlightService::DoDoGet(const fl::ServerCallContext& context, const fl::Ticket& request,
                                     std::unique_ptr<fl::FlightDataStream>* stream) {
  ARROW_ASSIGN_OR_RAISE(auto ticket, DecodeTicket(request.ticket));
  ARROW_ASSIGN_OR_RAISE(*stream, rpc::OpenDataStream(engine_, ticket.sql, context,
                                                        {max_message_size_, ticket.zstd, "flight", ticket.pin}));
  return arrow::Status::OK();
}

arrow::Status FlightService::DoDoAction(const fl::ServerCallContext& context, const fl::Action& action,
                                        std::unique_ptr<fl::ResultStream>* result) {
  if (!AirportActions::Handles(action.type)) {
    return arrow::Status::NotImplemented("unknown action '", action.type, "' (ListActions lists them)");
  }
  const std::string_view body = action.body ? std::string_view(*action.body) : std::string_view();
  std::string catalog_name;
  const auto& headers = context.incoming_headers();
  if (auto it = headers.find("airport-catalog"); it != headers.end()) catalog_name = std::string(it->second);
  ARROW_ASSIGN_OR_RAISE(auto out, airport_.Run(action.type, body, catalog_name));
  std::vector<fl::Result> results;
  results.push_back(fl::Result{arrow::Buffer::FromString(std::move(out))});
  *result = std::make_unique<fl::SimpleResultStream>(std::move(results));
  return arrow::Status::OK();
}

}  // namespace homer::flight
