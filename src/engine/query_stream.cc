#include "engine/query_stream.h"

#include <arrow/util/byte_size.h>

#include "duckdb/database.h"
#include "engine/query_metrics.h"
#include "engine/query_registry.h"
#include "engine/sandbox.h"

namespace homer::engine {

arrow::Result<std::unique_ptr<QueryStream>> QueryStream::Start(PooledConnection con, const std::string& sql,
                                                               const QueryParameters* parameters,
                                                               QueryContext context) {
  std::unique_ptr<QueryStream> q(new QueryStream());
  // Before the statement touches any catalog: binding reads the lake's snapshot too.
  if (context.readers) q->reader_ = context.readers->Enter();
  q->con_ = std::move(con);
  q->context_ = std::move(context);
  // One transaction from binding to the last row: DuckLake reads each catalog's snapshot once
  // (an autocommit prepare and execute would ask the catalog twice), and the result matches the
  // schema the statement was bound against.
  ARROW_RETURN_NOT_OK(duckdb::Exec(q->con_.get(), "BEGIN TRANSACTION"));
  q->in_transaction_ = true;
  // Watched from here: binding and the optimizer evaluate constant expressions (a huge value can
  // take seconds), and DuckDB notices an interrupt only after the prepare, which then stops here.
  q->registry_id_ = q->context_.registry->Add(q.get(), q->context_.timeout, static_cast<bool>(q->context_.client_gone));
  auto statement = duckdb::Statement::Prepare(q->con_.get(), sql);
  if (!statement.ok()) return q->StoppedStatus(statement.status());  // binding may need storage too
  if (q->cancelled_ || q->expired_) return q->StoppedStatus(arrow::Status::Cancelled("interrupted"));
  q->statement_ = std::move(*statement);
  ARROW_RETURN_NOT_OK(CheckPreparedIsSelect(*q->statement_));
  ARROW_ASSIGN_OR_RAISE(q->parameter_schema_, q->statement_->ParameterSchema());
  const bool untyped = q->statement_->TypesDependOnValues();
  ARROW_RETURN_NOT_OK(parameters ? q->statement_->Bind(*parameters) : q->statement_->BindNulls());
  q->counted_ = parameters != nullptr;
  if (untyped) {
    // The result types follow the bound values' types (`SELECT ?`): DuckDB plans the statement
    // again when it runs, so the schema is read from the started result. (Asked before binding,
    // which gives the parameters types.)
    ARROW_RETURN_NOT_OK(q->Execute());
    ARROW_ASSIGN_OR_RAISE(q->schema_, q->statement_->ResultSchema());
  } else {
    ARROW_ASSIGN_OR_RAISE(q->schema_, q->statement_->PreparedSchema());
  }
  q->schema_ = WithPartialMark(q->schema_, q->context_.partial);
  return q;
}

arrow::Status QueryStream::Execute() {
  const arrow::Status st = statement_->Execute();
  failed_ = !st.ok();
  if (st.ok() && counted_ && context_.partial.partial()) CountPartialAnswer(context_.surface);
  return st.ok() ? st : StoppedStatus(st);
}

const char* QueryStream::Outcome() const {
  if (expired_) return "timeout";
  if (cancelled_) return "cancelled";
  if (failed_) return "error";
  return done_ ? "ok" : "unfinished";
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> QueryStream::Next() {
  if (done_) return nullptr;
  if (cancelled_ || expired_) return StoppedStatus(arrow::Status::Cancelled("interrupted"));
  if (!statement_->executing()) ARROW_RETURN_NOT_OK(Execute());
  auto batch = statement_->Fetch(schema_);
  if (!batch.ok()) {
    done_ = failed_ = true;
    return StoppedStatus(batch.status());
  }
  if (*batch) {
    rows_ += (*batch)->num_rows();
    bytes_ += arrow::util::TotalBufferSize(**batch);
  }
  if (*batch == nullptr) {
    done_ = true;
    if (con_.profiled()) {
      profile_ = duckdb::ReadQueryProfile(con_.get());
      if (context_.attribute_files) context_.attribute_files(&profile_);
    }
  }
  return batch;
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
  if (con_) duckdb::Interrupt(con_.get());
}

void QueryStream::Expire() {
  expired_ = true;
  std::lock_guard lock(interrupt_mutex_);
  if (con_) duckdb::Interrupt(con_.get());
}

QueryStream::~QueryStream() {
  if (registry_id_) context_.registry->Remove(registry_id_);
  if (counted_) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
    CountQuery(context_.surface, Outcome(), seconds, rows_, bytes_);
  }
  std::lock_guard lock(interrupt_mutex_);
  // An unfinished streaming result still holds executor tasks: stop them before closing.
  if (!done_ && con_) duckdb::Interrupt(con_.get());
  if (statement_) statement_->Close();
  // Read-only: ending it either way is the same; a failed query has already aborted it.
  if (in_transaction_ && con_) (void)duckdb::Exec(con_.get(), "ROLLBACK");
  con_ = PooledConnection();  // back to the pool
}

arrow::Status QueryStream::RenameColumns(const std::vector<std::string>& names) {
  if (static_cast<int>(names.size()) != schema_->num_fields()) {
    return arrow::Status::Invalid("a pinned statement has ", schema_->num_fields(), " columns, as written ",
                                  names.size());
  }
  arrow::FieldVector fields;
  for (int i = 0; i < schema_->num_fields(); ++i) fields.push_back(schema_->field(i)->WithName(names[i]));
  schema_ = arrow::schema(std::move(fields), schema_->metadata());
  return arrow::Status::OK();
}

}  // namespace homer::engine
