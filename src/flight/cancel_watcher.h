#pragma once
/// \file
/// Notices clients that went away while their query is still inside DuckDB.
///
/// gRPC reports a cancelled or disconnected call only to code that asks. The Flight loop
/// asks when it writes, which never happens while DuckDB is still computing the first rows
/// (an aggregate, a selective filter over a large scan). One thread polls every watched call
/// and runs its cancel action (QueryStream::Cancel, which interrupts DuckDB) once.

#include <arrow/flight/server.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>
#include <unordered_map>

namespace homer::flight {

class CancelWatcher {
 public:
  explicit CancelWatcher(std::chrono::milliseconds interval = std::chrono::milliseconds(50));
  CancelWatcher(const CancelWatcher&) = delete;
  CancelWatcher& operator=(const CancelWatcher&) = delete;

  /// Watch `context` (which must outlive the matching Unwatch) until Unwatch(id).
  uint64_t Watch(const arrow::flight::ServerCallContext* context, std::function<void()> cancel);
  /// After this returns, `cancel` of that id is not running and will not run.
  void Unwatch(uint64_t id);

 private:
  void Loop(std::stop_token stop);

  struct Watched {
    const arrow::flight::ServerCallContext* context;
    std::function<void()> cancel;
    bool fired = false;
  };
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;  ///< guards calls_; held while a cancel action runs
  std::condition_variable_any stop_cv_;
  std::unordered_map<uint64_t, Watched> calls_;
  uint64_t last_id_ = 0;
  std::jthread poller_;  ///< declared last: stopped and joined before the rest goes
};

}  // namespace homer::flight
