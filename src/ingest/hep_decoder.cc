#include <arpa/inet.h>

#include <cstring>

#include "ingest/hep_packet.h"

namespace homer::ingest {
namespace {

constexpr uint8_t kFamilyIpv4 = 2;   // AF_INET as HEP carries it
constexpr uint8_t kFamilyIpv6 = 10;  // AF_INET6 on Linux, which HEP agents send
constexpr size_t kHep3HeaderSize = 6;
constexpr size_t kChunkHeaderSize = 6;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         p[3];
}
uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[1] << 8 | p[0]); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[3]) << 24 | static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[1]) << 8 |
         p[0];
}

// Dotted quad without inet_ntop's printf: this runs twice per packet.
void FormatIpv4(const uint8_t* p, std::string* out) {
  char text[16];
  char* w = text;
  for (int i = 0; i < 4; ++i) {
    const unsigned v = p[i];
    if (v >= 100) *w++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *w++ = static_cast<char>('0' + v / 10 % 10);
    *w++ = static_cast<char>('0' + v % 10);
    if (i < 3) *w++ = '.';
  }
  out->assign(text, w);
}

void FormatIpv6(const uint8_t* p, std::string* out) {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, p, text, sizeof(text)) == nullptr) text[0] = '\0';
  out->assign(text);
}

// The chunk types with a fixed body size (0 = any size).
size_t FixedChunkSize(uint16_t type) {
  switch (type) {
    case 1: case 2: case 11: return 1;
    case 7: case 8: case 18: return 2;
    case 3: case 4: case 9: case 10: case 12: return 4;
    case 5: case 6: return 16;
    default: return 0;
  }
}

// Clear `out` but keep its strings' buffers: the decode loop reuses one packet.
void Reset(HepPacket* out) {
  out->version = 3;
  out->ip_family = out->ip_protocol = out->proto_type = 0;
  out->src_ip.clear();
  out->dst_ip.clear();
  out->src_port = out->dst_port = out->vlan = 0;
  out->ts_sec = out->ts_usec = out->capture_id = 0;
  out->auth_key.clear();
  out->correlation_id.clear();
  out->node_name.clear();
  out->payload = {};
}

bool Fail(DropReason why, DropReason* reason) {
  if (reason != nullptr) *reason = why;
  return false;
}

bool DecodeHep3(std::span<const uint8_t> data, HepPacket* out, DropReason* reason) {
  if (data.size() < kHep3HeaderSize) return Fail(DropReason::kTruncated, reason);
  if (Be16(data.data() + 4) != data.size()) return Fail(DropReason::kBadLength, reason);
  const uint8_t* src4 = nullptr;
  const uint8_t* dst4 = nullptr;
  const uint8_t* src6 = nullptr;
  const uint8_t* dst6 = nullptr;
  bool have_payload = false;
  size_t pos = kHep3HeaderSize;
  while (pos < data.size()) {
    if (data.size() - pos < kChunkHeaderSize) return Fail(DropReason::kTruncated, reason);
    const uint8_t* chunk = data.data() + pos;
    const uint16_t type = Be16(chunk + 2);
    const size_t length = Be16(chunk + 4);
    if (length < kChunkHeaderSize) return Fail(DropReason::kBadChunk, reason);
    if (length > data.size() - pos) return Fail(DropReason::kTruncated, reason);
    const uint8_t* body = chunk + kChunkHeaderSize;
    const size_t size = length - kChunkHeaderSize;
    const size_t fixed = FixedChunkSize(type);
    if (fixed != 0 && size != fixed) return Fail(DropReason::kBadChunk, reason);
    const auto text = [&] { return std::string_view(reinterpret_cast<const char*>(body), size); };
    switch (type) {
      case 1: out->ip_family = body[0]; break;
      case 2: out->ip_protocol = body[0]; break;
      case 3: src4 = body; break;
      case 4: dst4 = body; break;
      case 5: src6 = body; break;
      case 6: dst6 = body; break;
      case 7: out->src_port = Be16(body); break;
      case 8: out->dst_port = Be16(body); break;
      case 9: out->ts_sec = Be32(body); break;
      case 10: out->ts_usec = Be32(body); break;
      case 11: out->proto_type = body[0]; break;
      case 12: out->capture_id = Be32(body); break;
      case 14: out->auth_key.assign(text()); break;
      case 15:
        out->payload = text();
        have_payload = true;
        break;
      case 17: out->correlation_id.assign(text()); break;
      case 18: out->vlan = Be16(body); break;
      case 19: out->node_name.assign(text()); break;
      default: break;  // unknown, vendor or compressed (16): skipped
    }
    pos += length;
  }
  if (!have_payload) return Fail(DropReason::kMissingField, reason);
  const uint8_t* src = nullptr;
  const uint8_t* dst = nullptr;
  const uint8_t* other_src = nullptr;
  const uint8_t* other_dst = nullptr;
  if (out->ip_family == kFamilyIpv4) {
    src = src4, dst = dst4, other_src = src6, other_dst = dst6;
  } else if (out->ip_family == kFamilyIpv6) {
    src = src6, dst = dst6, other_src = src4, other_dst = dst4;
  } else {
    return Fail(out->ip_family == 0 ? DropReason::kMissingField : DropReason::kBadAddress, reason);
  }
  if (src == nullptr || dst == nullptr) {
    // Addresses of the other family's size rather than none at all: a confused agent.
    const bool mismatched = other_src != nullptr || other_dst != nullptr;
    return Fail(mismatched ? DropReason::kBadAddress : DropReason::kMissingField, reason);
  }
  if (out->ip_family == kFamilyIpv4) {
    FormatIpv4(src, &out->src_ip);
    FormatIpv4(dst, &out->dst_ip);
  } else {
    FormatIpv6(src, &out->src_ip);
    FormatIpv6(dst, &out->dst_ip);
  }
  return true;
}

// HEP v1/v2 (the fixed header of Kamailio's and OpenSIPS' sipcapture): version u8, header length
// u8 (this header and the addresses), family u8, protocol u8, ports u16 BE, addresses; v2 then
// carries the agent's struct timeval32 + capture id in host (little-endian) order, padded to 12.
bool DecodeHep12(std::span<const uint8_t> data, HepPacket* out, DropReason* reason) {
  constexpr size_t kFixedHeader = 8;
  constexpr size_t kTimeHeader = 12;
  if (data.size() < kFixedHeader) return Fail(DropReason::kTruncated, reason);
  const uint8_t* p = data.data();
  out->version = p[0];
  out->ip_family = p[2];
  out->ip_protocol = p[3];
  out->src_port = Be16(p + 4);
  out->dst_port = Be16(p + 6);
  size_t address_size;
  if (out->ip_family == kFamilyIpv4) {
    address_size = 4;
  } else if (out->ip_family == kFamilyIpv6) {
    address_size = 16;
  } else {
    return Fail(DropReason::kBadAddress, reason);
  }
  const size_t header = kFixedHeader + 2 * address_size;
  if (p[1] != header) return Fail(DropReason::kBadLength, reason);
  const size_t body = header + (out->version == 2 ? kTimeHeader : 0);
  if (data.size() < body) return Fail(DropReason::kTruncated, reason);
  if (address_size == 4) {
    FormatIpv4(p + kFixedHeader, &out->src_ip);
    FormatIpv4(p + kFixedHeader + 4, &out->dst_ip);
  } else {
    FormatIpv6(p + kFixedHeader, &out->src_ip);
    FormatIpv6(p + kFixedHeader + 16, &out->dst_ip);
  }
  if (out->version == 2) {
    out->ts_sec = Le32(p + header);
    out->ts_usec = Le32(p + header + 4);
    out->capture_id = Le16(p + header + 8);
  }
  out->proto_type = 1;  // v1/v2 only ever carried SIP
  out->payload = std::string_view(reinterpret_cast<const char*>(p + body), data.size() - body);
  return true;
}

}  // namespace

bool DecodeHep(std::span<const uint8_t> data, bool accept_v1_v2, HepPacket* out, DropReason* reason) {
  Reset(out);
  if (data.size() >= 4 && std::memcmp(data.data(), "HEP3", 4) == 0) return DecodeHep3(data, out, reason);
  if (!data.empty() && (data[0] == 1 || data[0] == 2)) {
    if (!accept_v1_v2) return Fail(DropReason::kBadVersion, reason);
    return DecodeHep12(data, out, reason);
  }
  const bool hep3_prefix = data.size() < 4 && (data.empty() || std::memcmp(data.data(), "HEP3", data.size()) == 0);
  return Fail(hep3_prefix ? DropReason::kTruncated : DropReason::kBadVersion, reason);
}

size_t HepFrameLength(std::span<const uint8_t> data) {
  if (data.size() < kHep3HeaderSize || std::memcmp(data.data(), "HEP3", 4) != 0) return 0;
  const size_t length = Be16(data.data() + 4);
  return length < kHep3HeaderSize ? 0 : length;
}

}  // namespace homer::ingest
