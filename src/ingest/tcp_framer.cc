#include "ingest/tcp_framer.h"

#include <algorithm>

#include "ingest/hep_packet.h"

namespace homer::ingest {
namespace {
constexpr size_t kHeader = 6;  // "HEP3" + total length
}

size_t TcpFramer::Length(std::span<const uint8_t> header, Outcome* outcome) const {
  const size_t length = HepFrameLength(header);
  if (length < kHeader) {
    *outcome = Outcome::kOutOfSync;
    return 0;
  }
  if (length > max_frame_) {
    *outcome = Outcome::kTooLarge;
    return 0;
  }
  return length;
}

TcpFramer::Outcome TcpFramer::Feed(std::span<const uint8_t> data, std::vector<std::span<const uint8_t>>* frames) {
  frames->clear();
  assembled_.clear();
  Outcome outcome = Outcome::kOk;
  size_t off = 0;
  auto take = [&](size_t want) {
    const size_t n = std::min(want, data.size() - off);
    partial_.insert(partial_.end(), data.begin() + off, data.begin() + off + n);
    off += n;
  };
  // First finish the packet an earlier read started; copy only what it still lacks.
  if (!partial_.empty()) {
    if (partial_.size() < kHeader) take(kHeader - partial_.size());
    if (partial_.size() < kHeader) return outcome;
    const size_t length = Length(partial_, &outcome);
    if (length == 0) return outcome;
    take(length - partial_.size());
    if (partial_.size() < length) return outcome;
    assembled_.swap(partial_);
    partial_.clear();
    frames->push_back(assembled_);
  }
  // Whole packets are handed out from the read buffer itself.
  while (data.size() - off >= kHeader) {
    const size_t length = Length(data.subspan(off), &outcome);
    if (length == 0) return outcome;
    if (data.size() - off < length) break;
    frames->push_back(data.subspan(off, length));
    off += length;
  }
  partial_.assign(data.begin() + off, data.end());
  return outcome;
}

}  // namespace homer::ingest
