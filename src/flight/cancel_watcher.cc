#include "flight/cancel_watcher.h"

namespace homer::flight {

CancelWatcher::CancelWatcher(std::chrono::milliseconds interval)
    : interval_(interval), poller_([this](std::stop_token stop) { Loop(stop); }) {}

uint64_t CancelWatcher::Watch(const arrow::flight::ServerCallContext* context, std::function<void()> cancel) {
  std::lock_guard lock(mutex_);
  calls_.emplace(++last_id_, Watched{context, std::move(cancel)});
  return last_id_;
}

void CancelWatcher::Unwatch(uint64_t id) {
  std::lock_guard lock(mutex_);
  calls_.erase(id);
}

void CancelWatcher::Loop(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (true) {
    stop_cv_.wait_for(lock, stop, interval_, [] { return false; });  // the interval, or a stop request
    if (stop.stop_requested()) return;
    // Under the lock: Unwatch waits for a running cancel, so the context is still alive.
    // ServerContext::IsCancelled is safe from any thread.
    for (auto& [id, call] : calls_) {
      if (!call.fired && call.context->is_cancelled()) {
        call.fired = true;
        call.cancel();
      }
    }
  }
}

}  // namespace homer::flight
