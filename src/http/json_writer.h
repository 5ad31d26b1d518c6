#pragma once
/// \file
/// Arrow record batches to JSON text, row by row, for the HTTP query responses.
///
/// JsonRowEncoder picks one encoder per column when it is made (a small tree of encoder
/// objects mirroring nested types), so encoding a value is a virtual call that reads the
/// Arrow buffers directly: no per-value type switch, no arrow::Array or arrow::Scalar
/// objects and no per-value allocation for the common types.
///
/// The JSON is faithful to the data. Arrow type (DuckDB type, as exported with
/// arrow_lossless_conversion=true) -> JSON:
///  - null at any depth -> null; bool, arrow.bool8 (BOOLEAN) -> true / false
///  - integers -> numbers; float / double -> shortest round-trip number, NaN and +-Inf -> null
///  - decimal32..256 (DECIMAL) -> exact number with the scale applied: 123.45, -0.001
///  - arrow.opaque of vendor DuckDB: hugeint, uhugeint, bignum (HUGEINT, UHUGEINT, BIGNUM)
///    -> exact numbers; time_tz (TIMETZ) -> "12:34:56.500000+05:30"; bit (BIT) -> "0101"
///  - utf8 / large_utf8 / string_view (VARCHAR) -> string; arrow.json (JSON) -> the raw JSON
///    text, null when empty; arrow.uuid (UUID) -> "8-4-4-4-12" lowercase
///  - binary / large_binary / binary_view / fixed_size_binary (BLOB; GEOMETRY, which is
///    geoarrow.wkb) -> base64 string with padding
///  - date32 / date64 (DATE) -> "YYYY-MM-DD"; timestamp (TIMESTAMP[_S|_MS|_NS]) ->
///    "YYYY-MM-DDTHH:MM:SS" plus the unit's fraction digits when non-zero, plus "Z" when the
///    type has a time zone (TIMESTAMPTZ); time32 / time64 (TIME, TIME_NS) -> "HH:MM:SS[.f]".
///    DuckDB's infinite dates and timestamps (+-INT32_MAX days, +-INT64_MAX) -> "infinity" /
///    "-infinity"; years past 9999 take more digits, years before 1 are astronomical ("-0043")
///  - intervals (INTERVAL is month_day_nano) -> ISO-8601 duration "P1Y2M3DT4H5M6.5S", "PT0S";
///    duration -> "PT<seconds>S"
///  - list, large_list, list_view, large_list_view, fixed_size_list (LIST, ARRAY) -> array;
///    struct (STRUCT) -> object; map (MAP) -> object when keys are strings, else
///    [{"key":k,"value":v}]; dictionary (ENUM) -> the decoded value; sparse / dense union
///    (UNION) -> the active child's value; other extension types -> their storage type
///  - run_end_encoded and half float: not supported, Make fails

#include <arrow/api.h>
#include <arrow/result.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/json_string.h"

namespace homer::http {

namespace internal {
class ValueEncoder;
}  // namespace internal

/// Encodes the rows of record batches as JSON, one encoder per column chosen once per
/// schema, appending to a std::string buffer.
///
/// The Append methods are const and keep no state between calls, so one encoder can serve
/// several threads. Every batch passed to them must have the schema given to Make.
class JsonRowEncoder {
 public:
  ~JsonRowEncoder();
  JsonRowEncoder(const JsonRowEncoder&) = delete;
  JsonRowEncoder& operator=(const JsonRowEncoder&) = delete;

  /// Fails (arrow::Status::NotImplemented naming the column and type) for an Arrow type it
  /// cannot encode.
  static arrow::Result<std::unique_ptr<JsonRowEncoder>> Make(
      const std::shared_ptr<arrow::Schema>& schema);

  /// Row `row` of `batch` as a JSON array: [v1,v2,...]
  void AppendRowArray(const arrow::RecordBatch& batch, int64_t row, std::string* out) const;

  /// Row `row` of `batch` as a JSON object: {"col1":v1,...}
  void AppendRowObject(const arrow::RecordBatch& batch, int64_t row, std::string* out) const;

  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }

 private:
  explicit JsonRowEncoder(std::shared_ptr<arrow::Schema> schema);

  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::shared_ptr<const internal::ValueEncoder>> columns_;
  /// `"name":` per column, escaped, with a leading comma after the first, for AppendRowObject.
  std::vector<std::string> object_keys_;
};

using text::AppendJsonString;

}  // namespace homer::http
