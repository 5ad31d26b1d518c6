#pragma once
/// \file
/// The Airport `list_schemas` answer: the catalog as DuckDB's Airport client decodes it
/// (storage/airport_catalog_api.cpp in Query-farm/airport).
///
///   body   = msgpack [uint32 length, bin zstd(root)]
///   root   = {contents: {sha256, url: nil, serialized: nil}, schemas: [schema...],
///             version_info: {catalog_version, is_fixed: false}}
///   schema = {name, description, tags: {}, is_default, contents: {sha256, url: nil,
///             serialized: blob}}, sha256 = lowercase hex SHA-256 of blob
///   blob   = msgpack [uint32 length, bin zstd(msgpack [bin FlightInfo...])]
/// Each FlightInfo (protobuf, Arrow's own serializer) carries the table's wire schema, a PATH
/// descriptor [catalog, "main", table, column...] that later requests echo back, and app_metadata
/// msgpack {type: "table", catalog: <name the client sent>, schema, name, comment}.
/// The client keeps this catalog for as long as it is attached and maps scanned columns by
/// position, so the descriptor names the columns it was given (when they are printable ASCII, as
/// the client sends the path in a gRPC header): scans return exactly those, and a column added
/// later cannot shift them.
///
/// Schemas: the merged lake under the lake's name (the client cannot look up a schema named
/// `main`) and one per volume under its catalog name, so `homer.homer_lake.t` reads every
/// volume and `homer.homer_lake_cold.t` one.

#include <arrow/api.h>
#include <arrow/result.h>

#include <string>
#include <string_view>

#include "common/lake_catalog.h"

namespace homer::flight {

arrow::Result<std::string> ListSchemasBody(const lake::CatalogSnapshot& snapshot, const std::string& catalog_name);

/// The app_metadata of a table's FlightInfo, `catalog_name` being the client's attach name.
std::string TableAppMetadata(const std::string& catalog_name, const lake::LakeTable& table);

/// The schema advertised for a table: its wire schema, plus the `can_produce_statistics`
/// marker when the client can take column statistics for every column type.
std::shared_ptr<arrow::Schema> AdvertisedSchema(const lake::LakeTable& table);

/// msgpack [uint32 length, bin zstd(raw)], the envelope of compressed Airport payloads.
arrow::Result<std::string> CompressedEnvelope(std::string_view raw);

/// Lowercase hex SHA-256.
std::string Sha256Hex(std::string_view data);

}  // namespace homer::flight
