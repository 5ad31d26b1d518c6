#pragma once
/// \file
/// The bounded queue between the receivers (many producers: the UDP, TCP and HTTP threads) and
/// the one decode thread. Pushing never waits: a full queue refuses the packet and the receiver
/// counts it as queue_full.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace homer::ingest {

enum class Transport : uint8_t { kUdp, kTcp, kHttp };
inline constexpr int kTransportCount = 3;

/// "udp", "tcp", "http": the label in metrics and logs.
const char* TransportName(Transport transport);

/// One packet as received, before any decoding.
struct RawPacket {
  std::string bytes;
  int64_t received_us = 0;  ///< UTC microseconds since the epoch
  Transport transport = Transport::kUdp;
};

/// A packet still in the receiver's buffer, copied in by TryPushBatch.
struct PacketView {
  std::span<const uint8_t> bytes;
  int64_t received_us = 0;
};

/// A mutex-guarded ring of packets, taken out by the consumer in batches.
///
/// Why not a lock-free ring of fixed slots: a slot must hold the largest packet (64 KiB), so
/// 200,000 slots would pin 13 GB. Packets are variable-sized strings instead, and their buffers
/// circulate: the strings the consumer hands back to PopBatch go to a small free pool that the
/// next pushes copy into, so the steady state allocates nothing. The pool is bounded (count and
/// per-buffer size), so a burst of jumbo packets is not kept once it has passed. One lock per
/// batch on both sides and a wake-up only when the consumer sleeps keep it far above the
/// 200,000 packets/s it is asked for (see packet_queue_test.cc).
class PacketQueue {
 public:
  explicit PacketQueue(size_t capacity);
  PacketQueue(const PacketQueue&) = delete;
  PacketQueue& operator=(const PacketQueue&) = delete;

  /// Copy one packet in. False when the queue is full or closed; never blocks on the consumer.
  bool TryPush(std::span<const uint8_t> bytes, Transport transport, int64_t received_us);
  /// Copy packets in, in order, under one lock. Returns how many were taken: the first ones that
  /// fit (the rest are the caller's to count as dropped).
  size_t TryPushBatch(std::span<const PacketView> packets, Transport transport);

  /// Replace `*out` with up to `max` packets, oldest first, waiting up to `timeout` for the first.
  /// The packets `*out` held are taken back for reuse. Returns false once the queue is closed and
  /// empty (the consumer is done); true otherwise, with an empty `*out` on a timeout.
  bool PopBatch(std::vector<RawPacket>* out, size_t max, std::chrono::milliseconds timeout);

  /// Refuse every later push; PopBatch still returns what is queued, then false.
  void Close();

  size_t size() const;
  size_t capacity() const { return capacity_; }

 private:
  void Grow();  ///< double the ring (up to capacity_), oldest entry first at index 0
  void Recycle(std::vector<RawPacket>* used);
  std::string TakeBuffer();
  void PushLocked(std::span<const uint8_t> bytes, Transport transport, int64_t received_us);

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  bool consumer_waiting_ = false;
  bool closed_ = false;
  std::vector<RawPacket> ring_;  ///< grows on demand up to capacity_
  size_t head_ = 0, count_ = 0;
  std::vector<std::string> free_;  ///< buffers to copy the next packets into
};

}  // namespace homer::ingest
