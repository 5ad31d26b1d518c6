#include "flightsql/statement_handle.h"

#include <arrow/io/memory.h>
#include <arrow/ipc/api.h>

#include <cstring>

namespace homer::flightsql {
namespace {

// Format tags: SQL only, or SQL (size-prefixed) followed by an IPC stream of parameter rows;
// either may follow a snapshot pin (size-prefixed SnapshotPin::Encode).
constexpr std::string_view kSqlTag = "HSQ1";
constexpr std::string_view kBoundTag = "HSP1";
constexpr std::string_view kPinTag = "HSN1";

/// The size-prefixed piece at the start of `bytes`, removed from it.
arrow::Result<std::string_view> TakeSized(std::string_view* bytes) {
  uint32_t size = 0;
  if (bytes->size() < sizeof(size)) return arrow::Status::Invalid("truncated statement handle");
  std::memcpy(&size, bytes->data(), sizeof(size));
  bytes->remove_prefix(sizeof(size));
  if (bytes->size() < size) return arrow::Status::Invalid("truncated statement handle");
  std::string_view piece = bytes->substr(0, size);
  bytes->remove_prefix(size);
  return piece;
}

std::string Sized(std::string_view piece) {
  const uint32_t size = static_cast<uint32_t>(piece.size());
  return std::string(reinterpret_cast<const char*>(&size), sizeof(size)) + std::string(piece);
}

arrow::Result<std::string> SerializeBatch(const arrow::RecordBatch& batch) {
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  ARROW_ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeStreamWriter(sink, batch.schema()));
  ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(batch));
  ARROW_RETURN_NOT_OK(writer->Close());
  ARROW_ASSIGN_OR_RAISE(auto buffer, sink->Finish());
  return buffer->ToString();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> DeserializeBatch(std::string_view bytes) {
  // An owned copy: the batch's buffers point into it and outlive `bytes`.
  auto input = std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(std::string(bytes)));
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchStreamReader::Open(input));
  ARROW_ASSIGN_OR_RAISE(auto batches, reader->ToRecordBatches());
  if (batches.size() != 1) return arrow::Status::Invalid("expected one parameter batch, found ", batches.size());
  return batches[0];
}

}  // namespace

arrow::Result<std::vector<duckdb::QueryParameters>> StatementHandle::ParameterRows() const {
  if (!parameters) return std::vector<duckdb::QueryParameters>(1);
  std::vector<duckdb::QueryParameters> rows(parameters->num_rows());
  for (int64_t r = 0; r < parameters->num_rows(); ++r) {
    for (const auto& column : parameters->columns()) {
      ARROW_ASSIGN_OR_RAISE(auto value, column->GetScalar(r));
      rows[r].push_back(std::move(value));
    }
  }
  return rows;
}

arrow::Result<std::string> EncodeHandle(const StatementHandle& handle) {
  const std::string pin = handle.pin ? std::string(kPinTag) + Sized(handle.pin->Encode()) : "";
  if (!handle.parameters) return pin + std::string(kSqlTag) + handle.sql;
  ARROW_ASSIGN_OR_RAISE(auto ipc, SerializeBatch(*handle.parameters));
  if (static_cast<int64_t>(ipc.size()) > kMaxBoundParameterBytes) {
    return arrow::Status::Invalid("the bound parameters take ", ipc.size(), " bytes; at most ",
                                  kMaxBoundParameterBytes, " can be bound to one statement");
  }
  return pin + std::string(kBoundTag) + Sized(handle.sql) + ipc;
}

arrow::Result<StatementHandle> DecodeHandle(std::string_view bytes) {
  std::optional<lake::SnapshotPin> pin;
  if (bytes.substr(0, kPinTag.size()) == kPinTag) {
    bytes.remove_prefix(kPinTag.size());
    ARROW_ASSIGN_OR_RAISE(auto text, TakeSized(&bytes));
    ARROW_ASSIGN_OR_RAISE(pin, lake::SnapshotPin::Decode(text));
  }
  const std::string_view tag = bytes.substr(0, 4);
  bytes.remove_prefix(tag.size());
  if (tag == kSqlTag) return StatementHandle{std::string(bytes), nullptr, std::move(pin)};
  if (tag != kBoundTag) return arrow::Status::Invalid("unknown statement handle (not issued by homer-node)");
  ARROW_ASSIGN_OR_RAISE(auto sql, TakeSized(&bytes));
  StatementHandle handle{std::string(sql), nullptr, std::move(pin)};
  auto parameters = DeserializeBatch(bytes);
  if (!parameters.ok()) return arrow::Status::Invalid("statement handle: bad parameters: ", parameters.status().message());
  handle.parameters = std::move(*parameters);
  return handle;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> CombineParameterBatches(
    const std::shared_ptr<arrow::Schema>& schema, const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches) {
  int64_t rows = 0;
  for (const auto& b : batches) rows += b->num_rows();
  if (rows == 0) return nullptr;
  ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(schema, batches));
  return table->CombineChunksToBatch();
}

}  // namespace homer::flightsql
