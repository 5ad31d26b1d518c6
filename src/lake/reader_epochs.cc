#include "lake/reader_epochs.h"

#include <algorithm>
#include <iterator>

namespace homer::lake {

ReaderEpochs::Reader& ReaderEpochs::Reader::operator=(Reader&& other) noexcept {
  if (this != &other) {
    Leave();
    owner_ = other.owner_;
    epoch_ = other.epoch_;
    other.owner_ = nullptr;
  }
  return *this;
}

void ReaderEpochs::Reader::Leave() {
  if (!owner_) return;
  std::lock_guard lock(owner_->mutex_);
  auto it = owner_->active_.find(epoch_);
  if (it != owner_->active_.end() && --it->second == 0) owner_->active_.erase(it);
  owner_ = nullptr;
}

ReaderEpochs::Reader ReaderEpochs::Enter() {
  std::lock_guard lock(mutex_);
  ++active_[epoch_];
  return Reader(this, epoch_);
}

uint64_t ReaderEpochs::Advance() {
  std::lock_guard lock(mutex_);
  return ++epoch_;
}

void ReaderEpochs::Hold(std::chrono::steady_clock::duration duration) {
  std::lock_guard lock(mutex_);
  auto& until = held_[epoch_];
  until = std::max(until, std::chrono::steady_clock::now() + duration);
}

bool ReaderEpochs::AllLeftBefore(uint64_t epoch) const {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  for (auto it = held_.begin(); it != held_.end();) it = it->second <= now ? held_.erase(it) : std::next(it);
  const bool held = !held_.empty() && held_.begin()->first < epoch;
  return !held && (active_.empty() || active_.begin()->first >= epoch);
}

}  // namespace homer::lake
