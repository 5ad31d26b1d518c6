#include "lake/reader_epochs.h"

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

bool ReaderEpochs::AllLeftBefore(uint64_t epoch) const {
  std::lock_guard lock(mutex_);
  return active_.empty() || active_.begin()->first >= epoch;
}

}  // namespace homer::lake
