#pragma once
/// \file
/// The DoAction side of the DuckDB Airport protocol for a read-only catalog.
///
/// Every request body is one msgpack map with string keys and the client reads exactly one
/// result. Field names and types follow the client's source (Query-farm/airport):
///   create_transaction {catalog_name}                 -> {identifier: nil}
///   list_schemas       {catalog_name}                 -> see airport_catalog.h
///   catalog_version    {catalog_name}                 -> {catalog_version, is_fixed: false}
///   endpoints          {descriptor, parameters: {json_filters, column_ids, at_unit, at_value,
///                       table_function_parameters, table_function_input_schema}}
///                                                     -> msgpack [bin FlightEndpoint...]
///   flight_info        {descriptor, at_unit, at_value} -> protobuf FlightInfo (not msgpack)
///   column_statistics  {flight_descriptor, column_name, type}
///                                                     -> Arrow IPC stream of one row
/// Descriptors are protobuf FlightDescriptor bytes, parsed with Arrow's own deserializer.

#include <arrow/flight/types.h>
#include <arrow/result.h>

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/lake_catalog.h"
#include "engine/engine.h"
#include "flight/msgpack_util.h"
#include "flight/table_scan.h"

namespace homer::flight {

class AirportActions {
 public:
  AirportActions(engine::Engine* engine, common::LakeCatalog* catalog, ScanOptions scan_options)
      : engine_(engine), catalog_(catalog), scan_options_(scan_options) {}

  static std::vector<arrow::flight::ActionType> Types();
  static bool Handles(const std::string& type);

  /// The one result body of action `type`; `catalog_name` is the client's attach name (its
  /// airport-catalog header), for requests that do not carry it.
  arrow::Result<std::string> Run(const std::string& type, std::string_view body, const std::string& catalog_name);

 private:
  arrow::Result<std::string> ListSchemas(const mp::MapReader& request);
  arrow::Result<std::string> Endpoints(const mp::MapReader& request);
  arrow::Result<std::string> FlightInfo(const mp::MapReader& request, const std::string& catalog_name);
  arrow::Result<std::string> ColumnStatistics(const mp::MapReader& request);

  engine::Engine* engine_;
  common::LakeCatalog* catalog_;
  ScanOptions scan_options_;
  std::mutex cache_mutex_;
  /// catalog name as sent -> (catalog version, list_schemas body)
  std::map<std::string, std::pair<uint64_t, std::string>> list_schemas_cache_;
};

}  // namespace homer::flight
