#pragma once
/// \file
/// Running queries, their deadlines and their clients. One watchdog thread interrupts, inside
/// DuckDB, the queries whose timeout passed and those whose client went away (a cancelled or
/// disconnected call, polled while the query runs): a runaway or abandoned query frees its
/// threads even when nobody reads it, also before it produced its first rows. It is the only
/// such thread of the process: the Flight surfaces hand their calls' state to it.

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
  explicit QueryRegistry(std::chrono::milliseconds client_poll = std::chrono::milliseconds(50));
  ~QueryRegistry();

  /// Returns an id for Remove(). A zero timeout never expires. With `watch_client`, the query's
  /// ClientGone() is polled every `client_poll` once it has run that long (a short query is
  /// never asked) and a true answer cancels it.
  uint64_t Add(QueryStream* query, std::chrono::seconds timeout, bool watch_client = false);
  void Remove(uint64_t id);
  size_t running() const;
  uint64_t total_started() const;

 private:
  void Watch();

  struct Entry {
    QueryStream* query;
    std::chrono::steady_clock::time_point deadline;
    bool expires;
    bool watch_client;
    std::chrono::steady_clock::time_point added;
  };
  const std::chrono::milliseconds client_poll_;
  size_t watched_clients_ = 0;
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
