#pragma once
/// \file
/// Cuts a TCP byte stream into HEP v3 packets: 6 header bytes give the length (HepFrameLength),
/// the rest follows, across reads of any size. HEP v1/v2 has no length and cannot be framed.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace homer::ingest {

class TcpFramer {
 public:
  enum class Outcome {
    kOk,
    kOutOfSync,  ///< bytes that do not start a HEP v3 packet: the stream cannot be resynchronised
    kTooLarge,   ///< a packet announced longer than the limit
  };

  explicit TcpFramer(size_t max_frame) : max_frame_(max_frame) {}

  /// Take the next bytes of the stream and set `*frames` to the packets they complete, in order.
  /// The views point into `data` or into this framer: valid until the next Feed. After an
  /// outcome other than kOk, `*frames` still holds the packets before the bad one, and the
  /// stream must be closed.
  Outcome Feed(std::span<const uint8_t> data, std::vector<std::span<const uint8_t>>* frames);

  /// Bytes of a packet not yet complete (lost if the stream ends now).
  size_t buffered() const { return partial_.size(); }

 private:
  /// The frame length announced by a header, or 0 with `*outcome` set.
  size_t Length(std::span<const uint8_t> header, Outcome* outcome) const;

  size_t max_frame_;
  std::vector<uint8_t> partial_;    ///< the start of a packet whose end has not arrived
  std::vector<uint8_t> assembled_;  ///< a packet completed from partial_ in this Feed
};

}  // namespace homer::ingest
