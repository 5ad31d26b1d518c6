#pragma once
/// \file
/// Where decoded records go: the writer implements it; ingest knows nothing of storage.

#include <arrow/status.h>

#include <vector>

#include "ingest/capture_record.h"

namespace homer::ingest {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  /// Take a batch of records (the sink may move from them). Called from ingest's decode thread,
  /// one batch at a time; it may block (the receive queue then fills and counts its drops). A
  /// failed status drops the batch: ingest counts it as kWriterFailed.
  virtual arrow::Status Write(std::vector<CaptureRecord>& batch) = 0;
};

}  // namespace homer::ingest
