#include "rpc/batch_stream.h"

#include <arrow/ipc/writer.h>
#include <arrow/util/byte_size.h>

#include <algorithm>

#include "common/arrow_types.h"

namespace homer::rpc {

using common::ToWireBatch;
using common::WireSchema;
namespace {

/// Bytes a batch puts on the wire, near enough: its buffers. Chunks imported from DuckDB own
/// exactly-sized buffers, so this is close to the IPC body size.
int64_t BatchBytes(const arrow::RecordBatch& batch) { return arrow::util::TotalBufferSize(batch); }

/// The exact IPC body size of a (possibly sliced) batch.
arrow::Result<int64_t> IpcBytes(const arrow::RecordBatch& batch) {
  int64_t size = 0;
  ARROW_RETURN_NOT_OK(arrow::ipc::GetRecordBatchSize(batch, &size));
  return size;
}

}  // namespace

BatchStreamOptions BatchStreamOptions::ForMessageLimit(int64_t max_message_size) {
  BatchStreamOptions o;
  // Room for the IPC metadata (a flatbuffer per column) and the gRPC/Flight framing.
  const int64_t headroom = std::min<int64_t>(64 * 1024, max_message_size / 8);
  o.max_bytes = std::max<int64_t>(1, max_message_size - headroom);
  o.target_bytes = std::min(o.target_bytes, o.max_bytes);
  return o;
}

BatchStream::BatchStream(std::unique_ptr<engine::QueryStream> query, BatchStreamOptions options)
    : query_(std::move(query)), options_(options), schema_(WireSchema(query_->schema())) {}

arrow::Result<std::shared_ptr<BatchStream>> BatchStream::Make(std::unique_ptr<engine::QueryStream> query,
                                                              BatchStreamOptions options) {
  if (!query) return arrow::Status::Invalid("BatchStream needs a query");
  if (options.max_rows <= 0 || options.target_bytes <= 0 || options.max_bytes <= 0 || options.read_ahead < 0) {
    return arrow::Status::Invalid("BatchStream limits must be positive");
  }
  return std::shared_ptr<BatchStream>(new BatchStream(std::move(query), options));
}

BatchStream::~BatchStream() {
  if (!reader_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  query_->Cancel();  // a Next() blocked inside DuckDB returns; a finished query ignores it
  reader_.join();
}

arrow::Status BatchStream::ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) {
  // The first batch is made on the caller's thread, and so is the rest of a result DuckDB has
  // already finished: a small result never starts the read-ahead thread.
  if (options_.read_ahead <= 0 || (!reader_.joinable() && (!first_read_ || exhausted_))) {
    first_read_ = true;
    return Produce(batch);
  }
  if (!reader_.joinable()) reader_ = std::thread([this] { ReadAhead(); });
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !prefetched_.empty() || produced_all_; });
  if (!prefetched_.empty()) {
    *batch = std::move(prefetched_.front());
    prefetched_.pop_front();
    changed_.notify_all();
    return arrow::Status::OK();
  }
  *batch = nullptr;
  return produce_status_;
}

void BatchStream::ReadAhead() {
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    arrow::Status st = Produce(&batch);
    std::unique_lock lock(mutex_);
    if (!st.ok() || !batch) {
      produce_status_ = st;
      produced_all_ = true;
      changed_.notify_all();
      return;
    }
    prefetched_.push_back(std::move(batch));
    changed_.notify_all();
    changed_.wait(lock, [this] { return closing_ || prefetched_.size() < static_cast<size_t>(options_.read_ahead); });
    if (closing_) return;
  }
}

arrow::Status BatchStream::Produce(std::shared_ptr<arrow::RecordBatch>* batch) {
  while (sliced_.empty() && !exhausted_) {
    ARROW_ASSIGN_OR_RAISE(auto chunk, query_->Next());
    if (!chunk) {
      exhausted_ = true;
      break;
    }
    ARROW_ASSIGN_OR_RAISE(chunk, ToWireBatch(chunk, schema_));
    rows_read_ += chunk->num_rows();
    const int64_t bytes = BatchBytes(*chunk);
    if (bytes > options_.max_bytes) {
      ARROW_ASSIGN_OR_RAISE(auto flushed, Flush());
      if (flushed) sliced_.push_back(std::move(flushed));
      ARROW_RETURN_NOT_OK(QueueSlices(chunk));
      break;
    }
    if (pending_bytes_ + bytes > options_.max_bytes) {
      ARROW_ASSIGN_OR_RAISE(auto flushed, Flush());
      sliced_.push_back(std::move(flushed));
    }
    pending_.push_back(std::move(chunk));
    pending_rows_ += pending_.back()->num_rows();
    pending_bytes_ += bytes;
    if (pending_rows_ >= options_.max_rows || pending_bytes_ >= options_.target_bytes) {
      ARROW_ASSIGN_OR_RAISE(auto flushed, Flush());
      sliced_.push_back(std::move(flushed));
    }
  }
  if (sliced_.empty()) {
    ARROW_ASSIGN_OR_RAISE(*batch, Flush());  // the tail, or nullptr at the end
    return arrow::Status::OK();
  }
  *batch = std::move(sliced_.front());
  sliced_.pop_front();
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> BatchStream::Flush() {
  if (pending_.empty()) return nullptr;
  std::shared_ptr<arrow::RecordBatch> out;
  if (pending_.size() == 1) {
    out = std::move(pending_.front());
  } else {
    ARROW_ASSIGN_OR_RAISE(out, arrow::ConcatenateRecordBatches(pending_));
  }
  pending_.clear();
  pending_rows_ = 0;
  pending_bytes_ = 0;
  return out;
}

arrow::Status BatchStream::QueueSlices(const std::shared_ptr<arrow::RecordBatch>& chunk) {
  // Halve a slice until its IPC body fits; slices of variable-width data differ in size.
  std::vector<std::pair<int64_t, int64_t>> todo = {{0, chunk->num_rows()}};
  while (!todo.empty()) {
    auto [offset, length] = todo.back();
    todo.pop_back();
    auto slice = chunk->Slice(offset, length);
    ARROW_ASSIGN_OR_RAISE(int64_t size, IpcBytes(*slice));
    if (size <= options_.max_bytes) {
      sliced_.push_back(std::move(slice));
      continue;
    }
    if (length == 1) {
      return arrow::Status::CapacityError("a result row of ", size, " bytes exceeds the message limit of ",
                                          options_.max_bytes, " bytes (flight_server.max_message_size)");
    }
    todo.emplace_back(offset + length / 2, length - length / 2);  // popped second: keeps row order
    todo.emplace_back(offset, length / 2);
  }
  return arrow::Status::OK();
}

}  // namespace homer::rpc
