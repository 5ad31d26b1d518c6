#include "duckdb/appender.h"

#include <vector>

#include "duckdb/error_internal.h"
#include "duckdb/handles_internal.h"

namespace homer::duckdb {

namespace {
// duckdb_appender_destroy returns a state (it flushes what is left; a failure there was already
// reported by the Flush() that preceded it).
void DestroyAppender(duckdb_appender* appender) { duckdb_appender_destroy(appender); }
}  // namespace

using Appender = DuckHandle<duckdb_appender, DestroyAppender>;

struct ChunkAppender::Impl {
  Appender appender;
  std::vector<LogicalType> types;
  DataChunk chunk;
  std::vector<duckdb_vector> vectors;
  std::vector<uint64_t*> validity;
  idx_t row = 0;           ///< the row being written in the chunk
  idx_t capacity = 0;
  std::vector<bool> set;   ///< columns given a value in the current row

  void Reset() {
    std::vector<duckdb_logical_type> raw;
    for (auto& t : types) raw.push_back(t.get());
    chunk = DataChunk(duckdb_create_data_chunk(raw.data(), raw.size()));
    vectors.clear();
    validity.clear();
    for (idx_t c = 0; c < types.size(); ++c) {
      duckdb_vector v = duckdb_data_chunk_get_vector(chunk.get(), c);
      duckdb_vector_ensure_validity_writable(v);
      vectors.push_back(v);
      validity.push_back(duckdb_vector_get_validity(v));
    }
    row = 0;
  }
  template <typename T>
  T* Data(size_t column) {
    set[column] = true;
    return static_cast<T*>(duckdb_vector_get_data(vectors[column])) + row;
  }
};

ChunkAppender::ChunkAppender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChunkAppender::~ChunkAppender() = default;

arrow::Result<std::unique_ptr<ChunkAppender>> ChunkAppender::Open(const Connection& con, const std::string& catalog,
                                                                  const std::string& schema, const std::string& table) {
  auto impl = std::make_unique<Impl>();
  if (duckdb_appender_create_ext(con.get(), catalog.c_str(), schema.c_str(), table.c_str(), impl->appender.out()) !=
      DuckDBSuccess) {
    ErrorData error(duckdb_appender_error_data(impl->appender.get()));
    auto st = ErrorDataStatus(error.get());
    return st.ok() ? arrow::Status::Invalid("cannot append to ", catalog, ".", schema, ".", table) : st;
  }
  const idx_t columns = duckdb_appender_column_count(impl->appender.get());
  for (idx_t c = 0; c < columns; ++c) impl->types.emplace_back(duckdb_appender_column_type(impl->appender.get(), c));
  impl->capacity = duckdb_vector_size();
  impl->set.assign(columns, false);
  impl->Reset();
  return std::unique_ptr<ChunkAppender>(new ChunkAppender(std::move(impl)));
}

size_t ChunkAppender::column_count() const { return impl_->types.size(); }

void ChunkAppender::SetText(size_t column, std::string_view value) {
  impl_->set[column] = true;
  duckdb_vector_assign_string_element_len(impl_->vectors[column], impl_->row, value.data(), value.size());
}
void ChunkAppender::SetUInt32(size_t column, uint32_t value) { *impl_->Data<uint32_t>(column) = value; }
void ChunkAppender::SetInt64(size_t column, int64_t value) { *impl_->Data<int64_t>(column) = value; }
void ChunkAppender::SetTimestampMicros(size_t column, int64_t micros) { *impl_->Data<int64_t>(column) = micros; }
void ChunkAppender::SetDate(size_t column, int32_t days) { *impl_->Data<int32_t>(column) = days; }

arrow::Status ChunkAppender::EndRow() {
  auto& in = *impl_;
  for (size_t c = 0; c < in.set.size(); ++c) {
    if (in.set[c]) in.set[c] = false;
    else duckdb_validity_set_row_invalid(in.validity[c], in.row);
  }
  ++in.row;
  ++unflushed_;
  return in.row == in.capacity ? AppendChunk() : arrow::Status::OK();
}

arrow::Status ChunkAppender::AppendChunk() {
  auto& in = *impl_;
  if (in.row == 0) return arrow::Status::OK();
  duckdb_data_chunk_set_size(in.chunk.get(), in.row);
  const bool ok = duckdb_append_data_chunk(in.appender.get(), in.chunk.get()) == DuckDBSuccess;
  in.Reset();
  if (ok) return arrow::Status::OK();
  ErrorData error(duckdb_appender_error_data(in.appender.get()));
  return ErrorDataStatus(error.get());
}

arrow::Status ChunkAppender::Flush() {
  ARROW_RETURN_NOT_OK(AppendChunk());
  if (duckdb_appender_flush(impl_->appender.get()) != DuckDBSuccess) {
    ErrorData error(duckdb_appender_error_data(impl_->appender.get()));
    return ErrorDataStatus(error.get());
  }
  unflushed_ = 0;
  return arrow::Status::OK();
}

}  // namespace homer::duckdb
