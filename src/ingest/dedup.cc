#include "ingest/dedup.h"

#include <algorithm>
#include <functional>

namespace homer::ingest {

void Deduplicator::Forget(int64_t before_us) {
  while (!order_.empty() && (order_.front().second < before_us || order_.size() > max_entries_)) {
    const auto [hash, seen] = order_.front();
    order_.pop_front();
    auto it = first_seen_.find(hash);
    if (it != first_seen_.end() && it->second == seen) first_seen_.erase(it);
  }
}

bool Deduplicator::IsDuplicate(std::string_view payload, int64_t now_us) {
  latest_us_ = std::max(latest_us_, now_us);
  Forget(latest_us_ - window_us_);
  const uint64_t hash = std::hash<std::string_view>{}(payload);
  auto [it, inserted] = first_seen_.try_emplace(hash, now_us);
  if (!inserted && now_us - it->second < window_us_) return true;
  it->second = now_us;
  order_.emplace_back(hash, now_us);
  Forget(latest_us_ - window_us_);
  return false;
}

}  // namespace homer::ingest
