#include "flight/data_stream.h"

#include <arrow/ipc/options.h>
#include <arrow/util/compression.h>

#include "common/batch_stream.h"
#include "flight/status_map.h"

namespace homer::flight {
namespace {

/// The batch stream, watched for cancellation while it lives, with errors mapped for Flight.
class WatchedReader : public arrow::RecordBatchReader {
 public:
  WatchedReader(std::shared_ptr<common::BatchStream> stream, CancelWatcher* watcher,
                const arrow::flight::ServerCallContext& context)
      : stream_(std::move(stream)), watcher_(watcher) {
    watch_id_ = watcher_->Watch(&context, [s = stream_.get()] { s->Cancel(); });
  }
  // Unwatch first: the watcher must not cancel a stream being destroyed.
  ~WatchedReader() override { watcher_->Unwatch(watch_id_); }

  std::shared_ptr<arrow::Schema> schema() const override { return stream_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    return ToFlightStatus(stream_->ReadNext(batch));
  }

 private:
  std::shared_ptr<common::BatchStream> stream_;
  CancelWatcher* watcher_;
  uint64_t watch_id_ = 0;
};

}  // namespace

arrow::Result<std::unique_ptr<arrow::flight::FlightDataStream>> OpenDataStream(
    engine::Engine* engine, const TicketContent& ticket, const arrow::flight::ServerCallContext& context,
    CancelWatcher* watcher, int64_t max_message_size) {
  ARROW_ASSIGN_OR_RAISE(auto query, engine->Execute(ticket.sql));
  ARROW_ASSIGN_OR_RAISE(auto stream, common::BatchStream::Make(std::move(query),
                                                               common::BatchStreamOptions::ForMessageLimit(max_message_size)));
  auto options = arrow::ipc::IpcWriteOptions::Defaults();
  if (ticket.zstd) {
    ARROW_ASSIGN_OR_RAISE(options.codec, arrow::util::Codec::Create(arrow::Compression::ZSTD, 1));
  }
  auto reader = std::make_shared<WatchedReader>(std::move(stream), watcher, context);
  return std::make_unique<arrow::flight::RecordBatchStream>(std::move(reader), options);
}

}  // namespace homer::flight
