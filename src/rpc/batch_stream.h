#pragma once
/// \file
/// A running query as an arrow::RecordBatchReader sized for the wire: the one result-streaming
/// path of the Arrow surfaces (Flight, Airport, Flight SQL).
///
/// DuckDB hands out one chunk of 2048 rows at a time. Sending each as its own message costs a
/// message header, a gRPC frame and a client-side batch per 2048 rows, so chunks are coalesced
/// (one copy, arrow::ConcatenateRecordBatches) up to `max_rows` rows or `target_bytes`. No
/// batch exceeds `max_bytes` (the transport's message limit minus room for metadata): a batch
/// is sent before it would grow past it, and a single chunk larger than that is sliced. There
/// is no row cap on the result.
///
/// With `read_ahead` > 0 a thread of the stream pulls and coalesces the next batches while the
/// caller sends the previous one. Without it the query only advances while the caller is not
/// writing, and DuckDB's workers idle on their full streaming buffer: measured on 2 cores, a
/// numeric DoGet used one core instead of two. Memory stays bounded by read_ahead + 1 batches.

#include <arrow/api.h>
#include <arrow/result.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/query_stream.h"

namespace homer::rpc {

struct BatchStreamOptions {
  int64_t max_rows = 64 * 1024;
  int64_t target_bytes = 4 * 1024 * 1024;
  int64_t max_bytes = 15 * 1024 * 1024;
  int read_ahead = 2;  ///< batches prepared ahead by the stream's own thread; 0: none, no thread

  /// Options for a transport whose messages may not exceed `max_message_size` bytes.
  static BatchStreamOptions ForMessageLimit(int64_t max_message_size);
};

class BatchStream : public arrow::RecordBatchReader {
 public:
  static arrow::Result<std::shared_ptr<BatchStream>> Make(std::unique_ptr<engine::QueryStream> query,
                                                          BatchStreamOptions options);
  /// Stops the query if it still runs and joins the read-ahead thread.
  ~BatchStream() override;

  /// The wire schema (common/arrow_types.h), known before the query runs.
  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }
  /// The next coalesced batch, nullptr at the end. The first call starts the query.
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override;
  /// Stop the query inside DuckDB; safe from any thread. ReadNext then fails with Cancelled.
  void Cancel() { query_->Cancel(); }

  int64_t rows_read() const { return rows_read_; }

 private:
  BatchStream(std::unique_ptr<engine::QueryStream> query, BatchStreamOptions options);
  /// The coalescing itself: the next batch from the query (nullptr at the end).
  arrow::Status Produce(std::shared_ptr<arrow::RecordBatch>* batch);
  /// The pending chunks as one batch (nullptr when there are none).
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Flush();
  /// Queue `chunk` in slices of at most max_bytes each.
  arrow::Status QueueSlices(const std::shared_ptr<arrow::RecordBatch>& chunk);
  /// The read-ahead thread's loop: Produce into prefetched_ until the end, an error or Close.
  void ReadAhead();

  std::unique_ptr<engine::QueryStream> query_;
  BatchStreamOptions options_;
  std::shared_ptr<arrow::Schema> schema_;
  std::atomic<int64_t> rows_read_{0};

  // Owned by whichever thread runs Produce.
  std::vector<std::shared_ptr<arrow::RecordBatch>> pending_;
  int64_t pending_rows_ = 0;
  int64_t pending_bytes_ = 0;
  std::deque<std::shared_ptr<arrow::RecordBatch>> sliced_;
  bool exhausted_ = false;
  bool first_read_ = false;  ///< owned by the caller's thread

  // Read-ahead hand-off.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<arrow::RecordBatch>> prefetched_;
  arrow::Status produce_status_;
  bool produced_all_ = false;
  bool closing_ = false;
  std::thread reader_;
};

}  // namespace homer::rpc
