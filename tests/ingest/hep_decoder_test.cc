#include "ingest/hep_packet.h"

#include <gtest/gtest.h>

#include "hep_test_util.h"

namespace homer::ingest {
namespace {

using testing::HepBuilder;
using testing::Ipv4Header;
using testing::Ipv4Packet;
using testing::Span;

DropReason DecodeFails(const std::vector<uint8_t>& bytes, bool accept_v1_v2 = true) {
  HepPacket packet;
  DropReason reason = DropReason::kShutdown;
  EXPECT_FALSE(DecodeHep(Span(bytes), accept_v1_v2, &packet, &reason));
  return reason;
}

std::string Ip6(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}
const std::string kDb8One = Ip6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
const std::string kDb8Two = Ip6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd});

TEST(HepDecoder, DecodesEveryIpv4Field) {
  const auto bytes = Ipv4Header()
                         .Chunk(14, "secret")
                         .Chunk(17, "corr-1")
                         .U16(18, 42)
                         .Chunk(19, "edge-1")
                         .Chunk(15, "OPTIONS sip:x SIP/2.0\r\n\r\n")
                         .Build();
  HepPacket p;
  DropReason reason;
  ASSERT_TRUE(DecodeHep(Span(bytes), false, &p, &reason));
  EXPECT_EQ(p.version, 3);
  EXPECT_EQ(p.ip_family, 2);
  EXPECT_EQ(p.ip_protocol, 17);
  EXPECT_EQ(p.src_ip, "10.0.0.1");
  EXPECT_EQ(p.dst_ip, "192.168.1.200");
  EXPECT_EQ(p.src_port, 5060);
  EXPECT_EQ(p.dst_port, 5080);
  EXPECT_EQ(p.ts_sec, 1700000000u);
  EXPECT_EQ(p.ts_usec, 123456u);
  EXPECT_EQ(p.proto_type, 1);
  EXPECT_EQ(p.capture_id, 2001u);
  EXPECT_EQ(p.auth_key, "secret");
  EXPECT_EQ(p.correlation_id, "corr-1");
  EXPECT_EQ(p.vlan, 42);
  EXPECT_EQ(p.node_name, "edge-1");
  EXPECT_EQ(p.payload, "OPTIONS sip:x SIP/2.0\r\n\r\n");
  // A view into the datagram, not a copy.
  EXPECT_EQ(reinterpret_cast<const uint8_t*>(p.payload.data()), bytes.data() + bytes.size() - p.payload.size());
}

TEST(HepDecoder, DecodesIpv6) {
  const auto bytes = HepBuilder()
                         .U8(1, 10)
                         .U8(2, 6)
                         .Chunk(5, kDb8One)
                         .Chunk(6, kDb8Two)
                         .U16(7, 5061)
                         .U16(8, 5062)
                         .U8(11, 1)
                         .Chunk(15, "x")
                         .Build();
  HepPacket p;
  DropReason reason;
  ASSERT_TRUE(DecodeHep(Span(bytes), false, &p, &reason));
  EXPECT_EQ(p.ip_family, 10);
  EXPECT_EQ(p.ip_protocol, 6);
  EXPECT_EQ(p.src_ip, "2001:db8::1");
  EXPECT_EQ(p.dst_ip, "2001:db8::abcd");
  EXPECT_EQ(p.src_port, 5061);
  EXPECT_EQ(p.ts_sec, 0u);  // the agent sent no time
}

TEST(HepDecoder, ReusedPacketIsReset) {
  HepPacket p;
  DropReason reason;
  // The payload is a view into the bytes: they must outlive the checks.
  const auto first = Ipv4Header().Chunk(17, "c").Chunk(15, "a").Build();
  const auto second = HepBuilder().U8(1, 2).Ip4(3, 1, 2, 3, 4).Ip4(4, 5, 6, 7, 8).Chunk(15, "b").Build();
  ASSERT_TRUE(DecodeHep(Span(first), false, &p, &reason));
  ASSERT_TRUE(DecodeHep(Span(second), false, &p, &reason));
  EXPECT_EQ(p.correlation_id, "");
  EXPECT_EQ(p.ts_sec, 0u);
  EXPECT_EQ(p.capture_id, 0u);
  EXPECT_EQ(p.src_ip, "1.2.3.4");
  EXPECT_EQ(p.payload, "b");
}

TEST(HepDecoder, SkipsUnknownAndCompressedChunks) {
  const auto bytes =
      Ipv4Header().Chunk(99, "whatever it is").Chunk(0x20, "").Chunk(16, "\x1f\x8b..").Chunk(15, "p").Build();
  HepPacket p;
  DropReason reason;
  ASSERT_TRUE(DecodeHep(Span(bytes), false, &p, &reason));
  EXPECT_EQ(p.payload, "p");
}

TEST(HepDecoder, IgnoresTheVendorId) {
  // As HOMER does: a chunk is read by its type whoever the vendor.
  const auto bytes = Ipv4Header().Chunk(11, std::string(1, '\x05'), -1, 0x0003).Chunk(15, "p").Build();
  HepPacket p;
  DropReason reason;
  ASSERT_TRUE(DecodeHep(Span(bytes), false, &p, &reason));
  EXPECT_EQ(p.proto_type, 5);
}

TEST(HepDecoder, EnforcesEveryFixedChunkSize) {
  const std::pair<uint16_t, size_t> fixed[] = {{1, 1}, {2, 1}, {11, 1}, {7, 2}, {8, 2}, {18, 2}, {3, 4},
                                               {4, 4}, {9, 4}, {10, 4}, {12, 4}, {5, 16}, {6, 16}};
  for (const auto& [type, size] : fixed) {
    for (size_t bad : {size - 1, size + 1}) {
      const auto bytes = Ipv4Header().Chunk(type, std::string(bad, '\x01')).Chunk(15, "x").Build();
      EXPECT_EQ(DecodeFails(bytes), DropReason::kBadChunk) << "type " << type << " size " << bad;
    }
  }
}

TEST(HepDecoder, TotalLengthMustEqualTheDatagram) {
  const auto header_says_more = Ipv4Header().Chunk(15, "x").Build(1);
  EXPECT_EQ(DecodeFails(header_says_more), DropReason::kBadLength);
  const auto header_says_less = Ipv4Header().Chunk(15, "x").Build(-1);
  EXPECT_EQ(DecodeFails(header_says_less), DropReason::kBadLength);
  auto cut = Ipv4Packet("abc");
  cut.pop_back();
  EXPECT_EQ(DecodeFails(cut), DropReason::kBadLength);
}

TEST(HepDecoder, RefusesChunkLengthBelowSix) {
  for (int length : {0, 1, 5}) {
    const auto bytes = Ipv4Header().Chunk(99, "", length).Chunk(15, "x").Build();
    EXPECT_EQ(DecodeFails(bytes), DropReason::kBadChunk) << length;
  }
}

TEST(HepDecoder, RefusesChunkPastTheEnd) {
  const auto bytes = Ipv4Header().Chunk(15, "abc", 6 + 4).Build();
  EXPECT_EQ(DecodeFails(bytes), DropReason::kTruncated);
  const auto half_header = Ipv4Header().Chunk(15, "x").Raw(std::string_view("\0\0\0", 3)).Build();
  EXPECT_EQ(DecodeFails(half_header), DropReason::kTruncated);
}

TEST(HepDecoder, RequiresPayloadAndAddresses) {
  EXPECT_EQ(DecodeFails(Ipv4Header().Build()), DropReason::kMissingField);
  EXPECT_EQ(DecodeFails(HepBuilder().U8(1, 2).Ip4(3, 1, 1, 1, 1).Chunk(15, "x").Build()), DropReason::kMissingField);
  EXPECT_EQ(DecodeFails(HepBuilder().Ip4(3, 1, 1, 1, 1).Ip4(4, 2, 2, 2, 2).Chunk(15, "x").Build()),
            DropReason::kMissingField);  // no family
  // An empty payload chunk is a payload.
  HepPacket p;
  DropReason reason;
  EXPECT_TRUE(DecodeHep(Span(Ipv4Header().Chunk(15, "").Build()), false, &p, &reason));
}

TEST(HepDecoder, RefusesAFamilyWithTheOtherFamilysAddresses) {
  EXPECT_EQ(DecodeFails(HepBuilder().U8(1, 2).Chunk(5, kDb8One).Chunk(6, kDb8Two).Chunk(15, "x").Build()),
            DropReason::kBadAddress);
  EXPECT_EQ(DecodeFails(HepBuilder().U8(1, 10).Ip4(3, 1, 1, 1, 1).Ip4(4, 2, 2, 2, 2).Chunk(15, "x").Build()),
            DropReason::kBadAddress);
  EXPECT_EQ(DecodeFails(HepBuilder().U8(1, 7).Ip4(3, 1, 1, 1, 1).Ip4(4, 2, 2, 2, 2).Chunk(15, "x").Build()),
            DropReason::kBadAddress);
  // An IPv4 address chunk of IPv6 size is a bad chunk first.
  EXPECT_EQ(DecodeFails(HepBuilder().U8(1, 2).Chunk(3, kDb8One).Chunk(15, "x").Build()), DropReason::kBadChunk);
}

TEST(HepDecoder, CarriesTheLargestPayload) {
  const size_t header = Ipv4Header().Build().size();
  const std::string payload(65535 - header - 6, 'a');
  const auto bytes = Ipv4Header().Chunk(15, payload).Build();
  ASSERT_EQ(bytes.size(), 65535u);
  HepPacket p;
  DropReason reason;
  ASSERT_TRUE(DecodeHep(Span(bytes), false, &p, &reason));
  EXPECT_EQ(p.payload.size(), payload.size());
  // One byte more cannot be said in a u16: the length fields wrap and the packet is refused.
  EXPECT_FALSE(DecodeHep(Span(Ipv4Header().Chunk(15, payload + "a").Build()), false, &p, &reason));
}

TEST(HepDecoder, RefusesWhatIsNotHep) {
  EXPECT_EQ(DecodeFails({}), DropReason::kTruncated);
  EXPECT_EQ(DecodeFails({'H', 'E', 'P'}), DropReason::kTruncated);
  EXPECT_EQ(DecodeFails({'H', 'E', 'P', '3', 0}), DropReason::kTruncated);
  const std::string sip = "INVITE sip:a SIP/2.0\r\n";
  EXPECT_EQ(DecodeFails(std::vector<uint8_t>(sip.begin(), sip.end())), DropReason::kBadVersion);
  EXPECT_EQ(DecodeFails({'H', 'E', 'P', '2', 0, 6}), DropReason::kBadVersion);
}

// HEP v1/v2 as Kamailio's siptrace sends it: ports big-endian, v2's time and capture id in the
// sender's (little-endian) order, its time header padded to 12 bytes.
std::vector<uint8_t> HepV12(uint8_t version, uint8_t family, std::string_view addresses, std::string_view payload,
                            int header_length = -1) {
  std::vector<uint8_t> out = {version, static_cast<uint8_t>(header_length >= 0 ? header_length : 8 + addresses.size()),
                              family, 17, 0x13, 0xc4, 0x13, 0xc5};
  out.insert(out.end(), addresses.begin(), addresses.end());
  if (version == 2) {
    const uint8_t time[] = {0x00, 0xf1, 0x53, 0x65, 0x40, 0xe2, 0x01, 0x00, 0xd1, 0x07, 0x00, 0x00};
    out.insert(out.end(), std::begin(time), std::end(time));
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}
const std::string kV4Pair = HepBuilder::Be(10, 1, 2, 3, 10, 4, 5, 6);

TEST(HepDecoder, DecodesHepV1) {
  const auto bytes = HepV12(1, 2, kV4Pair, "SIP/2.0 200 OK\r\n");
  HepPacket p;
  DropReason reason;
  ASSERT_TRUE(DecodeHep(Span(bytes), true, &p, &reason));
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(p.ip_family, 2);
  EXPECT_EQ(p.ip_protocol, 17);
  EXPECT_EQ(p.src_ip, "10.1.2.3");
  EXPECT_EQ(p.dst_ip, "10.4.5.6");
  EXPECT_EQ(p.src_port, 5060);
  EXPECT_EQ(p.dst_port, 5061);
  EXPECT_EQ(p.proto_type, 1);
  EXPECT_EQ(p.ts_sec, 0u);
  EXPECT_EQ(p.payload, "SIP/2.0 200 OK\r\n");
}

TEST(HepDecoder, DecodesHepV2WithTimeAndCaptureId) {
  HepPacket p;
  DropReason reason;
  const auto v4 = HepV12(2, 2, kV4Pair, "BYE");
  ASSERT_TRUE(DecodeHep(Span(v4), true, &p, &reason));
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.ts_sec, 0x6553f100u);
  EXPECT_EQ(p.ts_usec, 123456u);
  EXPECT_EQ(p.capture_id, 2001u);
  EXPECT_EQ(p.payload, "BYE");

  const auto v6 = HepV12(2, 10, kDb8One + kDb8Two, "ACK");
  ASSERT_TRUE(DecodeHep(Span(v6), true, &p, &reason));
  EXPECT_EQ(p.src_ip, "2001:db8::1");
  EXPECT_EQ(p.dst_ip, "2001:db8::abcd");
  EXPECT_EQ(p.payload, "ACK");
}

TEST(HepDecoder, RefusesMalformedHepV1V2) {
  EXPECT_EQ(DecodeFails(HepV12(1, 2, kV4Pair, "x", 40)), DropReason::kBadLength);
  EXPECT_EQ(DecodeFails(HepV12(1, 10, kV4Pair, "x", 40)), DropReason::kTruncated);
  EXPECT_EQ(DecodeFails(HepV12(1, 3, kV4Pair, "x")), DropReason::kBadAddress);
  auto v2 = HepV12(2, 2, kV4Pair, "");
  v2.resize(v2.size() - 1);
  EXPECT_EQ(DecodeFails(v2), DropReason::kTruncated);
  EXPECT_EQ(DecodeFails({1, 16, 2}), DropReason::kTruncated);
}

TEST(HepDecoder, RefusesHepV1V2UnlessAccepted) {
  EXPECT_EQ(DecodeFails(HepV12(1, 2, kV4Pair, "x"), false), DropReason::kBadVersion);
  EXPECT_EQ(DecodeFails(HepV12(2, 2, kV4Pair, "x"), false), DropReason::kBadVersion);
}

TEST(HepDecoder, FrameLength) {
  const auto bytes = Ipv4Packet("payload");
  EXPECT_EQ(HepFrameLength(Span(bytes)), bytes.size());
  EXPECT_EQ(HepFrameLength({bytes.data(), 6}), bytes.size());  // the header is enough
  EXPECT_EQ(HepFrameLength({bytes.data(), 5}), 0u);
  const std::vector<uint8_t> too_short = {'H', 'E', 'P', '3', 0, 5};
  EXPECT_EQ(HepFrameLength(Span(too_short)), 0u);
  const std::vector<uint8_t> not_hep = {'G', 'E', 'T', ' ', '/', ' '};
  EXPECT_EQ(HepFrameLength(Span(not_hep)), 0u);
  EXPECT_EQ(HepFrameLength(Span(HepV12(2, 2, kV4Pair, "x"))), 0u);
}

}  // namespace
}  // namespace homer::ingest
