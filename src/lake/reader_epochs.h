#pragma once
/// \file
/// Which reads might still see the lake as it was before a commit. The writer moves rows from
/// its buffer to the lake in two steps: one lake commit inserts them together with a mark that
/// hides them in the buffer, and only later are they deleted from the buffer. A query reads the
/// lake's snapshot and the buffer's at slightly different moments, so a query that read the
/// lake before the commit must not find the buffer already emptied. Every query enters as a
/// reader before it touches either; the writer deletes flushed rows once every reader that
/// entered before the commit has left (epoch-based reclamation).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

namespace homer::lake {

class ReaderEpochs {
 public:
  /// Held by a query for its whole life (from before it binds until its result is gone).
  class Reader {
   public:
    Reader() = default;
    Reader(ReaderEpochs* owner, uint64_t epoch) : owner_(owner), epoch_(epoch) {}
    Reader(Reader&& other) noexcept : owner_(other.owner_), epoch_(other.epoch_) { other.owner_ = nullptr; }
    Reader& operator=(Reader&& other) noexcept;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    ~Reader() { Leave(); }
    void Leave();

   private:
    ReaderEpochs* owner_ = nullptr;
    uint64_t epoch_ = 0;
  };

  Reader Enter();
  /// A reader that leaves by itself after `duration`: a snapshot pin whose tickets are redeemed
  /// later (lake/snapshot_pin.h) keeps the buffered rows it saw that long.
  void Hold(std::chrono::steady_clock::duration duration);
  /// Start a new epoch (after a commit); returns it.
  uint64_t Advance();
  /// True when no reader that entered before `epoch` is still there.
  bool AllLeftBefore(uint64_t epoch) const;

 private:
  mutable std::mutex mutex_;
  uint64_t epoch_ = 1;
  std::map<uint64_t, uint64_t> active_;  ///< epoch -> readers in it
  /// epoch -> until when a Hold keeps it (expired ones are dropped as they are seen)
  mutable std::map<uint64_t, std::chrono::steady_clock::time_point> held_;
};

}  // namespace homer::lake
