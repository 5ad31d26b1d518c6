#pragma once
/// \file
/// HOMER's storage policy for the volumes the writer fills: date partitions move from each
/// volume to the next by age (max_data_age_days) and size (max_size_gb x move_factor), the last
/// volume (or every one, with compaction.retention_days) deletes old partitions, and each
/// volume is compacted on a schedule (closed days rewritten in the search layout, small files
/// merged, snapshots expired, old and orphaned files deleted). Every step is a DuckLake commit
/// that readers see before or after, never half (lake/move_marks.h for moves). One maintenance
/// job per volume at a time (lake/maintenance_lock.h): the HTTP vacuum waits its turn.

#include <arrow/result.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/server_config.h"
#include "duckdb/database.h"
#include "lake/maintenance_lock.h"
#include "policy/day_files.h"
#include "policy/volume_ref.h"

namespace homer::policy {

struct PolicyStats {
  int64_t move_cycles = 0;
  int64_t moves = 0;              ///< partitions moved
  int64_t move_failures = 0;      ///< tried again next cycle, nothing lost
  int64_t moved_rows = 0;
  int64_t moved_bytes = 0;
  int64_t finished_moves_rows = 0;  ///< source rows deleted for moves a crash or failure interrupted
  int64_t expired_rows = 0;       ///< retention
  int64_t compaction_cycles = 0;
  int64_t rewrites = 0;           ///< partitions rewritten in the search layout
  int64_t rewrite_failures = 0;
  int64_t rewritten_rows = 0;
  int64_t maintenance_failures = 0;  ///< failed DuckLake maintenance steps
  int64_t busy_skips = 0;         ///< a volume's job skipped: another job (vacuum) held it
  double last_cycle_seconds = 0;
  int64_t last_cycle_unix_ms = 0;
  std::string last_error;         ///< the latest failure; cleared by a move cycle without any failure
  int64_t last_error_unix_ms = 0;
};

struct PolicyOptions {
  config::StorageDuckLakeConfig storage;
  std::string lake_name;
  /// The writer's read-write attach of the hot volume (the policy shares it).
  std::string hot_catalog;
  /// Called after the policy created tables or marks the node's catalog must pick up.
  std::function<void()> on_catalog_changed;
  /// A new marks table or destination table is used this long after its creation: every node
  /// (they refresh their catalog every 30 s by default) must read it before a move relies on it.
  std::chrono::seconds new_table_delay{35};
  /// How rewritten days are laid out (its max_file_size_bytes comes from storage.compaction).
  FileLayout layout;
};

class StoragePolicy {
 public:
  /// Attach the other volumes read-write on `db` (which must outlive the policy) and create
  /// their marks tables. Start() begins the schedule.
  static arrow::Result<std::unique_ptr<StoragePolicy>> Open(const duckdb::Database& db, PolicyOptions options);
  ~StoragePolicy();

  void Start();
  /// Finish the running job and stop (SIGTERM).
  void Stop();

  /// One move cycle now: interrupted moves finished, moves by age and size, retention.
  arrow::Status RunMoves();
  /// One compaction cycle now, every volume.
  arrow::Status RunCompaction();

  PolicyStats stats() const;
  const std::vector<VolumeRef>& volumes() const { return volumes_; }

 private:
  StoragePolicy(const duckdb::Database& db, PolicyOptions options);
  arrow::Status Attach();
  void Loop();
  struct Move {
    std::string table, date;
  };
  arrow::Result<std::vector<Move>> PlanMoves(const duckdb::Connection& con, size_t from, const std::string& today);
  void RunMovesOf(size_t from, const std::vector<Move>& moves);
  arrow::Status CompactVolume(const duckdb::Connection& con, size_t index, const std::string& today);
  void Failed(const arrow::Status& st, int64_t PolicyStats::*counter);
  /// Clear last_error when nothing failed since the cycle started (a clean cycle).
  void ClearErrorIfNoneSince(int64_t cycle_start_unix_ms);
  /// The maintenance lock of volume `index` and the next one (where its moves go); when another
  /// job holds it, the skip is counted (busy_skips) and the returned lock is not held.
  lake::MaintenanceLock LockVolume(size_t index, const char* job);

  const duckdb::Database& db_;
  PolicyOptions options_;
  FileLayout layout_;
  std::vector<VolumeRef> volumes_;
  std::vector<config::StorageDuckLakeConfig::PolicyVolumeConfig> rules_;  ///< same order as volumes_
  /// Moves into a volume wait until every node lists its marks table and the destination table:
  /// catalog -> when its marks table is old enough, catalog.table -> same for a table.
  std::map<std::string, std::chrono::steady_clock::time_point> ready_at_;
  bool Ready(const std::string& key) const;
  /// Every table of volume `from` exists in the next volume (created tables become ready later).
  arrow::Status EnsureDestinationTables(const duckdb::Connection& con, size_t from);

  mutable std::mutex stats_mutex_;
  PolicyStats stats_;
  std::mutex job_mutex_;  ///< one cycle at a time (schedule, tests)
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  /// Set by Stop(): a running cycle ends after its current step (SIGTERM waits for one move or
  /// rewrite, not for a whole cycle).
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace homer::policy
