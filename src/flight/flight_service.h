#pragma once
/// \file
/// The Flight service on flight_server: plain Flight (ListFlights, GetFlightInfo, GetSchema,
/// DoGet) and the Airport actions, over the engine. Handlers only translate requests into
/// engine calls; each returns through ToFlightStatus.

#include <arrow/flight/server.h>

#include <memory>

#include "common/lake_catalog.h"
#include "engine/engine.h"
#include "flight/airport_actions.h"
#include "flight/table_scan.h"

namespace homer::flight {

class FlightService : public arrow::flight::FlightServerBase {
 public:
  FlightService(engine::Engine* engine, int64_t max_message_size, ScanOptions scan_options);

  arrow::Status ListFlights(const arrow::flight::ServerCallContext& context, const arrow::flight::Criteria* criteria,
                            std::unique_ptr<arrow::flight::FlightListing>* listings) override;
  arrow::Status GetFlightInfo(const arrow::flight::ServerCallContext& context,
                              const arrow::flight::FlightDescriptor& request,
                              std::unique_ptr<arrow::flight::FlightInfo>* info) override;
  arrow::Status GetSchema(const arrow::flight::ServerCallContext& context,
                          const arrow::flight::FlightDescriptor& request,
                          std::unique_ptr<arrow::flight::SchemaResult>* schema) override;
  arrow::Status DoGet(const arrow::flight::ServerCallContext& context, const arrow::flight::Ticket& request,
                      std::unique_ptr<arrow::flight::FlightDataStream>* stream) override;
  arrow::Status DoAction(const arrow::flight::ServerCallContext& context, const arrow::flight::Action& action,
                         std::unique_ptr<arrow::flight::ResultStream>* result) override;
  arrow::Status ListActions(const arrow::flight::ServerCallContext& context,
                            std::vector<arrow::flight::ActionType>* actions) override;

  /// Builds the catalog listing GetFlightInfo, ListFlights and Airport read (one schema prepare
  /// per table), so the first calls after start do not wait for it; returns the table count.
  arrow::Result<size_t> ListTables();

 private:
  arrow::Status DoListFlights(std::unique_ptr<arrow::flight::FlightListing>* listings);
  arrow::Status DoGetFlightInfo(const arrow::flight::FlightDescriptor& request,
                                std::unique_ptr<arrow::flight::FlightInfo>* info);
  arrow::Status DoGetSchema(const arrow::flight::FlightDescriptor& request,
                            std::unique_ptr<arrow::flight::SchemaResult>* schema);
  arrow::Status DoDoGet(const arrow::flight::ServerCallContext& context, const arrow::flight::Ticket& request,
                        std::unique_ptr<arrow::flight::FlightDataStream>* stream);
  arrow::Status DoDoAction(const arrow::flight::ServerCallContext& context, const arrow::flight::Action& action,
                           std::unique_ptr<arrow::flight::ResultStream>* result);

  engine::Engine* engine_;
  int64_t max_message_size_;
  ScanOptions scan_options_;
  common::LakeCatalog catalog_;
  AirportActions airport_;
};

}  // namespace homer::flight
