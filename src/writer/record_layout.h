#pragma once
/// \file
/// Where each field of a capture record goes in a table: the columns of a HEP schema
/// (lake/hep_tables.h, the one definition) matched by name to the record's fields, resolved once
/// per table so that appending a row is a loop over setters.

#include <arrow/status.h>

#include <functional>
#include <vector>

#include "duckdb/appender.h"
#include "ingest/capture_record.h"
#include "lake/hep_tables.h"

namespace homer::writer {

/// Days since 1970-01-01 of a UTC timestamp in microseconds (the `date` partition).
int32_t UtcDay(int64_t timestamp_us);

class RecordLayout {
 public:
  /// Fails for a column the record has no field for (a schema and this file out of step).
  static arrow::Result<RecordLayout> For(lake::HepSchema schema);

  /// Append `record` as one row, with `seq` in the last column (the buffer's sequence number).
  arrow::Status Append(const ingest::CaptureRecord& record, int64_t seq, duckdb::ChunkAppender* appender) const;

 private:
  using Setter = void (*)(const ingest::CaptureRecord&, size_t, duckdb::ChunkAppender*);
  std::vector<Setter> setters_;
};

}  // namespace homer::writer
