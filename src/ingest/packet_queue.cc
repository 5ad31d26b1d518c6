#include "ingest/packet_queue.h"

#include <algorithm>

namespace homer::ingest {
namespace {

// The free pool: enough buffers for a few full batches, each no larger than a SIP message with
// a big SDP body. Larger buffers are freed when they come back.
constexpr size_t kMaxPooledBuffers = 8192;
constexpr size_t kMaxPooledBufferBytes = 4096;
constexpr size_t kInitialRing = 1024;

}  // namespace

const char* TransportName(Transport transport) {
  switch (transport) {
    case Transport::kUdp: return "udp";
    case Transport::kTcp: return "tcp";
    case Transport::kHttp: return "http";
  }
  return "unknown";
}

PacketQueue::PacketQueue(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {
  ring_.resize(std::min(capacity_, kInitialRing));
}

std::string PacketQueue::TakeBuffer() {
  if (free_.empty()) return {};
  std::string buffer = std::move(free_.back());
  free_.pop_back();
  return buffer;
}

void PacketQueue::Grow() {
  std::vector<RawPacket> bigger(std::min(capacity_, ring_.size() * 2));
  for (size_t i = 0; i < count_; ++i) bigger[i] = std::move(ring_[(head_ + i) % ring_.size()]);
  ring_.swap(bigger);
  head_ = 0;
}

void PacketQueue::PushLocked(std::span<const uint8_t> bytes, Transport transport, int64_t received_us) {
  if (count_ == ring_.size()) Grow();
  RawPacket& slot = ring_[(head_ + count_) % ring_.size()];
  slot.bytes = TakeBuffer();
  slot.bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  slot.received_us = received_us;
  slot.transport = transport;
  ++count_;
}

bool PacketQueue::TryPush(std::span<const uint8_t> bytes, Transport transport, int64_t received_us) {
  bool wake;
  {
    std::lock_guard lock(mutex_);
    if (closed_ || count_ >= capacity_) return false;
    PushLocked(bytes, transport, received_us);
    wake = consumer_waiting_;
  }
  if (wake) ready_.notify_one();
  return true;
}

size_t PacketQueue::TryPushBatch(std::span<const PacketView> packets, Transport transport) {
  size_t taken = 0;
  bool wake;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return 0;
    for (const PacketView& p : packets) {
      if (count_ >= capacity_) break;
      PushLocked(p.bytes, transport, p.received_us);
      ++taken;
    }
    wake = consumer_waiting_ && taken > 0;
  }
  if (wake) ready_.notify_one();
  return taken;
}

void PacketQueue::Recycle(std::vector<RawPacket>* used) {
  for (RawPacket& p : *used) {
    if (free_.size() >= kMaxPooledBuffers) break;
    if (p.bytes.capacity() <= kMaxPooledBufferBytes) free_.push_back(std::move(p.bytes));
  }
  used->clear();
}

bool PacketQueue::PopBatch(std::vector<RawPacket>* out, size_t max, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  Recycle(out);
  if (count_ == 0 && !closed_) {
    consumer_waiting_ = true;
    ready_.wait_for(lock, timeout, [this] { return count_ > 0 || closed_; });
    consumer_waiting_ = false;
  }
  if (count_ == 0) return !closed_;
  const size_t n = std::min(max, count_);
  for (size_t i = 0; i < n; ++i) {
    out->push_back(std::move(ring_[head_]));
    head_ = (head_ + 1) % ring_.size();
  }
  count_ -= n;
  return true;
}

void PacketQueue::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

size_t PacketQueue::size() const {
  std::lock_guard lock(mutex_);
  return count_;
}

}  // namespace homer::ingest
