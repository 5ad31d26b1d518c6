#pragma once
/// \file
/// Why ingest dropped a packet: one counter per reason, so nothing accepted is lost silently.

#include <cstdint>

namespace homer::ingest {

enum class DropReason : uint8_t {
  kQueueFull,       ///< the receive queue was full (decoding or writing fell behind)
  kTooLarge,        ///< a packet or frame past the size limit
  kTruncated,       ///< shorter than its header or a chunk says
  kBadLength,       ///< HEP total length differs from the datagram/frame
  kBadChunk,        ///< a chunk with a wrong fixed size or a length below 6
  kBadVersion,      ///< not HEP v3 (nor v1/v2 when accepted)
  kMissingField,    ///< no payload, no addresses, ...
  kBadAddress,      ///< an IP family with addresses of the other size
  kNotSip,          ///< proto 1 whose payload is not a SIP message
  kSipNoCallId,     ///< SIP without Call-ID
  kSipBadCSeq,      ///< SIP CSeq missing or with a method shorter than 3 characters
  kInvalidUtf8,     ///< payload or field not valid UTF-8 (the lake's text columns need it)
  kDiscarded,       ///< SIP method listed in ingest.sip.discard_methods
  kDuplicate,       ///< same payload again within the dedup window (ingest.dedup)
  kTcpOutOfSync,    ///< TCP stream bytes that do not start a HEP packet: connection closed
  kWriterFailed,    ///< the writer could not store the record (its error is logged and counted)
  kShutdown,        ///< left in the queue when the process was stopped without a drain
};
inline constexpr int kDropReasonCount = static_cast<int>(DropReason::kShutdown) + 1;

/// The reason's label in counters and stats (snake_case: "queue_full", "bad_length", ...).
const char* DropReasonName(DropReason reason);

}  // namespace homer::ingest
