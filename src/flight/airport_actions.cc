#include "flight/airport_actions.h"

#include <arrow/io/memory.h>
#include <arrow/ipc/writer.h>

#include "rpc/batch_stream.h"
#include "flight/airport_catalog.h"
#include "flight/filter_sql.h"
#include "flight/flight_info.h"
#include "lake/statistics.h"

namespace homer::flight {
namespace {

arrow::Result<arrow::flight::FlightDescriptor> ParseDescriptor(const mp::MapReader& request, const char* key) {
  ARROW_ASSIGN_OR_RAISE(auto bytes, request.String(key));
  if (bytes.empty()) return arrow::Status::Invalid("missing '", key, "' (a serialized FlightDescriptor)");
  return arrow::flight::FlightDescriptor::Deserialize(bytes);
}

/// Columns whose filters can be evaluated by the node exactly as the client would. A
/// decimal128(38, 0) column may be a HUGEINT here, compared with other rules.
std::vector<std::string> FilterableColumns(const arrow::Schema& schema) {
  std::vector<std::string> out;
  for (const auto& f : schema.fields()) {
    if (f->type()->Equals(*arrow::decimal128(38, 0))) continue;
    out.push_back(f->name());
  }
  return out;
}

arrow::Result<std::string> IpcStreamBytes(arrow::RecordBatchReader& reader) {
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  ARROW_ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeStreamWriter(sink, reader.schema()));
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader.Next());
    if (!batch) break;
    ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
  }
  ARROW_RETURN_NOT_OK(writer->Close());
  ARROW_ASSIGN_OR_RAISE(auto buffer, sink->Finish());
  return buffer->ToString();
}

std::string VersionBody(uint64_t version) {
  mp::Writer w;
  w.Map(2).Str("catalog_version").Uint(version).Str("is_fixed").Bool(false);
  return w.Take();
}

}  // namespace

std::vector<arrow::flight::ActionType> AirportActions::Types() {
  return {
      {"create_transaction", "Airport: start a transaction (read-only node: no identifier)"},
      {"list_schemas", "Airport: the catalog's schemas and tables"},
      {"catalog_version", "Airport: the catalog version, bumped when tables or columns change"},
      {"endpoints", "Airport: tickets for a table scan with projection, filters and time travel"},
      {"flight_info", "Airport: a table's FlightInfo, optionally at a DuckLake snapshot"},
      {"column_statistics", "Airport: a column's min/max/null statistics from DuckLake"},
  };
}

bool AirportActions::Handles(const std::string& type) {
  for (const auto& t : Types()) {
    if (t.type == type) return true;
  }
  return false;
}

arrow::Result<std::string> AirportActions::Run(const std::string& type, std::string_view body,
                                               const std::string& catalog_name) {
  ARROW_ASSIGN_OR_RAISE(auto doc, mp::Document::Parse(body));
  ARROW_ASSIGN_OR_RAISE(auto request, mp::MapReader::Make(doc.root(), type + " request"));
  if (type == "create_transaction") {
    mp::Writer w;
    w.Map(1).Str("identifier").Nil();
    return w.Take();
  }
  if (type == "catalog_version") return VersionBody(engine_->catalog_version());
  if (type == "list_schemas") return ListSchemas(request);
  if (type == "endpoints") return Endpoints(request);
  if (type == "flight_info") return FlightInfo(request, catalog_name);
  if (type == "column_statistics") return ColumnStatistics(request);
  return arrow::Status::NotImplemented("unknown action '", type, "' (ListActions lists them)");
}

arrow::Result<std::string> AirportActions::ListSchemas(const mp::MapReader& request) {
  ARROW_ASSIGN_OR_RAISE(auto catalog_name, request.String("catalog_name"));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_->Snapshot());
  {
    std::lock_guard lock(cache_mutex_);
    auto it = list_schemas_cache_.find(catalog_name);
    if (it != list_schemas_cache_.end() && it->second.first == snapshot->version) return it->second.second;
  }
  ARROW_ASSIGN_OR_RAISE(auto body, ListSchemasBody(*snapshot, catalog_name));
  std::lock_guard lock(cache_mutex_);
  list_schemas_cache_[catalog_name] = {snapshot->version, body};
  return body;
}

arrow::Result<std::string> AirportActions::Endpoints(const mp::MapReader& request) {
  ARROW_ASSIGN_OR_RAISE(auto descriptor, ParseDescriptor(request, "descriptor"));
  ARROW_ASSIGN_OR_RAISE(auto parameters, request.Map("parameters"));
  std::string json_filters;
  std::vector<uint64_t> column_ids;
  TimeTravel at;
  if (parameters) {
    ARROW_ASSIGN_OR_RAISE(json_filters, parameters->String("json_filters"));
    ARROW_ASSIGN_OR_RAISE(column_ids, parameters->UintArray("column_ids"));
    ARROW_ASSIGN_OR_RAISE(at.unit, parameters->String("at_unit"));
    ARROW_ASSIGN_OR_RAISE(at.value, parameters->String("at_value"));
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_->Snapshot());
  TableScanner scanner(engine_, snapshot, scan_options_);
  std::vector<arrow::flight::FlightEndpoint> endpoints;
  if (descriptor.type == arrow::flight::FlightDescriptor::PATH) {
    ARROW_ASSIGN_OR_RAISE(const lake::LakeTable* table, FindTable(*snapshot, descriptor.path));
    ARROW_ASSIGN_OR_RAISE(Relation relation, scanner.Resolve(*table, at));
    // The columns the client was given (airport_catalog.h); time travel has its own schema.
    if (at.empty() && descriptor.path.size() > 3) {
      ARROW_ASSIGN_OR_RAISE(relation, TableScanner::Project(
                                          relation, {descriptor.path.begin() + 3, descriptor.path.end()}));
    }
    // No ids at all would select nothing; reading every column is the safe reading.
    auto wanted = column_ids.empty() ? std::vector<bool>() : TableScanner::WantedColumns(*relation.schema, column_ids);
    const std::string where = FiltersToSql(json_filters, FilterableColumns(*relation.schema));
    ARROW_ASSIGN_OR_RAISE(auto tickets, scanner.Tickets(*table, relation, wanted, where));
    ARROW_ASSIGN_OR_RAISE(auto pin, engine_->Pin());
    endpoints = MakeEndpoints(std::move(tickets), /*airport=*/true, pin);
  } else {
    // A statement (airport_take_flight with SQL): the client filters and projects itself.
    ARROW_ASSIGN_OR_RAISE(auto pin, engine_->Pin());
    ARROW_ASSIGN_OR_RAISE(auto info, DescribeFlight(engine_, scanner, *snapshot, descriptor, at,
                                                    {.airport = true, .split = true, .pin = std::move(pin)}));
    endpoints = info->endpoints();
  }
  mp::Writer w;
  w.Array(static_cast<uint32_t>(endpoints.size()));
  for (const auto& e : endpoints) {
    ARROW_ASSIGN_OR_RAISE(auto bytes, e.SerializeToString());
    w.Bin(bytes);
  }
  return w.Take();
}

arrow::Result<std::string> AirportActions::FlightInfo(const mp::MapReader& request, const std::string& catalog_name) {
  ARROW_ASSIGN_OR_RAISE(auto descriptor, ParseDescriptor(request, "descriptor"));
  TimeTravel at;
  ARROW_ASSIGN_OR_RAISE(at.unit, request.String("at_unit"));
  ARROW_ASSIGN_OR_RAISE(at.value, request.String("at_value"));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_->Snapshot());
  TableScanner scanner(engine_, snapshot, scan_options_);
  ARROW_ASSIGN_OR_RAISE(auto pin, engine_->Pin());
  DescribeOptions options{.airport = true, .split = true, .pin = std::move(pin)};
  // The client builds a table entry from the answer (time travel), which needs the table's metadata.
  if (descriptor.type == arrow::flight::FlightDescriptor::PATH) {
    ARROW_ASSIGN_OR_RAISE(const lake::LakeTable* table, FindTable(*snapshot, descriptor.path));
    options.app_metadata = TableAppMetadata(catalog_name.empty() ? snapshot->lake_name : catalog_name, *table);
  }
  ARROW_ASSIGN_OR_RAISE(auto info, DescribeFlight(engine_, scanner, *snapshot, descriptor, at, options));
  return info->SerializeToString();
}

arrow::Result<std::string> AirportActions::ColumnStatistics(const mp::MapReader& request) {
  ARROW_ASSIGN_OR_RAISE(auto descriptor, ParseDescriptor(request, "flight_descriptor"));
  ARROW_ASSIGN_OR_RAISE(auto column, request.String("column_name"));
  if (descriptor.type != arrow::flight::FlightDescriptor::PATH) {
    return arrow::Status::Invalid("column_statistics needs a table (PATH) descriptor");
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, catalog_->Snapshot());
  ARROW_ASSIGN_OR_RAISE(const lake::LakeTable* table, FindTable(*snapshot, descriptor.path));
  // The column's own type, not the client's text: the bounds must be this column's values.
  ARROW_ASSIGN_OR_RAISE(auto type, lake::ColumnType(common::MetadataReader(engine_), *table, column));
  ARROW_ASSIGN_OR_RAISE(auto sql, lake::ColumnStatisticsSql(common::MetadataReader(engine_), *snapshot, *table, column, type));
  ARROW_ASSIGN_OR_RAISE(auto query, engine_->Execute(sql));
  rpc::BatchStreamOptions one_row;
  one_row.read_ahead = 0;
  ARROW_ASSIGN_OR_RAISE(auto stream, rpc::BatchStream::Make(std::move(query), one_row));
  return IpcStreamBytes(*stream);
}

}  // namespace homer::flight
