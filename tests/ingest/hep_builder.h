#pragma once
/// \file
/// A test-only HEP v3 encoder (for the receiver tests and bench/hep_sender): any chunk, in any
/// order, with a helper for the usual SIP capture packet. Header-only, standard C++ and POSIX.

#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace homer::ingest::hepgen {

/// Chunks appended in order; Build() prefixes "HEP3" and the total length.
class Hep3Writer {
 public:
  Hep3Writer& Chunk(uint16_t type, std::string_view body, uint16_t vendor = 0) {
    Put16(vendor);
    Put16(type);
    Put16(static_cast<uint16_t>(body.size() + 6));
    chunks_.append(body);
    return *this;
  }
  Hep3Writer& U8(uint16_t type, uint8_t v) { return Chunk(type, std::string(1, static_cast<char>(v))); }
  Hep3Writer& U16(uint16_t type, uint16_t v) {
    const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
    return Chunk(type, {b, 2});
  }
  Hep3Writer& U32(uint16_t type, uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
    return Chunk(type, {b, 4});
  }
  /// An address chunk from its text form (4 bytes for IPv4, 16 for IPv6).
  Hep3Writer& Address(uint16_t type, const std::string& ip) {
    unsigned char b[16] = {};
    const bool v6 = ip.find(':') != std::string::npos;
    ::inet_pton(v6 ? AF_INET6 : AF_INET, ip.c_str(), b);
    return Chunk(type, {reinterpret_cast<const char*>(b), v6 ? 16u : 4u});
  }

  std::string Build() const {
    std::string out = "HEP3";
    const auto total = static_cast<uint16_t>(chunks_.size() + 6);
    out += static_cast<char>(total >> 8);
    out += static_cast<char>(total);
    return out + chunks_;
  }

 private:
  void Put16(uint16_t v) {
    chunks_ += static_cast<char>(v >> 8);
    chunks_ += static_cast<char>(v);
  }
  std::string chunks_;
};

/// What a capture agent says about one SIP message.
struct Capture {
  std::string payload;
  std::string src_ip = "10.0.0.1", dst_ip = "10.0.0.2";  ///< IPv6 text makes an IPv6 packet
  uint16_t src_port = 5060, dst_port = 5060;
  uint32_t ts_sec = 1700000000, ts_usec = 0;  ///< both 0: no time chunks
  uint8_t proto_type = 1;                     ///< 1 = SIP
  uint32_t capture_id = 2001;
  std::string correlation_id;  ///< chunk 17 when not empty
};

/// The HEP v3 packet of `c`: family, protocol (UDP), addresses, ports, time, proto type,
/// capture id, correlation id, payload.
inline std::string Encode(const Capture& c) {
  const bool v6 = c.src_ip.find(':') != std::string::npos;
  Hep3Writer w;
  w.U8(1, v6 ? 10 : 2).U8(2, 17);
  w.Address(v6 ? 5 : 3, c.src_ip).Address(v6 ? 6 : 4, c.dst_ip);
  w.U16(7, c.src_port).U16(8, c.dst_port);
  if (c.ts_sec != 0 || c.ts_usec != 0) w.U32(9, c.ts_sec).U32(10, c.ts_usec);
  w.U8(11, c.proto_type).U32(12, c.capture_id);
  if (!c.correlation_id.empty()) w.Chunk(17, c.correlation_id);
  w.Chunk(15, c.payload);
  return w.Build();
}

/// A complete INVITE with an SDP body (about 650 bytes) whose Call-ID is `call_id`.
inline std::string SipInvite(std::string_view call_id, std::string_view cseq = "1 INVITE") {
  const std::string sdp =
      "v=0\r\no=alice 2890844526 2890844526 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
      "m=audio 49172 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";
  std::string m = "INVITE sip:bob@example.net SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + std::string(call_id.substr(0, 12)) + ";rport\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: \"Alice\" <sip:alice@example.com>;tag=a1b2c3\r\n";
  m += "To: <sip:bob@example.net>\r\n";
  m += "Call-ID: " + std::string(call_id) + "\r\n";
  m += "CSeq: " + std::string(cseq) + "\r\n";
  m += "Contact: <sip:alice@10.0.0.1:5060>\r\n";
  m += "User-Agent: homer-node-test/1.0\r\n";
  m += "Content-Type: application/sdp\r\n";
  m += "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n";
  return m + sdp;
}

/// The HEP packet of an INVITE with this Call-ID, from the default capture.
inline std::string InvitePacket(std::string_view call_id) {
  Capture c;
  c.payload = SipInvite(call_id);
  return Encode(c);
}

}  // namespace homer::ingest::hepgen
