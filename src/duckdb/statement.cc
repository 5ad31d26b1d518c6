#include "duckdb/statement.h"

#include <arrow/c/abi.h>
#include <arrow/c/bridge.h>
#include <duckdb.h>

#include <vector>

#include "duckdb/error_internal.h"
#include "duckdb/handles_internal.h"
#include "duckdb/parameters_internal.h"

namespace homer::duckdb {

struct Statement::Impl {
  PreparedStatement prepared;
  ArrowOptions arrow_options;
  Result result;
  bool executing = false;
};

namespace {

arrow::Result<std::shared_ptr<arrow::Schema>> ToArrowSchema(duckdb_arrow_options options,
                                                           const std::vector<LogicalType>& types,
                                                           const std::vector<std::string>& names) {
  std::vector<duckdb_logical_type> raw_types;
  std::vector<const char*> raw_names;
  for (size_t i = 0; i < types.size(); ++i) {
    raw_types.push_back(types[i].get());
    raw_names.push_back(names[i].c_str());
  }
  ArrowSchema c_schema;
  ErrorData err(duckdb_to_arrow_schema(options, raw_types.data(), raw_names.data(), raw_types.size(), &c_schema));
  ARROW_RETURN_NOT_OK(ErrorDataStatus(err.get()));
  return arrow::ImportSchema(&c_schema);
}

}  // namespace

Statement::Statement(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Statement::~Statement() = default;

arrow::Result<std::unique_ptr<Statement>> Statement::Prepare(const Connection& con, const std::string& sql) {
  auto impl = std::make_unique<Impl>();
  if (duckdb_prepare(con.get(), sql.c_str(), impl->prepared.out()) == DuckDBError) {
    return MessageError(duckdb_prepare_error(impl->prepared.get()));
  }
  duckdb_connection_get_arrow_options(con.get(), impl->arrow_options.out());
  return std::unique_ptr<Statement>(new Statement(std::move(impl)));
}

bool Statement::IsSelect() const {
  return duckdb_prepared_statement_type(impl_->prepared.get()) == DUCKDB_STATEMENT_TYPE_SELECT;
}

arrow::Result<std::shared_ptr<arrow::Schema>> Statement::ParameterSchema() const {
  return duckdb::ParameterSchema(impl_->prepared.get(), impl_->arrow_options.get());
}

bool Statement::TypesDependOnValues() const {
  duckdb_prepared_statement prepared = impl_->prepared.get();
  if (HasUntypedParameters(prepared)) return true;
  for (idx_t i = 0; i < duckdb_prepared_statement_column_count(prepared); ++i) {
    if (duckdb_prepared_statement_column_type(prepared, i) == DUCKDB_TYPE_INVALID) return true;
  }
  return false;
}

arrow::Status Statement::Bind(const QueryParameters& values) { return BindParameters(impl_->prepared.get(), values); }

arrow::Status Statement::BindNulls() { return duckdb::BindNulls(impl_->prepared.get()); }

arrow::Result<std::shared_ptr<arrow::Schema>> Statement::PreparedSchema() const {
  duckdb_prepared_statement prepared = impl_->prepared.get();
  const idx_t n = duckdb_prepared_statement_column_count(prepared);
  std::vector<LogicalType> types;
  std::vector<std::string> names;
  for (idx_t i = 0; i < n; ++i) {
    types.emplace_back(duckdb_prepared_statement_column_logical_type(prepared, i));
    const char* name = duckdb_prepared_statement_column_name(prepared, i);
    names.emplace_back(name);
    duckdb_free(const_cast<char*>(name));
  }
  return ToArrowSchema(impl_->arrow_options.get(), types, names);
}

arrow::Status Statement::Execute() {
  PendingResult pending;
  if (duckdb_pending_prepared_streaming(impl_->prepared.get(), pending.out()) == DuckDBError) {
    return MessageError(duckdb_pending_error(pending.get()));
  }
  if (duckdb_execute_pending(pending.get(), impl_->result.out()) == DuckDBError) {
    return ResultError(impl_->result.get());
  }
  impl_->executing = true;
  return arrow::Status::OK();
}

bool Statement::executing() const { return impl_->executing; }

arrow::Result<std::shared_ptr<arrow::Schema>> Statement::ResultSchema() const {
  duckdb_result* result = impl_->result.get();
  const idx_t n = duckdb_column_count(result);
  std::vector<LogicalType> types;
  std::vector<std::string> names;
  for (idx_t i = 0; i < n; ++i) {
    types.emplace_back(duckdb_column_logical_type(result, i));
    names.emplace_back(duckdb_column_name(result, i));  // owned by the result
  }
  return ToArrowSchema(impl_->arrow_options.get(), types, names);
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> Statement::Fetch(const std::shared_ptr<arrow::Schema>& schema) {
  DataChunk chunk(duckdb_fetch_chunk(*impl_->result.get()));
  if (!chunk) {
    if (duckdb_result_error(impl_->result.get())) return ResultError(impl_->result.get());
    impl_->result.reset();  // the profiler closes the query when its result goes
    return nullptr;
  }
  ArrowArray c_array;
  ErrorData err(duckdb_data_chunk_to_arrow(impl_->arrow_options.get(), chunk.get(), &c_array));
  ARROW_RETURN_NOT_OK(ErrorDataStatus(err.get()));
  return arrow::ImportRecordBatch(&c_array, schema);
}

void Statement::Close() {
  impl_->result.reset();
  impl_->prepared.reset();
}

}  // namespace homer::duckdb
