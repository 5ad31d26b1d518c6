#include "ingest/capture_record.h"

#include <gtest/gtest.h>

#include <string>

#include "hep_test_util.h"

namespace homer::ingest {
namespace {

using testing::Ipv4Header;
using testing::kInvite;
using testing::Span;

constexpr int64_t kReceived = 1800000000000000;

HepPacket Decode(const std::vector<uint8_t>& bytes) {
  HepPacket packet;
  DropReason reason;
  EXPECT_TRUE(DecodeHep(Span(bytes), true, &packet, &reason)) << DropReasonName(reason);
  return packet;
}

// The packet's payload is a view: the bytes it decodes from live with it.
struct Packet {
  std::vector<uint8_t> bytes;
  HepPacket hep;
};
Packet SipPacket(std::string_view payload, std::string_view correlation_id = {}) {
  auto builder = Ipv4Header();
  if (!correlation_id.empty()) builder.Chunk(17, correlation_id);
  Packet p{builder.Chunk(15, payload).Build(), {}};
  p.hep = Decode(p.bytes);
  return p;
}

CaptureRecord Build(const HepPacket& packet, const SipOptions& options = {}) {
  CaptureRecord record;
  DropReason reason = DropReason::kShutdown;
  EXPECT_TRUE(BuildRecord(packet, options, kReceived, &record, &reason)) << DropReasonName(reason);
  return record;
}

DropReason BuildFails(const HepPacket& packet, const SipOptions& options = {}) {
  CaptureRecord record;
  DropReason reason = DropReason::kShutdown;
  EXPECT_FALSE(BuildRecord(packet, options, kReceived, &record, &reason));
  return reason;
}

TEST(CaptureRecord, InviteFillsEveryColumn) {
  const Packet p = SipPacket(kInvite);
  const CaptureRecord r = Build(p.hep);
  EXPECT_EQ(r.proto_type, 1u);
  EXPECT_EQ(r.effective_method, "INVITE");
  EXPECT_EQ(r.timestamp_us, 1700000000123456);
  EXPECT_EQ(r.uuid.size(), 36u);
  EXPECT_EQ(r.session_id, "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(r.caller, "alice");
  EXPECT_EQ(r.callee, "bob");
  EXPECT_EQ(r.src_ip, "10.0.0.1");
  EXPECT_EQ(r.dst_ip, "192.168.1.200");
  EXPECT_EQ(r.src_port, 5060u);
  EXPECT_EQ(r.dst_port, 5080u);
  EXPECT_EQ(r.method, "INVITE");
  EXPECT_EQ(r.response_code, "");
  EXPECT_EQ(r.cseq_method, "INVITE");
  EXPECT_EQ(r.protocol, 17u);
  EXPECT_EQ(r.node_id, "2001");
  EXPECT_EQ(r.cid, "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(r.aor, "bob@biloxi.example.com");
  EXPECT_EQ(r.contact, "<sip:alice@pc33.atlanta.example.com>");
  EXPECT_EQ(r.expires, "");
  EXPECT_EQ(r.user_agent, "Softphone/1.2");
  EXPECT_EQ(r.payload, kInvite);
  EXPECT_EQ(r.data_extra,
            R"({"version":3,"from_host":"atlanta.example.com","to_host":"biloxi.example.com",)"
            R"("user_agent":"Softphone/1.2",)"
            R"("via":"SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport",)"
            R"("contact":"<sip:alice@pc33.atlanta.example.com>","content_type":"application/sdp",)"
            R"("content_length":"142","cseq":"314159 INVITE","max_forwards":"70",)"
            R"("request_uri":"sip:bob@biloxi.example.com","from_tag":"1928301774","branch":"z9hG4bK776asdhds"})");
}

TEST(CaptureRecord, ResponseCarriesItsStatusAsMethod) {
  const Packet p = SipPacket(
      "SIP/2.0 407 Proxy Authentication Required\r\n"
      "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n"
      "From: <sip:alice@a.example.com>;tag=f1\r\n"
      "To: <sip:bob@b.example.com>;tag=t1\r\n"
      "Call-ID: resp-1\r\n"
      "CSeq: 1 INVITE\r\n"
      "Server: PBX\r\n"
      "X-Call-ID: x-1\r\n"
      "Content-Length: 0\r\n\r\n");
  const CaptureRecord r = Build(p.hep);
  EXPECT_EQ(r.method, "407");
  EXPECT_EQ(r.response_code, "407");
  EXPECT_EQ(r.cseq_method, "INVITE");
  EXPECT_EQ(r.effective_method, "INVITE");
  EXPECT_EQ(r.data_extra,
            R"({"version":3,"from_host":"a.example.com","to_host":"b.example.com","server":"PBX",)"
            R"("via":"SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx","content_length":"0","cseq":"1 INVITE",)"
            R"("response_code":"407","response_reason":"Proxy Authentication Required","from_tag":"f1",)"
            R"("to_tag":"t1","branch":"z9hG4bKx","x_call_id":"x-1"})");
}

TEST(CaptureRecord, RegisterFillsTheRegistrationColumns) {
  const Packet p = SipPacket(
      "REGISTER sip:biloxi.example.com SIP/2.0\r\n"
      "To: <sip:bob@biloxi.example.com>\r\n"
      "From: <sip:bob@biloxi.example.com>;tag=r1\r\n"
      "Call-ID: reg-1\r\n"
      "CSeq: 2 REGISTER\r\n"
      "Contact: <sip:bob@192.0.2.4>\r\n"
      "Expires: 3600\r\n"
      "Authorization: Digest username=\"bob\", realm=\"biloxi\", response=\"x\"\r\n"
      "User-Agent: Phone\r\n\r\n");
  const CaptureRecord r = Build(p.hep);
  EXPECT_EQ(r.effective_method, "REGISTER");
  EXPECT_EQ(r.aor, "bob@biloxi.example.com");
  EXPECT_EQ(r.contact, "<sip:bob@192.0.2.4>");
  EXPECT_EQ(r.expires, "3600");
  EXPECT_EQ(r.user_agent, "Phone");
  EXPECT_EQ(r.data_extra,
            R"({"version":3,"from_host":"biloxi.example.com","to_host":"biloxi.example.com","user_agent":"Phone",)"
            R"("contact":"<sip:bob@192.0.2.4>","authorization":"bob","cseq":"2 REGISTER","expires":"3600",)"
            R"("request_uri":"sip:biloxi.example.com","from_tag":"r1"})");
}

TEST(CaptureRecord, CidPrecedence) {
  const std::string with_aleg =
      "BYE sip:x@y SIP/2.0\r\nCall-ID: main\r\nCSeq: 9 BYE\r\nX-CID: from-header\r\nX-Other: second\r\n\r\n";
  SipOptions options;
  options.aleg_ids = {"X-Missing", "x-cid", "X-Other"};

  EXPECT_EQ(Build(SipPacket(with_aleg).hep).cid, "main");  // no aleg_ids configured
  EXPECT_EQ(Build(SipPacket(with_aleg).hep, options).cid, "from-header");
  EXPECT_EQ(Build(SipPacket(with_aleg, "chunk-17").hep, options).cid, "chunk-17");
  options.force_aleg_id = true;
  EXPECT_EQ(Build(SipPacket(with_aleg, "chunk-17").hep, options).cid, "from-header");
  // Forcing has nothing to force without the header.
  EXPECT_EQ(Build(SipPacket("BYE sip:x SIP/2.0\r\ni: main\r\nCSeq: 9 BYE\r\n\r\n", "chunk-17").hep, options).cid,
            "chunk-17");
  // session_id stays the Call-ID; the aleg headers found are listed in data_extra.
  const CaptureRecord r = Build(SipPacket(with_aleg, "chunk-17").hep, options);
  EXPECT_EQ(r.session_id, "main");
  EXPECT_EQ(r.data_extra,
            R"({"version":3,"cseq":"9 BYE","request_uri":"sip:x@y",)"
            R"("custom_headers":{"x-cid":"from-header","X-Other":"second"}})");
}

TEST(CaptureRecord, CensoredMethodsLoseTheirPayload) {
  SipOptions options;
  options.censored_methods = {"invite"};
  EXPECT_EQ(Build(SipPacket(kInvite).hep, options).payload, "");
  // A response is censored by its CSeq method.
  EXPECT_EQ(Build(SipPacket("SIP/2.0 200 OK\r\ni: c\r\nCSeq: 1 INVITE\r\n\r\nv=0\r\n").hep, options).payload, "");
  const std::string bye = "BYE sip:x SIP/2.0\r\ni: c\r\nCSeq: 2 BYE\r\n\r\n";
  EXPECT_EQ(Build(SipPacket(bye).hep, options).payload, bye);
}

TEST(CaptureRecord, DiscardedMethodsAreDropped) {
  SipOptions options;
  options.discard_methods = {"OPTIONS"};
  EXPECT_EQ(BuildFails(SipPacket("OPTIONS sip:x SIP/2.0\r\ni: c\r\nCSeq: 1 options\r\n\r\n").hep, options),
            DropReason::kDiscarded);
  EXPECT_EQ(BuildFails(SipPacket("SIP/2.0 200 OK\r\ni: c\r\nCSeq: 1 OPTIONS\r\n\r\n").hep, options),
            DropReason::kDiscarded);
  Build(SipPacket(kInvite).hep, options);
}

TEST(CaptureRecord, ZeroTimestampMeansReceiveTime) {
  std::vector<uint8_t> bytes = Ipv4Header(0, 0).Chunk(15, kInvite).Build();
  EXPECT_EQ(Build(Decode(bytes)).timestamp_us, kReceived);
  bytes = Ipv4Header(0, 5).Chunk(15, kInvite).Build();
  EXPECT_EQ(Build(Decode(bytes)).timestamp_us, 5);
  bytes = Ipv4Header(4294967295u, 999999).Chunk(15, kInvite).Build();
  EXPECT_EQ(Build(Decode(bytes)).timestamp_us, 4294967295999999);
}

TEST(CaptureRecord, RefusesInvalidUtf8) {
  const std::string head = "MESSAGE sip:x SIP/2.0\r\ni: c\r\nCSeq: 1 MESSAGE\r\nSubject: ";
  for (std::string bad : {"\xC0\xAF", "\xE0\x80\xAF", "\x80", "\xED\xA0\x80", "\xE2\x82", "\xF4\x90\x80\x80", "\xFF"}) {
    EXPECT_EQ(BuildFails(SipPacket(head + bad + "\r\n\r\n").hep), DropReason::kInvalidUtf8);
    EXPECT_EQ(BuildFails(SipPacket(head + "ok\r\n\r\nbody " + bad).hep), DropReason::kInvalidUtf8);
  }
  EXPECT_EQ(BuildFails(SipPacket(kInvite, "\xC3").hep), DropReason::kInvalidUtf8);  // the correlation id
  const CaptureRecord r = Build(SipPacket(head + "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\r\n\r\n").hep);
  EXPECT_NE(r.payload.find("caf\xC3\xA9"), std::string::npos);
}

TEST(CaptureRecord, SipRefusalsKeepTheirReason) {
  EXPECT_EQ(BuildFails(SipPacket("not sip at all").hep), DropReason::kNotSip);
  EXPECT_EQ(BuildFails(SipPacket("").hep), DropReason::kNotSip);
  EXPECT_EQ(BuildFails(SipPacket("BYE sip:x SIP/2.0\r\nCSeq: 1 BYE\r\n\r\n").hep), DropReason::kSipNoCallId);
  EXPECT_EQ(BuildFails(SipPacket("BYE sip:x SIP/2.0\r\ni: c\r\n\r\n").hep), DropReason::kSipBadCSeq);
}

TEST(CaptureRecord, OtherProtocolsKeepOnlyTheCommonColumns) {
  const std::string rtcp = R"({"type":200,"ssrc":"0x1234","report_count":0})";
  const auto bytes = Ipv4Header().Chunk(17, "call-7@host").U8(11, 5).Chunk(15, rtcp).Build();
  const CaptureRecord r = Build(Decode(bytes));
  EXPECT_EQ(r.proto_type, 5u);
  EXPECT_EQ(r.effective_method, "");
  EXPECT_EQ(r.session_id, "call-7@host");
  EXPECT_EQ(r.cid, "call-7@host");
  EXPECT_EQ(r.method, "");
  EXPECT_EQ(r.caller, "");
  EXPECT_EQ(r.node_id, "2001");
  EXPECT_EQ(r.payload, rtcp);
  EXPECT_EQ(r.data_extra, R"({"version":3,"proto_type":5})");
  // Not parsed as SIP, but still text.
  const auto binary = Ipv4Header().U8(11, 53).Chunk(15, "\x81\x80").Build();
  EXPECT_EQ(BuildFails(Decode(binary)), DropReason::kInvalidUtf8);
}

TEST(CaptureRecord, HepV2RecordsItsVersion) {
  std::vector<uint8_t> bytes = {2, 16, 2, 17, 0x13, 0xc4, 0x13, 0xc4, 10, 0, 0, 1, 10, 0, 0, 2,
                                0x00, 0xf1, 0x53, 0x65, 0, 0, 0, 0, 7, 0, 0, 0};
  const std::string sip = "ACK sip:x SIP/2.0\r\ni: v2\r\nCSeq: 1 ACK\r\n\r\n";
  bytes.insert(bytes.end(), sip.begin(), sip.end());
  const CaptureRecord r = Build(Decode(bytes));
  EXPECT_EQ(r.timestamp_us, int64_t{0x6553f100} * 1000000);
  EXPECT_EQ(r.node_id, "7");
  EXPECT_EQ(r.data_extra, R"({"version":2,"cseq":"1 ACK","request_uri":"sip:x"})");
}

TEST(CaptureRecord, EscapesJson) {
  const Packet p = SipPacket(
      "INVITE sip:x SIP/2.0\r\ni: c\r\nCSeq: 1 INVITE\r\nUser-Agent: Foo \"Bar\" C:\\tools \x01\x1f\r\n"
      "Server: folded\r\n next line\r\n\r\n");
  EXPECT_EQ(Build(p.hep).data_extra,
            R"({"version":3,"user_agent":"Foo \"Bar\" C:\\tools \u0001\u001f","server":"folded\r\n next line",)"
            R"("cseq":"1 INVITE","request_uri":"sip:x"})");
}

TEST(CaptureRecord, UuidsAreRandomVersion4) {
  const Packet p = SipPacket(kInvite);
  const std::string a = Build(p.hep).uuid;
  const std::string b = Build(p.hep).uuid;
  EXPECT_NE(a, b);
  for (const std::string& u : {a, b}) {
    ASSERT_EQ(u.size(), 36u);
    for (size_t i = 0; i < u.size(); ++i) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        EXPECT_EQ(u[i], '-') << u;
      } else {
        EXPECT_TRUE((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f')) << u;
      }
    }
    EXPECT_EQ(u[14], '4') << u;
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
  }
}

}  // namespace
}  // namespace homer::ingest
