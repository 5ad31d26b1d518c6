#include "ingest/tcp_framer.h"

#include <gtest/gtest.h>

#include "hep_builder.h"

namespace homer::ingest {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::string Text(std::span<const uint8_t> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

TEST(TcpFramerTest, OnePacketFedOneByteAtATime) {
  const std::string packet = hepgen::InvitePacket("one-byte@test");
  TcpFramer framer(65535);
  std::vector<std::span<const uint8_t>> frames;
  for (size_t i = 0; i < packet.size(); ++i) {
    ASSERT_EQ(framer.Feed(Bytes(packet).subspan(i, 1), &frames), TcpFramer::Outcome::kOk);
    if (i + 1 < packet.size()) {
      ASSERT_TRUE(frames.empty()) << i;
      ASSERT_EQ(framer.buffered(), i + 1);
    }
  }
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(Text(frames[0]), packet);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(TcpFramerTest, SeveralPacketsAndAPartOfTheNextInOneRead) {
  const std::string a = hepgen::InvitePacket("a@test"), b = hepgen::InvitePacket("b@test"),
                    c = hepgen::InvitePacket("c@test");
  const std::string stream = a + b + c;
  TcpFramer framer(65535);
  std::vector<std::span<const uint8_t>> frames;
  // a, b and the first 3 bytes of c (less than a header), then the rest of c.
  const size_t cut = a.size() + b.size() + 3;
  ASSERT_EQ(framer.Feed(Bytes(stream).subspan(0, cut), &frames), TcpFramer::Outcome::kOk);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(Text(frames[0]), a);
  EXPECT_EQ(Text(frames[1]), b);
  ASSERT_EQ(framer.Feed(Bytes(stream).subspan(cut), &frames), TcpFramer::Outcome::kOk);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(Text(frames[0]), c);
}

TEST(TcpFramerTest, EveryCutOfTwoPacketsGivesBothBack) {
  const std::string a = hepgen::InvitePacket("cut-a@test"), b = hepgen::InvitePacket("cut-b@test");
  const std::string stream = a + b;
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    TcpFramer framer(65535);
    std::vector<std::span<const uint8_t>> frames;
    std::vector<std::string> got;
    ASSERT_EQ(framer.Feed(Bytes(stream).subspan(0, cut), &frames), TcpFramer::Outcome::kOk);
    for (auto f : frames) got.push_back(Text(f));
    ASSERT_EQ(framer.Feed(Bytes(stream).subspan(cut), &frames), TcpFramer::Outcome::kOk);
    for (auto f : frames) got.push_back(Text(f));
    ASSERT_EQ(got.size(), 2u) << cut;
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
  }
}

TEST(TcpFramerTest, GarbageIsOutOfSyncAfterThePacketsBeforeIt) {
  const std::string a = hepgen::InvitePacket("before-garbage@test");
  TcpFramer framer(65535);
  std::vector<std::span<const uint8_t>> frames;
  const std::string stream = a + "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(framer.Feed(Bytes(stream), &frames), TcpFramer::Outcome::kOutOfSync);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(Text(frames[0]), a);
}

TEST(TcpFramerTest, AHeaderAnnouncingTooMuchOrTooLittle) {
  std::vector<std::span<const uint8_t>> frames;
  TcpFramer small(1000);
  const std::string big = std::string("HEP3") + '\xEA' + '\x60';  // 60000 bytes announced
  EXPECT_EQ(small.Feed(Bytes(big), &frames), TcpFramer::Outcome::kTooLarge);
  TcpFramer framer(65535);
  const std::string tiny = std::string("HEP3") + '\0' + '\x03';  // shorter than its own header
  EXPECT_EQ(framer.Feed(Bytes(tiny), &frames), TcpFramer::Outcome::kOutOfSync);
}

TEST(TcpFramerTest, AHeaderSplitAcrossReadsIsCheckedOnceComplete) {
  TcpFramer framer(1000);
  std::vector<std::span<const uint8_t>> frames;
  const std::string big = std::string("HEP3") + '\xEA' + '\x60';
  EXPECT_EQ(framer.Feed(Bytes(big).subspan(0, 5), &frames), TcpFramer::Outcome::kOk);
  EXPECT_EQ(framer.Feed(Bytes(big).subspan(5), &frames), TcpFramer::Outcome::kTooLarge);
}

}  // namespace
}  // namespace homer::ingest
