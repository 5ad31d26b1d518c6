#include "ingest/packet_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace homer::ingest {
namespace {

using std::chrono::milliseconds;

std::span<const uint8_t> Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

TEST(PacketQueueTest, PopsInOrderWithTimeAndTransport) {
  PacketQueue q(10);
  ASSERT_TRUE(q.TryPush(Bytes("one"), Transport::kUdp, 11));
  ASSERT_TRUE(q.TryPush(Bytes("two"), Transport::kTcp, 22));
  ASSERT_TRUE(q.TryPush(Bytes("three"), Transport::kHttp, 33));
  EXPECT_EQ(q.size(), 3u);
  std::vector<RawPacket> out;
  ASSERT_TRUE(q.PopBatch(&out, 2, milliseconds(0)));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].bytes, "one");
  EXPECT_EQ(out[0].received_us, 11);
  EXPECT_EQ(out[0].transport, Transport::kUdp);
  EXPECT_EQ(out[1].bytes, "two");
  EXPECT_EQ(out[1].transport, Transport::kTcp);
  ASSERT_TRUE(q.PopBatch(&out, 2, milliseconds(0)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, "three");
  EXPECT_EQ(out[0].transport, Transport::kHttp);
  EXPECT_EQ(q.size(), 0u);
}

TEST(PacketQueueTest, RefusesWhenFullAndTakesThePrefixOfABatch) {
  PacketQueue q(3);
  EXPECT_TRUE(q.TryPush(Bytes("a"), Transport::kUdp, 1));
  const std::string b = "b", c = "c", d = "d";
  const PacketView batch[] = {{Bytes(b), 2}, {Bytes(c), 3}, {Bytes(d), 4}};
  EXPECT_EQ(q.TryPushBatch(batch, Transport::kUdp), 2u);
  EXPECT_FALSE(q.TryPush(Bytes("e"), Transport::kUdp, 5));
  std::vector<RawPacket> out;
  ASSERT_TRUE(q.PopBatch(&out, 10, milliseconds(0)));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].bytes, "c");
  EXPECT_EQ(out[2].received_us, 3);
  EXPECT_TRUE(q.TryPush(Bytes("f"), Transport::kUdp, 6));  // room again
}

TEST(PacketQueueTest, TimesOutEmptyAndEndsOnceClosedAndDrained) {
  PacketQueue q(4);
  std::vector<RawPacket> out;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(q.PopBatch(&out, 4, milliseconds(30)));
  EXPECT_TRUE(out.empty());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(25));

  ASSERT_TRUE(q.TryPush(Bytes("last"), Transport::kUdp, 1));
  q.Close();
  EXPECT_FALSE(q.TryPush(Bytes("late"), Transport::kUdp, 2));
  ASSERT_TRUE(q.PopBatch(&out, 4, milliseconds(1000)));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, "last");
  EXPECT_FALSE(q.PopBatch(&out, 4, milliseconds(1000)));
}

TEST(PacketQueueTest, CloseWakesAWaitingConsumer) {
  PacketQueue q(4);
  std::thread closer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    q.Close();
  });
  std::vector<RawPacket> out;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.PopBatch(&out, 4, milliseconds(5000)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(2000));
  closer.join();
}

TEST(PacketQueueTest, GrowsPastItsFirstRingAndReusesBuffersWithoutMixingBytes) {
  PacketQueue q(5000);
  std::vector<RawPacket> out;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5000; ++i) {
      // Sizes vary so that a reused buffer is sometimes larger, sometimes smaller.
      const std::string s = std::to_string(round) + ":" + std::string(static_cast<size_t>((i * 37 + round) % 900), 'x');
      ASSERT_TRUE(q.TryPush(Bytes(s), Transport::kUdp, i));
    }
    EXPECT_FALSE(q.TryPush(Bytes("full"), Transport::kUdp, 0));
    int seen = 0;
    while (seen < 5000) {
      ASSERT_TRUE(q.PopBatch(&out, 700, milliseconds(0)));
      for (const auto& p : out) {
        const std::string want =
            std::to_string(round) + ":" + std::string(static_cast<size_t>((seen * 37 + round) % 900), 'x');
        ASSERT_EQ(p.bytes, want);
        ASSERT_EQ(p.received_us, seen);
        ++seen;
      }
    }
  }
}

TEST(PacketQueueTest, ManyProducersOneConsumerLoseNothingAndKeepEachProducersOrder) {
  constexpr int kProducers = 4, kEach = 50000;
  PacketQueue q(1024);
  std::atomic<int> refused{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        const std::string s = std::to_string(p) + "/" + std::to_string(i);
        while (!q.TryPush(Bytes(s), Transport::kUdp, i)) {
          refused.fetch_add(1);
          std::this_thread::yield();
        }
      }
    });
  }
  std::vector<int> next(kProducers, 0);
  std::vector<RawPacket> out;
  int total = 0;
  while (total < kProducers * kEach) {
    ASSERT_TRUE(q.PopBatch(&out, 256, milliseconds(1000)));
    for (const auto& packet : out) {
      const auto slash = packet.bytes.find('/');
      const int p = std::stoi(packet.bytes.substr(0, slash));
      ASSERT_EQ(std::stoi(packet.bytes.substr(slash + 1)), next[p]) << "producer " << p;
      ++next[p];
      ++total;
    }
  }
  for (auto& t : producers) t.join();
  EXPECT_EQ(q.size(), 0u);
}

/// The receivers push in batches (UDP: one per recvmmsg) or one by one (TCP, HTTP); the decoder
/// pops batches. Both rates must be far above 200,000 packets/s.
TEST(PacketQueueTest, ThroughputOfBatchedAndSinglePushes) {
  constexpr int kPackets = 2000000;
  const std::string packet(700, 'p');
  for (const bool batched : {true, false}) {
    PacketQueue q(200000);
    int64_t popped = 0;
    std::thread consumer([&] {
      std::vector<RawPacket> out;
      while (q.PopBatch(&out, 1024, milliseconds(100))) popped += static_cast<int64_t>(out.size());
    });
    const auto t0 = std::chrono::steady_clock::now();
    int64_t pushed = 0, refused = 0;
    std::vector<PacketView> views(64, PacketView{Bytes(packet), 1});
    while (pushed < kPackets) {
      const size_t n = batched ? q.TryPushBatch(views, Transport::kUdp) : q.TryPush(Bytes(packet), Transport::kUdp, 1);
      pushed += static_cast<int64_t>(n);
      if (n == 0) {
        ++refused;
        std::this_thread::yield();
      }
    }
    q.Close();
    consumer.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = static_cast<double>(pushed) / seconds;
    std::printf("[ queue    ] %s push of 700-byte packets: %.0f packets/s through push + pop (%lld full refusals)\n",
                batched ? "batched (64)" : "single", rate, static_cast<long long>(refused));
    EXPECT_EQ(popped, pushed);
    if (!kSanitized) {
      EXPECT_GT(rate, 200000.0);
    }
  }
}

}  // namespace
}  // namespace homer::ingest
