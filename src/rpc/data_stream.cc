#include "rpc/data_stream.h"

#include <arrow/ipc/options.h>
#include <arrow/util/compression.h>

#include "rpc/batch_stream.h"
#include "rpc/status_map.h"

namespace homer::rpc {
namespace {

/// The statement's batch streams, one per parameter row, read one after another, errors mapped
/// for Flight.
class StatementReader : public arrow::RecordBatchReader {
 public:
  static arrow::Result<std::shared_ptr<StatementReader>> Make(engine::Engine* engine, std::string sql,
                                                              std::vector<duckdb::QueryParameters> rows,
                                                              BatchStreamOptions options, std::string surface,
                                                              std::optional<lake::SnapshotPin> pin,
                                                              const arrow::flight::ServerCallContext& context) {
    if (rows.empty()) return arrow::Status::Invalid("no parameter rows to run the statement with");
    std::shared_ptr<StatementReader> reader(new StatementReader(engine, std::move(sql), std::move(rows), options,
                                                                std::move(surface), std::move(pin), context));
    // The first run starts now: its errors (SQL, sandbox, parameters) fail the call itself.
    ARROW_RETURN_NOT_OK(reader->OpenRun());
    reader->schema_ = reader->current_->schema();
    return reader;
  }

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    while (true) {
      ARROW_RETURN_NOT_OK(ToFlightStatus(current_->ReadNext(batch)));
      if (*batch || next_row_ == rows_.size()) return arrow::Status::OK();
      current_.reset();  // its connection goes back to the pool before the next run takes one
      ARROW_RETURN_NOT_OK(ToFlightStatus(OpenRun()));
      if (!current_->schema()->Equals(*schema_)) {
        return ToFlightStatus(arrow::Status::Invalid("parameter row ", next_row_, " gives the result schema ",
                                                     current_->schema()->ToString(), ", unlike the first row's"));
      }
    }
  }

 private:
  StatementReader(engine::Engine* engine, std::string sql, std::vector<duckdb::QueryParameters> rows,
                  BatchStreamOptions options, std::string surface, std::optional<lake::SnapshotPin> pin,
                  const arrow::flight::ServerCallContext& context)
      : engine_(engine),
        sql_(std::move(sql)),
        rows_(std::move(rows)),
        options_(options),
        surface_(std::move(surface)),
        pin_(std::move(pin)),
        context_(context) {}

  /// Start the statement with the next parameter row, watched for the client going away.
  arrow::Status OpenRun() {
    engine::ExecuteOptions execute;
    execute.surface = surface_;
    execute.pin = pin_;  // every parameter row reads the same snapshot
    // ServerCallContext::is_cancelled is safe from any thread; the context outlives the stream.
    execute.client_gone = [context = &context_] { return context->is_cancelled(); };
    ARROW_ASSIGN_OR_RAISE(auto query, engine_->Execute(sql_, rows_[next_row_], std::move(execute)));
    ARROW_ASSIGN_OR_RAISE(current_, BatchStream::Make(std::move(query), options_));
    ++next_row_;
    return arrow::Status::OK();
  }

  engine::Engine* engine_;
  std::string sql_;
  std::vector<duckdb::QueryParameters> rows_;
  BatchStreamOptions options_;
  std::string surface_;
  std::optional<lake::SnapshotPin> pin_;
  const arrow::flight::ServerCallContext& context_;
  std::shared_ptr<arrow::Schema> schema_;
  size_t next_row_ = 0;
  std::shared_ptr<BatchStream> current_;
};

}  // namespace

arrow::Result<std::unique_ptr<arrow::flight::FlightDataStream>> OpenDataStream(
    engine::Engine* engine, const std::string& sql, const arrow::flight::ServerCallContext& context,
    DataStreamOptions options, std::vector<duckdb::QueryParameters> parameter_rows) {
  auto ipc = arrow::ipc::IpcWriteOptions::Defaults();
  if (options.zstd) {
    ARROW_ASSIGN_OR_RAISE(ipc.codec, arrow::util::Codec::Create(arrow::Compression::ZSTD, 1));
  }
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        StatementReader::Make(engine, sql, std::move(parameter_rows),
                                              BatchStreamOptions::ForMessageLimit(options.max_message_size),
                                              options.surface, std::move(options.pin), context));
  return std::make_unique<arrow::flight::RecordBatchStream>(std::move(reader), ipc);
}

}  // namespace homer::rpc
