#pragma once
/// \file
/// HEP packets built byte by byte for the decoder and record tests.

#include <arpa/inet.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace homer::ingest::testing {

/// Chunks appended in order; Build() prefixes "HEP3" and the total length.
class HepBuilder {
 public:
  /// A chunk whose length field is the real one, or `length_override` when set.
  HepBuilder& Chunk(uint16_t type, std::string_view body, int length_override = -1, uint16_t vendor = 0) {
    Put16(vendor);
    Put16(type);
    Put16(static_cast<uint16_t>(length_override >= 0 ? length_override : static_cast<int>(body.size()) + 6));
    chunks_.insert(chunks_.end(), body.begin(), body.end());
    return *this;
  }
  HepBuilder& U8(uint16_t type, uint8_t v) { return Chunk(type, std::string(1, static_cast<char>(v))); }
  HepBuilder& U16(uint16_t type, uint16_t v) { return Chunk(type, Be(v >> 8, v)); }
  HepBuilder& U32(uint16_t type, uint32_t v) { return Chunk(type, Be(v >> 24, v >> 16, v >> 8, v)); }
  HepBuilder& Ip4(uint16_t type, uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return Chunk(type, Be(a, b, c, d)); }
  /// An address chunk from its text form (4 bytes for IPv4, 16 for IPv6).
  HepBuilder& Address(uint16_t type, const std::string& ip) {
    unsigned char b[16] = {};
    const bool v6 = ip.find(':') != std::string::npos;
    ::inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), b);
    return Chunk(type, {reinterpret_cast<const char*>(b), v6 ? 16u : 4u});
  }
  /// Raw bytes after the chunks (a truncated chunk header, ...).
  HepBuilder& Raw(std::string_view bytes) {
    chunks_.insert(chunks_.end(), bytes.begin(), bytes.end());
    return *this;
  }

  /// The packet; `length_delta` is added to the header's total length field.
  std::vector<uint8_t> Build(int length_delta = 0) const {
    std::vector<uint8_t> out = {'H', 'E', 'P', '3'};
    const auto total = static_cast<uint16_t>(static_cast<int>(chunks_.size()) + 6 + length_delta);
    out.push_back(static_cast<uint8_t>(total >> 8));
    out.push_back(static_cast<uint8_t>(total));
    out.insert(out.end(), chunks_.begin(), chunks_.end());
    return out;
  }

  /// The low byte of each argument, in order.
  template <typename... T>
  static std::string Be(T... bytes) {
    return std::string{static_cast<char>(bytes & 0xFF)...};
  }

 private:
  void Put16(uint16_t v) {
    chunks_.push_back(static_cast<uint8_t>(v >> 8));
    chunks_.push_back(static_cast<uint8_t>(v));
  }
  std::vector<uint8_t> chunks_;
};

/// The chunks of a typical IPv4 SIP packet (family, protocol, addresses, ports, time, proto
/// type 1, capture id), without the payload.
inline HepBuilder Ipv4Header(uint32_t ts_sec = 1700000000, uint32_t ts_usec = 123456) {
  HepBuilder b;
  b.U8(1, 2).U8(2, 17).Ip4(3, 10, 0, 0, 1).Ip4(4, 192, 168, 1, 200).U16(7, 5060).U16(8, 5080);
  b.U32(9, ts_sec).U32(10, ts_usec).U8(11, 1).U32(12, 2001);
  return b;
}

inline std::vector<uint8_t> Ipv4Packet(std::string_view payload) { return Ipv4Header().Chunk(15, payload).Build(); }

inline std::span<const uint8_t> Span(const std::vector<uint8_t>& bytes) { return {bytes.data(), bytes.size()}; }

/// A typical INVITE (about 600 bytes with its SDP).
inline constexpr std::string_view kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: \"Alice A.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "User-Agent: Softphone/1.2\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
    "Supported: replaces, timer\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 142\r\n"
    "\r\n"
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 49172 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

}  // namespace homer::ingest::testing
