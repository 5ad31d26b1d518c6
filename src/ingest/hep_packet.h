#pragma once
/// \file
/// A HEP packet as the capture agent sent it: HEP v3 (chunks) or v1/v2 (fixed header), decoded
/// strictly. Nothing here knows SIP or tables.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "ingest/drop_reason.h"

namespace homer::ingest {

struct HepPacket {
  uint8_t version = 3;      ///< 1, 2 or 3
  uint8_t ip_family = 0;    ///< 2 = IPv4, 10 = IPv6 (chunk 1)
  uint8_t ip_protocol = 0;  ///< 17 UDP, 6 TCP, ... (chunk 2)
  std::string src_ip, dst_ip;  ///< text form ("10.0.0.1", "2001:db8::1")
  uint16_t src_port = 0, dst_port = 0;
  uint32_t ts_sec = 0, ts_usec = 0;  ///< both 0: the agent sent no time
  uint8_t proto_type = 0;            ///< chunk 11: 1 SIP, 5 RTCP, 53 DNS, 100 log, ...
  uint32_t capture_id = 0;           ///< chunk 12
  std::string auth_key;              ///< chunk 14
  std::string correlation_id;        ///< chunk 17
  uint16_t vlan = 0;                 ///< chunk 18
  std::string node_name;             ///< chunk 19
  /// Chunk 15 (or the v1/v2 body): a view into the decoded bytes, valid as long as they are.
  std::string_view payload;
};

/// Decode one datagram or TCP frame. HEP v3: the header's total length must equal data.size(),
/// every chunk must fit, fixed-size chunks must have their size, unknown chunks are skipped;
/// a payload and both addresses are required. HEP v1/v2 (first byte 1 or 2) only when
/// `accept_v1_v2`. On failure returns false and sets `*reason`.
bool DecodeHep(std::span<const uint8_t> data, bool accept_v1_v2, HepPacket* out, DropReason* reason);

/// For TCP framing: how many bytes the packet starting at `data` has, once at least 6 bytes of it
/// arrived (HEP v3: its length field; v1/v2: header + ... is not framable, returns 0).
/// 0 when `data` cannot start a HEP v3 packet (the stream is then out of sync).
size_t HepFrameLength(std::span<const uint8_t> data);

}  // namespace homer::ingest
