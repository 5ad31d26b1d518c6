// The service end to end over real UDP sockets on 127.0.0.1: records, drops and their counters,
// draining on Stop, bind errors, metrics. TCP and HTTP have their own files.
#include "ingest/ingest_service.h"

#include <gtest/gtest.h>

#include "hep_builder.h"
#include "ingest_test_util.h"
#include "ingest/ingest_stats.h"
#include "ingest/socket_util.h"
#include "metrics/registry.h"

namespace homer::ingest {
namespace {

using namespace testing_util;

std::unique_ptr<IngestService> StartOrDie(const config::IngestConfig& config, RecordSink* sink) {
  auto started = IngestService::Start(config, sink);
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return started.ok() ? std::move(*started) : nullptr;
}

TEST(IngestServiceTest, UdpPacketsArriveAsRecords) {
  CollectingSink sink;
  auto service = StartOrDie(LocalConfig(), &sink);
  ASSERT_TRUE(service);
  ASSERT_GT(service->udp_port(), 0);
  UdpClient client(service->udp_port());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(client.Send(hepgen::InvitePacket("udp-" + std::to_string(i) + "@test")));
  ASSERT_TRUE(sink.WaitRecords(100));
  const auto ids = sink.session_ids();
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_TRUE(ids.count("udp-42@test"));
  const auto records = sink.records();
  EXPECT_EQ(records[0].node_id, "2001");
  EXPECT_EQ(records[0].src_ip, "10.0.0.1");
  EXPECT_EQ(records[0].method, "INVITE");
  ASSERT_TRUE(Eventually([&] { return service->counters().decoded == 100; }));  // counted once Write returned
  const auto c = service->counters();
  EXPECT_EQ(c.received_udp, 100u);
  EXPECT_EQ(c.decoded, 100u);
  EXPECT_EQ(AllDropped(c), 0u);
  EXPECT_GT(c.received_bytes, 100u * 600);
}

TEST(IngestServiceTest, ThePacketTimeWinsAndTheReceiveTimeStandsInForNone) {
  CollectingSink sink;
  auto service = StartOrDie(LocalConfig(), &sink);
  ASSERT_TRUE(service);
  UdpClient client(service->udp_port());
  hepgen::Capture timed;
  timed.payload = hepgen::SipInvite("timed@test");
  timed.ts_sec = 1700000000;
  timed.ts_usec = 250;
  hepgen::Capture untimed = timed;
  untimed.payload = hepgen::SipInvite("untimed@test");
  untimed.ts_sec = untimed.ts_usec = 0;
  const int64_t before = NowMicros();
  ASSERT_TRUE(client.Send(hepgen::Encode(timed)));
  ASSERT_TRUE(client.Send(hepgen::Encode(untimed)));
  ASSERT_TRUE(sink.WaitRecords(2));
  for (const auto& r : sink.records()) {
    if (r.session_id == "timed@test") {
      EXPECT_EQ(r.timestamp_us, 1700000000LL * 1000000 + 250);
    } else {
      EXPECT_NEAR(static_cast<double>(r.timestamp_us), static_cast<double>(before), 5e6);
    }
  }
}

TEST(IngestServiceTest, BadPacketsAreCountedByReason) {
  CollectingSink sink;
  auto config = LocalConfig();
  config.max_packet_bytes = 1000;
  auto service = StartOrDie(config, &sink);
  ASSERT_TRUE(service);
  UdpClient client(service->udp_port());
  std::string wrong_length = hepgen::InvitePacket("bad-length@test");
  wrong_length[5] = static_cast<char>(wrong_length[5] + 1);
  hepgen::Capture big;
  big.payload = hepgen::SipInvite("big@test") + std::string(1000, 'x');
  ASSERT_TRUE(client.Send(wrong_length));
  ASSERT_TRUE(client.Send("not hep at all"));
  ASSERT_TRUE(client.Send(hepgen::Encode(big)));
  ASSERT_TRUE(client.Send(hepgen::InvitePacket("good@test")));
  ASSERT_TRUE(sink.WaitRecords(1));
  ASSERT_TRUE(Eventually([&] { return AllDropped(service->counters()) == 3; }));
  const auto c = service->counters();
  EXPECT_EQ(Dropped(c, DropReason::kBadLength), 1u);
  EXPECT_EQ(Dropped(c, DropReason::kTooLarge), 1u);
  EXPECT_EQ(Dropped(c, DropReason::kBadVersion), 1u);
  EXPECT_EQ(c.received_udp, 4u);
  EXPECT_EQ(sink.session_ids(), std::set<std::string>{"good@test"});
}

TEST(IngestServiceTest, AFullQueueDropsAndCounts) {
  CollectingSink sink;
  sink.Hold();
  auto config = LocalConfig();
  config.queue_size = 4;
  auto service = StartOrDie(config, &sink);
  ASSERT_TRUE(service);
  UdpClient client(service->udp_port());
  ASSERT_TRUE(client.Send(hepgen::InvitePacket("first@test")));
  ASSERT_TRUE(sink.WaitHeld());  // the decoder holds "first"; the queue is empty again
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(client.Send(hepgen::InvitePacket("q-" + std::to_string(i) + "@test")));
  ASSERT_TRUE(Eventually([&] {
    const auto c = service->counters();
    return c.received_udp == 21 && Dropped(c, DropReason::kQueueFull) == 16;
  }));
  auto c = service->counters();
  EXPECT_EQ(c.queue_depth, 4u);
  EXPECT_EQ(c.queue_capacity, 4u);
  sink.Release();
  service->Stop();
  c = service->counters();
  EXPECT_EQ(c.decoded, 5u);
  EXPECT_EQ(sink.size(), 5u);
  EXPECT_EQ(AllReceived(c), c.decoded + AllDropped(c));
  // The first four of the burst were queued, the rest dropped.
  EXPECT_EQ(sink.session_ids(), (std::set<std::string>{"first@test", "q-0@test", "q-1@test", "q-2@test", "q-3@test"}));
}

TEST(IngestServiceTest, StopDrainsEveryAcceptedPacketThroughTheSink) {
  struct SlowSink : CollectingSink {
    arrow::Status Write(std::vector<CaptureRecord>& batch) override {
      std::this_thread::sleep_for(2ms);
      return CollectingSink::Write(batch);
    }
  } sink;
  auto config = LocalConfig();
  config.queue_size = 100000;
  auto service = StartOrDie(config, &sink);
  ASSERT_TRUE(service);
  UdpClient client(service->udp_port());
  constexpr int kPackets = 3000;
  for (int i = 0; i < kPackets; ++i) ASSERT_TRUE(client.Send(hepgen::InvitePacket("drain-" + std::to_string(i))));
  ASSERT_TRUE(Eventually([&] { return service->counters().received_udp == kPackets; }));
  service->Stop();
  const auto c = service->counters();
  EXPECT_EQ(c.queue_depth, 0u);
  EXPECT_EQ(AllDropped(c), 0u);
  EXPECT_EQ(c.decoded, static_cast<uint64_t>(kPackets));
  EXPECT_EQ(sink.size(), static_cast<size_t>(kPackets));
  service->Stop();  // idempotent
}

TEST(IngestServiceTest, DatagramsTheKernelDroppedAreCounted) {
  CollectingSink sink;
  auto config = LocalConfig();
  config.udp.receive_buffer_bytes = 1;  // the kernel's minimum: a couple of datagrams
  auto service = StartOrDie(config, &sink);
  ASSERT_TRUE(service);
  UdpClient client(service->udp_port());
  const std::string packet = hepgen::InvitePacket("burst@test");
  constexpr uint64_t kBurst = 3000;
  for (uint64_t i = 0; i < kBurst; ++i) ASSERT_TRUE(client.Send(packet));
  std::this_thread::sleep_for(50ms);
  // The kernel reports its count with the next datagram it delivers.
  ASSERT_TRUE(client.Send(hepgen::InvitePacket("after-burst@test")));
  ASSERT_TRUE(Eventually([&] {
    const auto c = service->counters();
    return c.received_udp + c.udp_socket_drops == kBurst + 1;
  })) << service->counters().received_udp << " received, " << service->counters().udp_socket_drops << " dropped";
  std::printf("[ udp      ] burst of %llu into a minimal buffer: %llu dropped by the kernel\n",
              static_cast<unsigned long long>(kBurst),
              static_cast<unsigned long long>(service->counters().udp_socket_drops));
}

TEST(IngestServiceTest, AFailedWriteCountsEveryRecordOfTheBatch) {
  CollectingSink sink;
  sink.Fail();
  auto service = StartOrDie(LocalConfig(), &sink);
  ASSERT_TRUE(service);
  UdpClient client(service->udp_port());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(client.Send(hepgen::InvitePacket("fail-" + std::to_string(i))));
  ASSERT_TRUE(Eventually([&] { return Dropped(service->counters(), DropReason::kWriterFailed) == 10; }));
  EXPECT_EQ(service->counters().decoded, 0u);
}

TEST(IngestServiceTest, DedupDropsTheSamePayloadWithinTheWindow) {
  CollectingSink sink;
  auto config = LocalConfig();
  config.dedup = true;
  auto service = StartOrDie(config, &sink);
  ASSERT_TRUE(service);
  UdpClient client(service->udp_port());
  // The same SIP message captured twice (another capture id: a second agent), then another.
  hepgen::Capture a;
  a.payload = hepgen::SipInvite("dup@test");
  hepgen::Capture b = a;
  b.capture_id = 2002;
  ASSERT_TRUE(client.Send(hepgen::Encode(a)));
  ASSERT_TRUE(client.Send(hepgen::Encode(b)));
  ASSERT_TRUE(client.Send(hepgen::InvitePacket("other@test")));
  ASSERT_TRUE(Eventually([&] { return service->counters().decoded + AllDropped(service->counters()) == 3; }));
  EXPECT_EQ(Dropped(service->counters(), DropReason::kDuplicate), 1u);
  EXPECT_EQ(sink.session_ids(), (std::set<std::string>{"dup@test", "other@test"}));
}

TEST(IngestServiceTest, IPv6Wildcard) {
  CollectingSink sink;
  auto config = LocalConfig();
  config.udp.host = "::";
  config.tcp.enable = config.http.enable = false;
  auto started = IngestService::Start(config, &sink);
  if (!started.ok()) GTEST_SKIP() << "no IPv6 here: " << started.status().ToString();
  auto service = std::move(*started);
  // "::" takes IPv4 as well, and IPv6 over ::1 when the host has it.
  UdpClient v4(service->udp_port());
  ASSERT_TRUE(v4.Send(hepgen::InvitePacket("v4@test")));
  int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_port = htons(static_cast<uint16_t>(service->udp_port()));
  to.sin6_addr = in6addr_loopback;
  hepgen::Capture c;
  c.payload = hepgen::SipInvite("v6@test");
  c.src_ip = "2001:db8::1";
  c.dst_ip = "2001:db8::2";
  const std::string packet = hepgen::Encode(c);
  const bool sent = ::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)) > 0;
  ::close(fd);
  ASSERT_TRUE(sink.WaitRecords(sent ? 2 : 1));
  if (sent) {
    for (const auto& r : sink.records()) {
      if (r.session_id == "v6@test") {
        EXPECT_EQ(r.src_ip, "2001:db8::1");
      }
    }
  }
}

TEST(IngestServiceTest, ABindFailureNamesTheReceiverTheAddressAndTheKey) {
  CollectingSink sink;
  auto config = LocalConfig();
  for (const char* which : {"udp", "tcp", "http"}) {
    const bool udp = std::string(which) == "udp";
    auto taken = BindSocket("test", "127.0.0.1", 0, udp ? SOCK_DGRAM : SOCK_STREAM);
    ASSERT_TRUE(taken.ok());
    const int port = LocalPort(taken->get());
    auto c = config;
    if (udp) {
      c.udp.port = port;
    } else if (std::string(which) == "tcp") {
      c.tcp.port = port;
    } else {
      c.http.port = port;
    }
    auto started = IngestService::Start(c, &sink);
    ASSERT_FALSE(started.ok()) << which;
    EXPECT_EQ(started.status().message(), std::string("ingest.") + which + ": cannot bind 127.0.0.1:" +
                                              std::to_string(port) + ": Address already in use");
  }
}

TEST(IngestServiceTest, InvalidSettingsAreRefused) {
  CollectingSink sink;
  auto config = LocalConfig();
  config.queue_size = 0;
  EXPECT_TRUE(IngestService::Start(config, &sink).status().IsInvalid());
  EXPECT_TRUE(IngestService::Start(LocalConfig(), nullptr).status().IsInvalid());
}

TEST(IngestServiceTest, PrometheusMetrics) {
  CollectingSink sink;
  {
    auto service = StartOrDie(LocalConfig(), &sink);
    ASSERT_TRUE(service);
    UdpClient client(service->udp_port());
    ASSERT_TRUE(client.Send(hepgen::InvitePacket("metrics@test")));
    ASSERT_TRUE(client.Send("junk"));
    ASSERT_TRUE(Eventually([&] { return service->counters().decoded == 1 && AllDropped(service->counters()) == 1; }));
    const std::string text = metrics::Registry::Default().Render();
    EXPECT_NE(text.find("homer_ingest_packets_received_total{transport=\"udp\"}"), std::string::npos);
    EXPECT_NE(text.find("homer_ingest_packets_dropped_total{reason=\"bad_version\"}"), std::string::npos);
    EXPECT_NE(text.find("homer_ingest_records_decoded_total "), std::string::npos);
    EXPECT_NE(text.find("homer_ingest_queue_depth 0"), std::string::npos);
    EXPECT_NE(text.find("homer_ingest_tcp_connections 0"), std::string::npos);
  }
  EXPECT_EQ(metrics::Registry::Default().Render().find("homer_ingest_queue_depth"), std::string::npos);
}

}  // namespace
}  // namespace homer::ingest
