#include "engine/query_registry.h"

#include "engine/query_stream.h"

namespace homer::engine {

QueryRegistry::QueryRegistry(std::chrono::milliseconds client_poll)
    : client_poll_(client_poll), watchdog_([this] { Watch(); }) {}

QueryRegistry::~QueryRegistry() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  watchdog_.join();
}

uint64_t QueryRegistry::Add(QueryStream* query, std::chrono::seconds timeout, bool watch_client) {
  std::lock_guard lock(mutex_);
  const uint64_t id = next_id_++;
  const auto now = std::chrono::steady_clock::now();
  const auto deadline = now + timeout;
  entries_[id] = {query, deadline, timeout.count() > 0, watch_client, now};
  watched_clients_ += watch_client ? 1 : 0;
  // Wake the watchdog only for an earlier deadline than it sleeps until: with one timeout for
  // every query that is only when it sleeps without one (a wake-up per query costs a context switch).
  auto wake_at = timeout.count() > 0 ? deadline : std::chrono::steady_clock::time_point::max();
  if (watch_client) wake_at = std::min(wake_at, now + client_poll_);
  if (wake_at < watching_until_) wake_.notify_all();
  return id;
}

void QueryRegistry::Remove(uint64_t id) {
  // Holding the lock while erasing means Watch() never calls Expire() on a destroyed query.
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  watched_clients_ -= it->second.watch_client ? 1 : 0;
  entries_.erase(it);
}

size_t QueryRegistry::running() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

uint64_t QueryRegistry::total_started() const {
  std::lock_guard lock(mutex_);
  return next_id_ - 1;
}

void QueryRegistry::Watch() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next = std::chrono::steady_clock::time_point::max();
    const auto now = std::chrono::steady_clock::now();
    for (auto& [id, e] : entries_) {
      // QueryStream::ClientGone is cheap (gRPC's IsCancelled); Cancel runs once.
      if (e.watch_client && now - e.added >= client_poll_ && e.query->ClientGone()) {
        e.query->Cancel();
        e.watch_client = false;
        --watched_clients_;
      }
      if (!e.expires) continue;
      if (e.deadline <= now) {
        e.query->Expire();
        e.expires = false;
      } else {
        next = std::min(next, e.deadline);
      }
    }
    if (watched_clients_ > 0) next = std::min(next, now + client_poll_);
    watching_until_ = next;
    if (next == std::chrono::steady_clock::time_point::max()) wake_.wait(lock);
    else wake_.wait_until(lock, next);
  }
}

}  // namespace homer::engine
