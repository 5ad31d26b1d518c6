#pragma once
/// \file
/// One running query: its own DuckDB connection, a streaming result, Arrow batches out.
/// Every query surface (HTTP, Flight, Flight SQL) reads results through this class.

#include <arrow/api.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "duckdb/parameters.h"
#include "duckdb/profile.h"
#include "duckdb/statement.h"
#include "engine/connection_pool.h"
#include "engine/partial_answer.h"
#include "lake/reader_epochs.h"

namespace homer::engine {

class QueryRegistry;
using duckdb::QueryParameters;
using duckdb::QueryProfile;

/// What the engine lends a query besides its connection.
struct QueryContext {
  QueryRegistry* registry = nullptr;
  std::chrono::seconds timeout{0};
  /// Fills files_read_by_volume from the scans' file paths.
  std::function<void(QueryProfile*)> attribute_files;
  /// Adds what the engine knows to a storage error (the volume and endpoint it concerns).
  std::function<arrow::Status(const arrow::Status&)> explain_error;
  /// Polled by the registry's watchdog while the query lives: true once its client went away
  /// (a cancelled or disconnected call), which cancels the query inside DuckDB.
  std::function<bool()> client_gone;
  /// Who asked (http, flight, flightsql, internal), for the metrics.
  std::string surface = "internal";
  /// Entered for the query's whole life (null: no writer shares the database).
  lake::ReaderEpochs* readers = nullptr;
  /// The volumes the merged lake answers this query without (engine/partial_answer.h).
  PartialAnswer partial;
};

class QueryStream {
 public:
  ~QueryStream();
  QueryStream(const QueryStream&) = delete;
  QueryStream& operator=(const QueryStream&) = delete;

  /// The result schema; a partial answer's carries the mark (kPartialMetadataKey) too.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  /// Name the result's columns `names` (as many as it has): a pinned statement's columns are
  /// those of the statement as written (engine/pinned_sql.h).
  arrow::Status RenameColumns(const std::vector<std::string>& names);
  /// The volumes the merged lake answers this query without (none: complete), decided when the
  /// query was admitted.
  const PartialAnswer& partial() const { return context_.partial; }
  /// The statement's parameters (duckdb/parameters.h); empty when it has none.
  const std::shared_ptr<arrow::Schema>& parameter_schema() const { return parameter_schema_; }
  /// The next batch (one DuckDB chunk), or nullptr once the result is exhausted. The first call
  /// runs the query up to its first rows (for an aggregate, the whole query).
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Next();
  /// Stop the query inside DuckDB (thread-safe); Next() then fails with Cancelled.
  void Cancel();
  /// Called by the registry when the deadline passes.
  void Expire();
  /// Asked by the registry's watchdog: did the client go away (QueryContext::client_gone)?
  bool ClientGone() const { return context_.client_gone && context_.client_gone(); }
  /// What the query read (Engine::ExecuteOptions::profile); complete once Next() returned nullptr.
  const QueryProfile& profile() const { return profile_; }

 private:
  friend class Engine;
  QueryStream() = default;
  /// Prepare and check `sql` on `con` (already sandbox-checked) and bind `parameters`; it runs
  /// on the first Next(). Without `parameters` every parameter is NULL: such a stream only
  /// describes the statement and is not to be read.
  static arrow::Result<std::unique_ptr<QueryStream>> Start(PooledConnection con, const std::string& sql,
                                                           const QueryParameters* parameters, QueryContext context);
  arrow::Status Execute();
  arrow::Status StoppedStatus(arrow::Status st) const;
  /// The outcome for the metrics, when the stream goes.
  const char* Outcome() const;

  /// First member, so it is released last: the query reads nothing once it is gone.
  lake::ReaderEpochs::Reader reader_;
  PooledConnection con_;
  std::unique_ptr<duckdb::Statement> statement_;
  std::shared_ptr<arrow::Schema> schema_;
  std::shared_ptr<arrow::Schema> parameter_schema_;
  QueryContext context_;
  QueryProfile profile_;
  std::mutex interrupt_mutex_;  ///< guards con_ against interrupt during teardown
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> expired_{false};
  uint64_t registry_id_ = 0;
  bool done_ = false;
  bool failed_ = false;
  bool in_transaction_ = false;  ///< rolled back before the connection goes back to the pool
  bool counted_ = false;  ///< a statement only described (Engine::Describe) is not a query run
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace homer::engine
