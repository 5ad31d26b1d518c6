#include "flightsql/statement_handle.h"

#include <arrow/io/memory.h>
#include <arrow/ipc/api.h>

#include <cstring>

namespace homer::flightsql {
namespace {

// Format tags: SQL only, or SQL (size-prefixed) followed by an IPC stream of parameter rows.
constexpr std::string_view kSqlTag = "HSQ1";
constexpr std::string_view kBoundTag = "HSP1";

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
  if (!handle.parameters) return std::string(kSqlTag) + handle.sql;
  ARROW_ASSIGN_OR_RAISE(auto ipc, SerializeBatch(*handle.parameters));
  if (static_cast<int64_t>(ipc.size()) > kMaxBoundParameterBytes) {
    return arrow::Status::Invalid("the bound parameters take ", ipc.size(), " bytes; at most ",
                                  kMaxBoundParameterBytes, " can be bound to one statement");
  }
  const uint32_t size = static_cast<uint32_t>(handle.sql.size());
  std::string out(kBoundTag);
  out.append(reinterpret_cast<const char*>(&size), sizeof(size));
  return out + handle.sql + ipc;
}

arrow::Result<StatementHandle> DecodeHandle(std::string_view bytes) {
  const std::string_view tag = bytes.substr(0, 4);
  bytes.remove_prefix(tag.size());
  if (tag == kSqlTag) return StatementHandle{std::string(bytes), nullptr};
  if (tag != kBoundTag) return arrow::Status::Invalid("unknown statement handle (not issued by homer-node)");
  uint32_t size = 0;
  if (bytes.size() < sizeof(size)) return arrow::Status::Invalid("truncated statement handle");
  std::memcpy(&size, bytes.data(), sizeof(size));
  bytes.remove_prefix(sizeof(size));
  if (bytes.size() < size) return arrow::Status::Invalid("truncated statement handle");
  StatementHandle handle{std::string(bytes.substr(0, size)), nullptr};
  auto parameters = DeserializeBatch(bytes.substr(size));
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
