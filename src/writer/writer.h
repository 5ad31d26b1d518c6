#pragma once
/// \file
/// The capture writer: records from ingest are written to a journal file and appended (DuckDB
/// Appender) to per-table buffer tables in memory, committed (readable) every
/// `durable_interval_ms` or `batch_size` rows, and flushed to the DuckLake tables every
/// `flush_interval_sec` or when `max_buffer_rows` are buffered, one DuckLake commit per flush
/// (large files, few commits). Buffered rows are readable through the merged lake's views
/// (lake/write_buffer.h), so a packet is queryable once its buffer commit is done, and never twice.

#include <arrow/result.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/server_config.h"
#include "duckdb/database.h"
#include "ingest/record_sink.h"
#include "lake/hep_tables.h"
#include "lake/reader_epochs.h"

namespace homer::writer {

struct TableBuffer;
class Journal;

struct WriterOptions {
  config::StorageDuckLakeConfig storage;
  /// The volume the writer fills, as the node names it (its storage_volume label).
  std::string volume_name = "hot";
  /// Queries of the same process enter here; flushed rows leave the buffer once the queries
  /// that might not see them in the lake are gone. Null when no query shares the database.
  lake::ReaderEpochs* readers = nullptr;
};

struct WriterTableStats {
  std::string table;
  int64_t buffered_rows = 0;  ///< appended, not yet in the lake
  int64_t flushed_rows = 0;   ///< moved to the lake since the start
};

struct WriterStats {
  int64_t appended_rows = 0;
  int64_t flushed_rows = 0;
  int64_t flushes = 0;
  int64_t flush_failures = 0;       ///< failed attempts (retried: the rows stay buffered)
  int64_t commit_conflicts = 0;     ///< catalog conflicts retried
  int64_t recovered_rows = 0;       ///< buffered rows found at start (from before a crash)
  double last_flush_seconds = 0;
  std::string last_flush_error;     ///< "" after a successful flush
  int64_t last_flush_unix_ms = 0;
  std::vector<WriterTableStats> tables;
};

class Writer : public ingest::RecordSink {
 public:
  /// Attach the lake read-write (its catalog switched to WAL) and the buffer on `db`, replay
  /// what a previous run journaled but did not flush, and start the commit and flush threads.
  static arrow::Result<std::unique_ptr<Writer>> Open(const duckdb::Database& db, WriterOptions options);
  ~Writer() override;

  arrow::Status Write(std::vector<ingest::CaptureRecord>& batch) override;

  /// Commit the buffer, flush every buffered row to the lake and stop the threads (SIGTERM).
  arrow::Status Stop();

  /// Called (outside the writer's locks) after the writer created a table: the node's catalog
  /// must pick it up before its rows can be read.
  void OnTablesChanged(std::function<void()> callback);

  WriterStats stats() const;
  /// The buffer database's attach name for this storage config (known before Open).
  static std::string BufferCatalogName(const config::StorageDuckLakeConfig& storage) {
    return storage.lake_name + "__buffer";
  }
  /// The attach names: the buffer database and the writer's own (read-write) lake catalog.
  const std::string& buffer_catalog() const { return buffer_catalog_; }
  const std::string& lake_catalog() const { return lake_catalog_; }
  /// Commit buffered rows now (tests; the commit thread does it every durable_interval_ms).
  arrow::Status CommitBuffer();
  /// Flush to the lake now (tests, Stop).
  arrow::Status FlushToLake();

 private:
  Writer(WriterOptions options);
  arrow::Status Attach(const duckdb::Database& db);
  arrow::Status Recover();
  /// The SIP tables exist from the start, so that searches and dashboards work before the
  /// first packet (other proto types get theirs with their first packet).
  arrow::Status OpenSipTables();
  arrow::Result<TableBuffer*> TableFor(const ingest::CaptureRecord& record, bool* created);
  /// The buffer of `table`, opened at first use: created in the lake (as hep_tables.h defines it)
  /// and in the buffer when missing; `*created` is set then.
  arrow::Result<TableBuffer*> Table(const std::string& table, lake::HepSchema schema, bool* created = nullptr);
  arrow::Status CommitTable(TableBuffer& table);  ///< under mutex_
  /// The buffer may hold this many times max_buffer_rows (flushed rows a query may still need
  /// included) before Write refuses batches.
  static constexpr int64_t kBufferHardLimitFactor = 5;
  arrow::Status BufferFull(int64_t held);
  void CommitLoop();
  void FlushLoop();
  arrow::Status FlushOnce();
  void Reclaim();
  void AddGauges();

  WriterOptions options_;
  std::string buffer_catalog_, lake_catalog_;
  std::unique_ptr<Journal> journal_;
  duckdb::Connection append_con_;  ///< appends, buffer commits and table creation (under mutex_)
  duckdb::Connection flush_con_;   ///< lake flushes and buffer deletes (flush thread)

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<TableBuffer>> tables_;
  std::map<std::pair<uint32_t, int>, TableBuffer*> routes_;  ///< (proto type, SIP table) -> buffer
  std::function<void()> tables_changed_;

  mutable std::mutex stats_mutex_;
  WriterStats stats_;

  struct Reclaimable {
    TableBuffer* table;
    int64_t seq;
    uint64_t epoch;
  };
  std::vector<Reclaimable> reclaim_;  ///< flush thread only

  std::mutex flush_mutex_;  ///< one flush at a time (thread, Stop, tests)
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool flush_requested_ = false;
  std::thread commit_thread_, flush_thread_;
  std::vector<uint64_t> gauges_;
};

}  // namespace homer::writer
