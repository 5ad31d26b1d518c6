#pragma once
/// \file
/// Running queries and their deadlines. A watchdog thread interrupts queries whose timeout
/// passed, inside DuckDB, so a runaway query frees its threads even when nobody reads it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace homer::engine {

class QueryStream;

class QueryRegistry {
 public:
  QueryRegistry();
  ~QueryRegistry();

  /// Returns an id for Remove(). A zero timeout never expires.
  uint64_t Add(QueryStream* query, std::chrono::seconds timeout);
  void Remove(uint64_t id);
  size_t running() const;
  uint64_t total_started() const;

 private:
  void Watch();

  struct Entry {
    QueryStream* query;
    std::chrono::steady_clock::time_point deadline;
    bool expires;
  };
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Entry> entries_;
  uint64_t next_id_ = 1;
  /// When the watchdog wakes next (max: no deadline pending).
  std::chrono::steady_clock::time_point watching_until_ = std::chrono::steady_clock::time_point::max();
  bool stopping_ = false;
  std::thread watchdog_;
};

}  // namespace homer::engine
