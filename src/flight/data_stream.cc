#include "flight/data_stream.h"

#include <arrow/ipc/options.h>
#include <arrow/util/compression.h>

#include <mutex>

#include "common/batch_stream.h"
#include "flight/status_map.h"

namespace homer::flight {
namespace {

/// The statement's batch streams, one per parameter row, read one after another; watched for
/// cancellation while it lives, errors mapped for Flight.
class WatchedReader : public arrow::RecordBatchReader {
 public:
  static arrow::Result<std::shared_ptr<WatchedReader>> Make(engine::Engine* engine, std::string sql,
                                                            std::vector<engine::QueryParameters> rows,
                                                            common::BatchStreamOptions options,
                                                            CancelWatcher* watcher,
                                                            const arrow::flight::ServerCallContext& context) {
    if (rows.empty()) return arrow::Status::Invalid("no parameter rows to run the statement with");
    std::shared_ptr<WatchedReader> reader(new WatchedReader(engine, std::move(sql), std::move(rows), options, watcher));
    // The first run starts now: its errors (SQL, sandbox, parameters) fail the call itself.
    ARROW_RETURN_NOT_OK(reader->OpenRun());
    reader->schema_ = reader->current_->schema();
    reader->watch_id_ = watcher->Watch(&context, [r = reader.get()] { r->Cancel(); });
    return reader;
  }
  // Unwatch first: the watcher must not cancel a stream being destroyed.
  ~WatchedReader() override {
    if (watch_id_) watcher_->Unwatch(watch_id_);
  }

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    while (true) {
      ARROW_RETURN_NOT_OK(ToFlightStatus(current_->ReadNext(batch)));  // current_ changes on this thread only
      if (*batch || next_row_ == rows_.size()) return arrow::Status::OK();
      {
        std::lock_guard lock(mutex_);
        current_.reset();  // its connection goes back to the pool before the next run takes one
      }
      ARROW_RETURN_NOT_OK(ToFlightStatus(OpenRun()));
      if (!current_->schema()->Equals(*schema_)) {
        return ToFlightStatus(arrow::Status::Invalid("parameter row ", next_row_, " gives the result schema ",
                                                     current_->schema()->ToString(), ", unlike the first row's"));
      }
    }
  }

 private:
  WatchedReader(engine::Engine* engine, std::string sql, std::vector<engine::QueryParameters> rows,
                common::BatchStreamOptions options, CancelWatcher* watcher)
      : engine_(engine), sql_(std::move(sql)), rows_(std::move(rows)), options_(options), watcher_(watcher) {}

  /// Start the statement with the next parameter row.
  arrow::Status OpenRun() {
    ARROW_ASSIGN_OR_RAISE(auto query, engine_->Execute(sql_, rows_[next_row_]));
    ARROW_ASSIGN_OR_RAISE(auto stream, common::BatchStream::Make(std::move(query), options_));
    std::lock_guard lock(mutex_);
    if (cancelled_) stream->Cancel();
    current_ = std::move(stream);
    ++next_row_;
    return arrow::Status::OK();
  }

  void Cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (current_) current_->Cancel();
  }

  engine::Engine* engine_;
  std::string sql_;
  std::vector<engine::QueryParameters> rows_;
  common::BatchStreamOptions options_;
  CancelWatcher* watcher_;
  uint64_t watch_id_ = 0;
  std::shared_ptr<arrow::Schema> schema_;
  size_t next_row_ = 0;
  std::mutex mutex_;  ///< guards current_ and cancelled_ against the watcher's Cancel
  std::shared_ptr<common::BatchStream> current_;
  bool cancelled_ = false;
};

}  // namespace

arrow::Result<std::unique_ptr<arrow::flight::FlightDataStream>> OpenDataStream(
    engine::Engine* engine, const TicketContent& ticket, const arrow::flight::ServerCallContext& context,
    CancelWatcher* watcher, int64_t max_message_size, std::vector<engine::QueryParameters> parameter_rows) {
  auto options = arrow::ipc::IpcWriteOptions::Defaults();
  if (ticket.zstd) {
    ARROW_ASSIGN_OR_RAISE(options.codec, arrow::util::Codec::Create(arrow::Compression::ZSTD, 1));
  }
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        WatchedReader::Make(engine, ticket.sql, std::move(parameter_rows),
                                            common::BatchStreamOptions::ForMessageLimit(max_message_size), watcher,
                                            context));
  return std::make_unique<arrow::flight::RecordBatchStream>(std::move(reader), options);
}

}  // namespace homer::flight
