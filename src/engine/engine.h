#pragma once
/// \file
/// The engine every query surface shares: one DuckDB database with each volume attached
/// read-only, the merged lake, the sandbox, running queries and the catalog refresher.

#include <arrow/result.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/server_config.h"
#include "duckdb/database.h"
#include "engine/query_registry.h"
#include "engine/pinned_sql.h"
#include "engine/query_stream.h"
#include "engine/sandbox.h"
#include "lake/merged_catalog.h"
#include "lake/reader_epochs.h"
#include "lake/volume.h"

namespace homer::engine {

class CatalogMirrors;
class ConnectionPool;
class PooledConnection;
using lake::VolumeState;

struct EngineOptions {
  std::string extension_dir;
  /// Seconds between catalog refreshes; 0 disables the background refresher.
  int refresh_interval_sec = 30;
  /// Runs on the database right after it opens, before the volumes attach and the sandbox
  /// locks: the writer of an all-in-one process attaches its catalogs here.
  std::function<arrow::Status(const duckdb::Database&)> on_open;
  /// Volume name -> the attach name of the writer's buffer for it: that volume's views also
  /// read the buffered rows (lake/write_buffer.h). The merged lake is then always built.
  std::map<std::string, std::string> write_buffers;
  /// Every query enters here for its lifetime (the writer clears flushed rows from its buffer
  /// only once no query can still miss them in the lake).
  lake::ReaderEpochs* readers = nullptr;
  /// Read SQLite catalogs through private copies (engine/catalog_mirrors.h), refreshed every
  /// mirror_interval_ms when they change; except the catalogs this process writes (those
  /// on_open attached).
  bool mirror_catalogs = true;
  int mirror_interval_ms = 100;
};

struct ExecuteOptions {
  /// Run under DuckDB's profiler, so that QueryStream::profile() tells what the query read.
  bool profile = false;
  /// Who asks (http, flight, flightsql; internal for the node's own metadata reads): metrics.
  std::string surface = "internal";
  /// Polled while the query runs (by the one watchdog thread of the registry): true once the
  /// client went away, which stops the query inside DuckDB. Must stay callable as long as the
  /// query lives.
  std::function<bool()> client_gone = {};
  /// Read the lake as this pin saw it (Pin()); unset: as it is now.
  std::optional<lake::SnapshotPin> pin = std::nullopt;
};

class Engine {
 public:
  /// Attach every volume (failures are logged and skipped; none attached is an error), build the
  /// merged lake, lock the sandbox and start the refresher.
  static arrow::Result<std::unique_ptr<Engine>> Open(const config::ServerConfig& config, EngineOptions options);
  ~Engine();

  /// Start a sandboxed read-only query on its own connection, with a value for each of its
  /// parameters (none for a statement without parameters).
  arrow::Result<std::unique_ptr<QueryStream>> Execute(const std::string& sql, const QueryParameters& parameters = {},
                                                      ExecuteOptions options = {});

  /// What a statement returns and takes, without values for its parameters (checked by the
  /// sandbox like a query). Result types that depend on a parameter's type (`SELECT ?`) are
  /// those of NULL.
  struct StatementShape {
    std::shared_ptr<arrow::Schema> result;
    std::shared_ptr<arrow::Schema> parameters;
  };
  arrow::Result<StatementShape> Describe(const std::string& sql);

  /// The lake as it is now, for tickets redeemed later or on another node of the same lake
  /// (ExecuteOptions::pin): every volume's DuckLake snapshot, and the writer's buffered rows,
  /// which the writer then keeps at least kPinHold.
  arrow::Result<lake::SnapshotPin> Pin();
  static constexpr std::chrono::seconds kPinHold{10};

  /// Publish the catalogs' changes (mirrors), attach the volumes that failed to attach so far,
  /// re-read the volumes' tables and rebuild the merged views when they changed (or a volume
  /// came back).
  arrow::Status Refresh();

  /// Earliest and latest `timestamp` (ns since the epoch) over the lake's hep_proto_* tables;
  /// (0, 0) when there is no data.
  arrow::Result<std::pair<int64_t, int64_t>> HepTimestampRange();

  const std::string& lake_name() const { return config_.ducklake.lake_name; }
  const config::ServerConfig& config() const { return config_; }
  const EngineOptions& options() const { return options_; }
  std::vector<VolumeState> volumes() const;
  /// Queries waiting for a free slot (ducklake.max_concurrent_queries).
  size_t waiting_queries() const;
  /// Bumped whenever the merged catalog's tables or columns change.
  uint64_t catalog_version() const { return catalog_version_; }
  size_t running_queries() const { return registry_.running(); }
  uint64_t queries_started() const { return registry_.total_started(); }
  uint64_t refreshes() const { return refreshes_; }
  /// The database every query runs on (the writer of an all-in-one process shares it).
  const duckdb::Database& database() const { return db_; }

 private:
  Engine(config::ServerConfig config, EngineOptions options);
  arrow::Status AttachAll();
  /// Attach volume `rank` of the configuration (through a mirror of its catalog when it has one).
  arrow::Status AttachOne(const duckdb::Connection& con, size_t rank, const std::string& catalog);
  /// One try to attach every volume not attached yet; true when one was.
  bool RetryDetached();
  std::vector<lake::MergedVolume> MergedVolumes() const;
  void RefreshLoop();
  /// The checks every statement passes before it runs, and a query slot for it (waiting up to
  /// query_wait_sec): SQL text, pool, sandbox. `tables` receives the tables the SQL names.
  arrow::Result<PooledConnection> Admit(const std::string& sql, bool profiled, std::vector<TableRef>* tables);
  /// The volumes a query naming `tables` is answered without: with partial answers on, those
  /// not attached when it reads the merged lake (engine/partial_answer.h); none otherwise.
  PartialAnswer PartialFor(const std::vector<TableRef>& tables) const;
  QueryContext MakeQueryContext(const ExecuteOptions& options, PartialAnswer partial = {});
  /// The gauges of /metrics that read this engine; removed with it.
  void AddGauges();
  std::vector<uint64_t> gauges_;
  void AttributeFiles(QueryProfile* profile) const;
  arrow::Status ExplainError(const arrow::Status& st) const;
  /// `sql` (naming `tables`) rewritten for `pin`; unchanged, and counted, when it cannot be.
  std::string PinnedText(const std::string& sql, const std::vector<TableRef>& tables, const lake::SnapshotPin& pin);
  /// A pinned query failed for a snapshot this node lacks: not caught up yet, or expired.
  arrow::Status ExplainMissingSnapshot(const arrow::Status& st, const lake::SnapshotPin& pin);
  std::shared_ptr<const LakeLayout> layout() const;
  /// How long a query waits for a free connection (ducklake.query_wait_sec).
  std::chrono::milliseconds QueryWait() const;
  /// The result's column names of `sql` as written (prepared, not run).
  static arrow::Result<std::vector<std::string>> ColumnNames(const duckdb::Connection& con, const std::string& sql);

  config::ServerConfig config_;
  EngineOptions options_;
  duckdb::Database db_;
  std::unique_ptr<CatalogMirrors> mirrors_;  ///< null when no catalog is mirrored; goes before db_
  std::vector<std::string> written_here_;    ///< SQLite files this process's writer has attached
  mutable std::mutex volumes_mutex_;  ///< guards volumes_ (a detached one may attach later)
  std::vector<VolumeState> volumes_;
  /// Partial answers: the volumes the merged views leave out, as last written (volumes_mutex_).
  std::vector<std::string> left_out_;
  bool merged_ = false;  ///< false when a single `default` volume is the lake itself
  QueryRegistry registry_;
  CheckedQueries checked_queries_;
  std::unique_ptr<ConnectionPool> pool_;

  std::mutex refresh_mutex_;
  std::string catalog_signature_;
  mutable std::mutex layout_mutex_;
  std::shared_ptr<const LakeLayout> layout_;  ///< what the merged views were last built from
  std::atomic<uint64_t> catalog_version_{0};
  std::atomic<uint64_t> refreshes_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace homer::engine
