#include "engine/query_stream.h"

#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>

#include <vector>

#include "engine/duckdb_util.h"
#include "engine/query_registry.h"
#include "engine/sandbox.h"

namespace homer::engine {

arrow::Result<std::unique_ptr<QueryStream>> QueryStream::Start(PooledConnection con, const std::string& sql,
                                                               QueryContext context) {
  std::unique_ptr<QueryStream> q(new QueryStream());
  q->con_ = std::move(con);
  q->context_ = std::move(context);
  if (duckdb_prepare(q->con_.get(), sql.c_str(), q->prepared_.out()) == DuckDBError) {
    return MessageError(duckdb_prepare_error(q->prepared_.get()));
  }
  ARROW_RETURN_NOT_OK(CheckPreparedIsSelect(q->prepared_.get()));
  ARROW_RETURN_NOT_OK(q->InitSchema());
  q->registry_id_ = q->context_.registry->Add(q.get(), q->context_.timeout);
  return q;
}

arrow::Status QueryStream::Execute() {
  PendingResult pending;
  if (duckdb_pending_prepared_streaming(prepared_.get(), pending.out()) == DuckDBError) {
    return StoppedStatus(MessageError(duckdb_pending_error(pending.get())));
  }
  if (duckdb_execute_pending(pending.get(), result_.out()) == DuckDBError) {
    return StoppedStatus(ResultError(result_.get()));
  }
  started_ = true;
  return arrow::Status::OK();
}

arrow::Status QueryStream::InitSchema() {
  duckdb_connection_get_arrow_options(con_.get(), arrow_options_.out());
  // From the prepared statement, so the schema is known before the query runs.
  const idx_t n = duckdb_prepared_statement_column_count(prepared_.get());
  std::vector<LogicalType> owned;
  std::vector<duckdb_logical_type> types;
  std::vector<const char*> names;
  for (idx_t i = 0; i < n; ++i) {
    owned.emplace_back(duckdb_prepared_statement_column_logical_type(prepared_.get(), i));
    types.push_back(owned.back().get());
    names.push_back(duckdb_prepared_statement_column_name(prepared_.get(), i));
  }
  ArrowSchema c_schema;
  ErrorData err(duckdb_to_arrow_schema(arrow_options_.get(), types.data(), names.data(), n, &c_schema));
  for (const char* name : names) duckdb_free(const_cast<char*>(name));
  ARROW_RETURN_NOT_OK(ErrorDataStatus(err.get()));
  ARROW_ASSIGN_OR_RAISE(schema_, arrow::ImportSchema(&c_schema));
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> QueryStream::Next() {
  if (done_) return nullptr;
  if (cancelled_ || expired_) return StoppedStatus(arrow::Status::Cancelled("interrupted"));
  if (!started_) ARROW_RETURN_NOT_OK(Execute());
  DataChunk chunk(duckdb_fetch_chunk(*result_.get()));
  if (!chunk) {
    done_ = true;
    if (duckdb_result_error(result_.get())) return StoppedStatus(ResultError(result_.get()));
    result_.reset();  // the profiler closes the query when its result goes
    profile_ = ReadQueryProfile(con_.get());
    if (context_.attribute_files) context_.attribute_files(&profile_);
    return nullptr;
  }
  ArrowArray c_array;
  ErrorData err(duckdb_data_chunk_to_arrow(arrow_options_.get(), chunk.get(), &c_array));
  ARROW_RETURN_NOT_OK(ErrorDataStatus(err.get()));
  return arrow::ImportRecordBatch(&c_array, schema_);
}

arrow::Status QueryStream::StoppedStatus(arrow::Status st) const {
  if (expired_) {
    return arrow::Status::Cancelled("query exceeded the timeout of ", context_.timeout.count(),
                                    " s (node.ducklake.query_timeout_sec)");
  }
  if (cancelled_) return arrow::Status::Cancelled("query cancelled by the client");
  return context_.explain_error ? context_.explain_error(st) : st;
}

void QueryStream::Cancel() {
  cancelled_ = true;
  std::lock_guard lock(interrupt_mutex_);
  if (con_) duckdb_interrupt(con_.get());
}

void QueryStream::Expire() {
  expired_ = true;
  std::lock_guard lock(interrupt_mutex_);
  if (con_) duckdb_interrupt(con_.get());
}

QueryStream::~QueryStream() {
  if (registry_id_) context_.registry->Remove(registry_id_);
  std::lock_guard lock(interrupt_mutex_);
  // An unfinished streaming result still holds executor tasks: stop them before closing.
  if (!done_ && con_) duckdb_interrupt(con_.get());
  result_.reset();
  prepared_.reset();
  con_ = PooledConnection();  // back to the pool
}

}  // namespace homer::engine
