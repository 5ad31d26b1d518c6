#pragma once
/// \file
/// ingest.dedup: a payload seen again within a window (500 ms, as HOMER) is a duplicate, the
/// same packet captured by two agents or twice on one host. Remembers 64-bit hashes only, and at
/// most a fixed number of them, so memory stays bounded whatever the rate.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>

namespace homer::ingest {

class Deduplicator {
 public:
  static constexpr int64_t kWindowUs = 500 * 1000;
  /// 2^18 hashes cover the window at 500,000 packets/s; past that the oldest are forgotten.
  static constexpr size_t kMaxEntries = 1 << 18;

  explicit Deduplicator(int64_t window_us = kWindowUs, size_t max_entries = kMaxEntries)
      : window_us_(window_us), max_entries_(max_entries) {}

  /// True when `payload` was first seen less than the window before `now_us`. The window runs
  /// from the first sighting: a payload repeated forever passes once per window.
  bool IsDuplicate(std::string_view payload, int64_t now_us);

  size_t size() const { return first_seen_.size(); }

 private:
  void Forget(int64_t before_us);

  int64_t window_us_;
  size_t max_entries_;
  int64_t latest_us_ = 0;  ///< times can step back a little between transports
  std::unordered_map<uint64_t, int64_t> first_seen_;
  std::deque<std::pair<uint64_t, int64_t>> order_;  ///< (hash, first seen), oldest first
};

}  // namespace homer::ingest
