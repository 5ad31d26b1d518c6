#pragma once
/// \file
/// Whole SIP capture packets for the receiver tests, built with the decoder tests' HepBuilder.

#include <cstdint>
#include <string>
#include <string_view>

#include "hep_test_util.h"

namespace homer::ingest::hepgen {

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
  testing::HepBuilder w;
  w.U8(1, v6 ? 10 : 2).U8(2, 17);
  w.Address(v6 ? 5 : 3, c.src_ip).Address(v6 ? 6 : 4, c.dst_ip);
  w.U16(7, c.src_port).U16(8, c.dst_port);
  if (c.ts_sec != 0 || c.ts_usec != 0) w.U32(9, c.ts_sec).U32(10, c.ts_usec);
  w.U8(11, c.proto_type).U32(12, c.capture_id);
  if (!c.correlation_id.empty()) w.Chunk(17, c.correlation_id);
  w.Chunk(15, c.payload);
  const auto bytes = w.Build();
  return std::string(bytes.begin(), bytes.end());
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
