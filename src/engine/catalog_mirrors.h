#pragma once
/// \file
/// The node's private copies of its volumes' SQLite catalogs (lake/catalog_mirror.h) and the one
/// thread that keeps them fresh: every interval it copies the catalogs whose files changed,
/// hottest volume first, then publishes those copies coldest first. So a query, which reads the
/// volumes hottest first, never sees a colder volume older than a hotter one: a move commits to
/// the colder volume before it deletes from the hotter one.
///
/// Not mirrored: postgres catalogs, and catalogs this process writes itself (the all-in-one
/// writer and storage policy: their WAL catalogs never block their own commits, and their
/// buffered rows are handed over through the live catalog's snapshots, lake/write_buffer.h).

#include <arrow/result.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/server_config.h"
#include "duckdb/database.h"
#include "lake/catalog_mirror.h"

namespace homer::engine {

class CatalogMirrors {
 public:
  /// Copies go to a private folder `<parent>/catalog-mirror-<pid>` (removed with this object;
  /// folders of processes that are gone are removed too).
  static arrow::Result<std::unique_ptr<CatalogMirrors>> Make(const duckdb::Database& db, const std::string& parent,
                                                             std::chrono::milliseconds interval);
  ~CatalogMirrors();

  /// Attach a mirror of `volume` as `catalog`; `rank` is the volume's place in the
  /// configuration (0 = hottest), which orders the rounds.
  arrow::Status Add(const duckdb::Connection& con, const config::VolumeConfig& volume, const std::string& catalog,
                    size_t rank);

  /// One round: capture what changed, publish it. What failed is logged (once per reason) and
  /// counted, and tried again next round; the volume keeps its last published copy meanwhile
  /// (never detached: DuckDB crashed enumerating catalogs while one was detached).
  void Sync();

  void Start();
  const std::string& work_dir() const { return work_dir_; }

 private:
  CatalogMirrors() = default;
  void Loop();

  struct Entry {
    size_t rank = 0;
    config::VolumeConfig volume;
    std::unique_ptr<lake::CatalogMirror> mirror;
    std::string last_error;  ///< logged once until it changes
  };

  duckdb::Connection con_;
  std::string work_dir_;
  std::chrono::milliseconds interval_{100};
  std::mutex mutex_;  ///< one round at a time; guards entries_
  std::vector<Entry> entries_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace homer::engine
