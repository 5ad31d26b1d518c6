#pragma once
/// \file
/// The one type mapping between the engine's Arrow export and what Arrow clients receive
/// (Flight, Airport, Flight SQL).
///
/// The engine exports with DuckDB's `arrow_lossless_conversion=true`, which is right for the
/// HTTP JSON encoder (it knows every DuckDB type) but not for every Arrow client. Per type:
///  - BOOLEAN is `arrow.bool8` (int8 storage): sent as Arrow `bool`. Every client reads bool
///    (pyarrow, ADBC/JDBC Flight SQL drivers, DuckDB, whose Airport client maps it to BOOLEAN);
///    bool8 is lossless too but unknown to most Flight SQL drivers.
///  - HUGEINT / UHUGEINT are `arrow.opaque` (DuckDB, 16 bytes): sent as decimal128(38, 0), the
///    same little-endian 128-bit integer, so the bytes are reused and every value keeps its
///    exact digits. This is DuckDB's own non-lossless export; opaque bytes are unusable by
///    anything but DuckDB. A UHUGEINT of 2^127 or more has no signed 128-bit form and fails.
///  - kept as exported: `arrow.uuid` (UUID), `arrow.json` (JSON) – canonical extension types
///    whose storage (16-byte binary, utf8) any client can still read – and the DuckDB opaque
///    types with no Arrow equivalent (TIMETZ, BIT, BIGNUM), which DuckDB clients map back.
///  - everything else (UINTEGER -> uint32, TIMESTAMP -> timestamp[us], DATE -> date32,
///    DECIMAL -> decimal128(w, s), BLOB -> binary, LIST, STRUCT, MAP, ENUM -> dictionary, ...)
///    is already plain Arrow and passes through untouched, nested types included.
/// The reverse direction (Arrow -> DuckDB, for parameters) belongs in this file too.

#include <arrow/api.h>
#include <arrow/result.h>

#include <memory>

namespace homer::common {

/// The Arrow type clients receive for a type of the engine's export.
std::shared_ptr<arrow::DataType> WireType(const std::shared_ptr<arrow::DataType>& engine_type);

/// The schema clients receive for an engine schema (field names, nullability, metadata kept).
std::shared_ptr<arrow::Schema> WireSchema(const std::shared_ptr<arrow::Schema>& engine_schema);

/// Convert a batch of the engine's export to `wire_schema` (from WireSchema of its schema).
/// Buffers are shared wherever the layout is the same; only BOOLEAN data is rewritten.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> ToWireBatch(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                               const std::shared_ptr<arrow::Schema>& wire_schema);

}  // namespace homer::common
