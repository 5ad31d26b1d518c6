#include "ingest/sip_message.h"

#include <gtest/gtest.h>

#include <string>

#include "hep_test_util.h"

namespace homer::ingest {
namespace {

SipMessage Parse(std::string_view text) {
  SipMessage msg;
  DropReason reason = DropReason::kShutdown;
  EXPECT_TRUE(ParseSip(text, &msg, &reason)) << DropReasonName(reason) << "\n" << text;
  return msg;
}

DropReason ParseFails(std::string_view text) {
  SipMessage msg;
  DropReason reason = DropReason::kShutdown;
  EXPECT_FALSE(ParseSip(text, &msg, &reason)) << text;
  return reason;
}

TEST(SipParser, Invite) {
  const SipMessage m = Parse(testing::kInvite);
  EXPECT_TRUE(m.is_request);
  EXPECT_EQ(m.method, "INVITE");
  EXPECT_EQ(m.request_uri, "sip:bob@biloxi.example.com");
  EXPECT_EQ(m.version, "SIP/2.0");
  EXPECT_EQ(m.status_code, 0);
  EXPECT_EQ(m.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
  EXPECT_EQ(m.from.user, "alice");
  EXPECT_EQ(m.from.host, "atlanta.example.com");
  EXPECT_EQ(m.from.tag, "1928301774");
  EXPECT_EQ(m.to.user, "bob");
  EXPECT_EQ(m.to.host, "biloxi.example.com");
  EXPECT_EQ(m.to.tag, "");
  EXPECT_EQ(m.cseq, "314159 INVITE");
  EXPECT_EQ(m.cseq_method, "INVITE");
  EXPECT_EQ(m.contact, "<sip:alice@pc33.atlanta.example.com>");
  EXPECT_EQ(m.via, "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport");
  EXPECT_EQ(m.branch, "z9hG4bK776asdhds");
  EXPECT_EQ(m.max_forwards, "70");
  EXPECT_EQ(m.user_agent, "Softphone/1.2");
  EXPECT_EQ(m.content_type, "application/sdp");
  EXPECT_EQ(m.content_length, "142");
  EXPECT_EQ(m.effective_method(), "INVITE");
  // Only the headers without a field of their own; the SDP body is not read as headers.
  ASSERT_EQ(m.other_headers.size(), 2u);
  EXPECT_EQ(m.other_headers[0].first, "Allow");
  EXPECT_EQ(m.other_headers[0].second, "INVITE, ACK, CANCEL, BYE, OPTIONS");
  EXPECT_EQ(m.other_headers[1].first, "Supported");
}

TEST(SipParser, ResponseRoutesByCSeqMethod) {
  const SipMessage m = Parse(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bKnashds8;received=192.0.2.3\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
      "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710\r\n"
      "CSeq: 314159 INVITE\r\n"
      "Server: Biloxi PBX 4.0\r\n"
      "Content-Length: 0\r\n"
      "\r\n");
  EXPECT_FALSE(m.is_request);
  EXPECT_EQ(m.status_code, 200);
  EXPECT_EQ(m.reason, "OK");
  EXPECT_EQ(m.method, "");
  EXPECT_EQ(m.effective_method(), "INVITE");
  EXPECT_EQ(m.server, "Biloxi PBX 4.0");
  EXPECT_EQ(m.to.tag, "a6c85cf");
  EXPECT_EQ(m.branch, "z9hG4bKnashds8");  // the first Via only
  EXPECT_TRUE(m.other_headers.empty());

  const SipMessage busy = Parse("SIP/2.0 486 Busy Here\r\ni: x\r\nCSeq: 1 INVITE\r\n\r\n");
  EXPECT_EQ(busy.status_code, 486);
  EXPECT_EQ(busy.reason, "Busy Here");
  const SipMessage no_reason = Parse("SIP/2.0 180\r\ni: x\r\nCSeq: 1 INVITE\r\n\r\n");
  EXPECT_EQ(no_reason.status_code, 180);
  EXPECT_EQ(no_reason.reason, "");
}

TEST(SipParser, RegisterWithContactExpiresAndCredentials) {
  const SipMessage m = Parse(
      "REGISTER sip:registrar.biloxi.example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7\r\n"
      "Max-Forwards: 70\r\n"
      "To: Bob <sip:bob@biloxi.example.com>\r\n"
      "From: Bob <sip:bob@biloxi.example.com>;tag=456248\r\n"
      "Call-ID: 843817637684230@998sdasdh09\r\n"
      "CSeq: 1826 REGISTER\r\n"
      "Contact: <sip:bob@192.0.2.4>;expires=7200\r\n"
      "Expires: 7200\r\n"
      "Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"ea9c8e88\", "
      "uri=\"sip:biloxi.example.com\", response=\"dfe56131d1958046689d83306477ecc\"\r\n"
      "Content-Length: 0\r\n"
      "\r\n");
  EXPECT_EQ(m.method, "REGISTER");
  EXPECT_EQ(m.contact, "<sip:bob@192.0.2.4>;expires=7200");
  EXPECT_EQ(m.expires, "7200");
  EXPECT_EQ(m.authorization_user, "bob");
  EXPECT_TRUE(m.authorization.starts_with("Digest username=\"bob\""));

  const SipMessage proxy = Parse(
      "INVITE sip:x@y SIP/2.0\r\ni: c\r\nCSeq: 2 INVITE\r\n"
      "Proxy-Authorization: Digest realm=\"y\", Username = carol , nonce=\"n\"\r\n\r\n");
  EXPECT_EQ(proxy.authorization_user, "carol");
}

TEST(SipParser, CompactFormsAndAnyCase) {
  const SipMessage m = Parse(
      "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n"
      "v: SIP/2.0/TCP pc33.atlanta.example.com;BRANCH=z9hG4bKhjhs8ass877\r\n"
      "t: <sip:carol@chicago.example.com>\r\n"
      "f: Alice <sip:alice@atlanta.example.com>;TAG=1928301774\r\n"
      "i: a84b4c76e66710\r\n"
      "CSEQ: 63104 OPTIONS\r\n"
      "m: <sip:alice@pc33.atlanta.example.com>\r\n"
      "k: path, gruu\r\n"
      "c: application/sdp\r\n"
      "l: 0\r\n"
      "user-AGENT: lower\r\n"
      "\r\n");
  EXPECT_EQ(m.call_id, "a84b4c76e66710");
  EXPECT_EQ(m.from.user, "alice");
  EXPECT_EQ(m.from.tag, "1928301774");
  EXPECT_EQ(m.to.user, "carol");
  EXPECT_EQ(m.cseq_method, "OPTIONS");
  EXPECT_EQ(m.contact, "<sip:alice@pc33.atlanta.example.com>");
  EXPECT_EQ(m.branch, "z9hG4bKhjhs8ass877");
  EXPECT_EQ(m.content_type, "application/sdp");
  EXPECT_EQ(m.content_length, "0");
  EXPECT_EQ(m.user_agent, "lower");
  ASSERT_EQ(m.other_headers.size(), 1u);  // k (Supported) has no field
  EXPECT_EQ(m.other_headers[0].first, "k");
}

TEST(SipParser, TwoLetterHeadersAreNotTo) {
  // HOMER read any two-letter header name as To.
  const SipMessage m =
      Parse("BYE sip:x@y SIP/2.0\r\nXy: <sip:mallory@evil>\r\nTo: <sip:bob@b>\r\ni: c\r\nCSeq: 3 BYE\r\n\r\n");
  EXPECT_EQ(m.to.user, "bob");
  ASSERT_EQ(m.other_headers.size(), 1u);
  EXPECT_EQ(m.other_headers[0].first, "Xy");
}

TEST(SipParser, FoldedHeaders) {
  const std::string text =
      "INVITE sip:x@y SIP/2.0\r\n"
      "Subject: I know you're there,\r\n"
      "         pick up the phone\r\n"
      "\tand talk to me!\r\n"
      "To: Bob\r\n"
      " <sip:bob@biloxi.example.com>;tag=77\r\n"
      "Call-ID:\r\n"
      "  folded-call-id\r\n"
      "CSeq: 4 INVITE\r\n"
      "\r\n";
  const SipMessage m = Parse(text);
  ASSERT_EQ(m.other_headers.size(), 1u);
  EXPECT_EQ(m.other_headers[0].second, "I know you're there,\r\n         pick up the phone\r\n\tand talk to me!");
  EXPECT_EQ(m.to.user, "bob");
  EXPECT_EQ(m.to.tag, "77");
  EXPECT_EQ(m.call_id, "folded-call-id");
}

TEST(SipParser, BareLineFeedsAndNoBlankLine) {
  const SipMessage m = Parse("ACK sip:x@y SIP/2.0\nCall-ID: lf\nCSeq: 5 ACK\nFrom: <sip:a@b>;tag=1\nTo: <sip:c@d>");
  EXPECT_EQ(m.call_id, "lf");
  EXPECT_EQ(m.cseq_method, "ACK");
  EXPECT_EQ(m.to.host, "d");
  const SipMessage spaced =
      Parse("ACK sip:x@y SIP/2.0\r\nCall-ID : spaced \r\nCSeq:5 ACK\r\n\r\nbody: not a header\r\n");
  EXPECT_EQ(spaced.call_id, "spaced");
  EXPECT_TRUE(spaced.other_headers.empty());
}

TEST(SipParser, UriForms) {
  const SipMessage m = Parse(
      "INVITE sip:x@y SIP/2.0\r\n"
      "From: \"A <quoted> @ name\" <sips:alice:secret@[2001:db8::1]:5061;transport=tls>;tag=v6\r\n"
      "To: sip:bob@[2001:db8::2];tag=bare\r\n"
      "Call-ID: c\r\nCSeq: 6 INVITE\r\n\r\n");
  EXPECT_EQ(m.from.user, "alice");
  EXPECT_EQ(m.from.host, "2001:db8::1");
  EXPECT_EQ(m.from.tag, "v6");
  EXPECT_EQ(m.to.user, "bob");
  EXPECT_EQ(m.to.host, "2001:db8::2");
  EXPECT_EQ(m.to.tag, "bare");

  const SipMessage tel = Parse(
      "INVITE tel:+15551234567 SIP/2.0\r\n"
      "From: <sip:+15550001111;npdi@gw.example.com:5060;user=phone>;tag=t\r\n"
      "To: <tel:+15551234567;phone-context=example.com>\r\n"
      "Call-ID: c\r\nCSeq: 7 INVITE\r\n\r\n");
  EXPECT_EQ(tel.request_uri, "tel:+15551234567");
  EXPECT_EQ(tel.from.user, "+15550001111;npdi");
  EXPECT_EQ(tel.from.host, "gw.example.com");
  EXPECT_EQ(tel.to.user, "+15551234567");
  EXPECT_EQ(tel.to.host, "");

  const SipMessage hostonly =
      Parse("OPTIONS sip:a SIP/2.0\r\nTo: <sip:example.com:5060>\r\ni: c\r\nCSeq: 1 OPTIONS\r\n\r\n");
  EXPECT_EQ(hostonly.to.user, "");
  EXPECT_EQ(hostonly.to.host, "example.com");
}

TEST(SipParser, CommaSeparatedViaKeepsTheFirst) {
  const SipMessage m = Parse(
      "BYE sip:x@y SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2\r\n"
      "i: c\r\nCSeq: 8 BYE\r\n\r\n");
  EXPECT_EQ(m.via, "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
  EXPECT_EQ(m.branch, "z9hG4bK1");
}

TEST(SipParser, RequiresCallId) {
  EXPECT_EQ(ParseFails("INVITE sip:x@y SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n"), DropReason::kSipNoCallId);
  EXPECT_EQ(ParseFails("INVITE sip:x@y SIP/2.0\r\nCall-ID:   \r\nCSeq: 1 INVITE\r\n\r\n"), DropReason::kSipNoCallId);
  // After the blank line it is body, not a header.
  EXPECT_EQ(ParseFails("INVITE sip:x@y SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\nCall-ID: body\r\n"), DropReason::kSipNoCallId);
}

TEST(SipParser, RequiresAUsableCSeq) {
  EXPECT_EQ(ParseFails("INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\n\r\n"), DropReason::kSipBadCSeq);
  EXPECT_EQ(ParseFails("INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 BY\r\n\r\n"), DropReason::kSipBadCSeq);
  EXPECT_EQ(ParseFails("INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: INVITE\r\n\r\n"), DropReason::kSipBadCSeq);
  EXPECT_EQ(ParseFails("INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: 1\r\n\r\n"), DropReason::kSipBadCSeq);
  EXPECT_EQ(Parse("BYE sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 BYE\r\n\r\n").cseq_method, "BYE");
}

TEST(SipParser, RefusesWhatIsNotSip) {
  const std::string_view not_sip[] = {
      "",
      "hello world",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "INVITE sip:x@y HTTP/1.1\r\n",
      "INVITE SIP/2.0\r\n",
      "SIP/2.0 abc OK\r\n",
      "SIP/2.0 20 OK\r\n",
      "SIP/2.0 2000 OK\r\n",
      "SIP/2.0 700 Bad\r\n",
      "IN(VITE sip:x SIP/2.0\r\n",
      "\r\nINVITE sip:x SIP/2.0",
      std::string_view("\x80\x01\x00\xff binary", 12),
  };
  for (std::string_view text : not_sip) {
    EXPECT_EQ(ParseFails(text), DropReason::kNotSip) << text;
  }
}

TEST(SipParser, ReusedMessageIsReset) {
  SipMessage m;
  DropReason reason;
  ASSERT_TRUE(ParseSip(testing::kInvite, &m, &reason));
  ASSERT_TRUE(ParseSip("SIP/2.0 100 Trying\r\ni: other\r\nCSeq: 1 INVITE\r\n\r\n", &m, &reason));
  EXPECT_EQ(m.call_id, "other");
  EXPECT_EQ(m.method, "");
  EXPECT_EQ(m.from.user, "");
  EXPECT_EQ(m.user_agent, "");
  EXPECT_TRUE(m.other_headers.empty());
}

TEST(SipParser, FindsHeadersByAnyName) {
  const SipMessage m = Parse(
      "INVITE sip:x@y SIP/2.0\r\nCall-ID: main\r\nCSeq: 1 INVITE\r\nX-CID: aleg-1\r\nX-Call-ID: aleg-2\r\n"
      "P-Asserted-Identity: <sip:pai@y>\r\n\r\n");
  EXPECT_EQ(FindSipHeader(m, "x-cid"), "aleg-1");
  EXPECT_EQ(FindSipHeader(m, "X-CALL-ID"), "aleg-2");
  EXPECT_EQ(FindSipHeader(m, "i"), "main");
  EXPECT_EQ(FindSipHeader(m, "P-Asserted-Identity"), "<sip:pai@y>");
  EXPECT_EQ(FindSipHeader(m, "X-Missing"), "");
  EXPECT_EQ(FindSipHeader(m, ""), "");
}

}  // namespace
}  // namespace homer::ingest
