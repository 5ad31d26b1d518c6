#include "engine/query_stream.h"

#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>

#include <vector>

#include "engine/duckdb_util.h"
#include "engine/query_parameters.h"
#include "engine/query_registry.h"
#include "engine/sandbox.h"

namespace homer::engine {
namespace {

/// A result column DuckDB cannot type before values are bound (it depends on a parameter).
bool HasUntypedColumns(duckdb_prepared_statement prepared) {
  for (idx_t i = 0; i < duckdb_prepared_statement_column_count(prepared); ++i) {
    if (duckdb_prepared_statement_column_type(prepared, i) == DUCKDB_TYPE_INVALID) return true;
  }
  return false;
}

}  // namespace

arrow::Result<std::unique_ptr<QueryStream>> QueryStream::Start(PooledConnection con, const std::string& sql,
                                                               const QueryParameters* parameters,
                                                               QueryContext context) {
  std::unique_ptr<QueryStream> q(new QueryStream());
  q->con_ = std::move(con);
  q->context_ = std::move(context);
  if (duckdb_prepare(q->con_.get(), sql.c_str(), q->prepared_.out()) == DuckDBError) {
    return MessageError(duckdb_prepare_error(q->prepared_.get()));
  }
  ARROW_RETURN_NOT_OK(CheckPreparedIsSelect(q->prepared_.get()));
  duckdb_connection_get_arrow_options(q->con_.get(), q->arrow_options_.out());
  ARROW_ASSIGN_OR_RAISE(q->parameter_schema_, ParameterSchema(q->prepared_.get(), q->arrow_options_.get()));
  const bool untyped = HasUntypedParameters(q->prepared_.get()) || HasUntypedColumns(q->prepared_.get());
  ARROW_RETURN_NOT_OK(parameters ? BindParameters(q->prepared_.get(), *parameters) : BindNulls(q->prepared_.get()));
  q->registry_id_ = q->context_.registry->Add(q.get(), q->context_.timeout);
  if (untyped) {
    // The result types follow the bound values' types (`SELECT ?`): DuckDB plans the statement
    // again when it runs, so the schema is read from the started result. (Asked before binding,
    // which gives the parameters types.)
    ARROW_RETURN_NOT_OK(q->Execute());
    ARROW_RETURN_NOT_OK(q->InitSchemaFromResult());
  } else {
    ARROW_RETURN_NOT_OK(q->InitSchema());
  }
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
  // From the prepared statement, so the schema is known before the query runs.
  const idx_t n = duckdb_prepared_statement_column_count(prepared_.get());
  std::vector<LogicalType> types;
  std::vector<std::string> names;
  for (idx_t i = 0; i < n; ++i) {
    types.emplace_back(duckdb_prepared_statement_column_logical_type(prepared_.get(), i));
    const char* name = duckdb_prepared_statement_column_name(prepared_.get(), i);
    names.emplace_back(name);
    duckdb_free(const_cast<char*>(name));
  }
  return SetSchema(types, names);
}

arrow::Status QueryStream::InitSchemaFromResult() {
  const idx_t n = duckdb_column_count(result_.get());
  std::vector<LogicalType> types;
  std::vector<std::string> names;
  for (idx_t i = 0; i < n; ++i) {
    types.emplace_back(duckdb_column_logical_type(result_.get(), i));
    names.emplace_back(duckdb_column_name(result_.get(), i));  // owned by the result
  }
  return SetSchema(types, names);
}

arrow::Status QueryStream::SetSchema(const std::vector<LogicalType>& types, const std::vector<std::string>& names) {
  std::vector<duckdb_logical_type> raw_types;
  std::vector<const char*> raw_names;
  for (size_t i = 0; i < types.size(); ++i) {
    raw_types.push_back(types[i].get());
    raw_names.push_back(names[i].c_str());
  }
  ArrowSchema c_schema;
  ErrorData err(duckdb_to_arrow_schema(arrow_options_.get(), raw_types.data(), raw_names.data(), raw_types.size(),
                                       &c_schema));
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
    if (con_.profiled()) {
      profile_ = ReadQueryProfile(con_.get());
      if (context_.attribute_files) context_.attribute_files(&profile_);
    }
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
