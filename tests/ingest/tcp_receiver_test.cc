// ingest.tcp over real connections on 127.0.0.1.
#include <gtest/gtest.h>

#include "hep_builder.h"
#include "ingest_test_util.h"

namespace homer::ingest {
namespace {

using namespace testing_util;

class TcpReceiverTest : public ::testing::Test {
 protected:
  void Start(config::IngestConfig config = LocalConfig()) {
    config.udp.enable = config.http.enable = false;
    auto started = IngestService::Start(config, &sink_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    service_ = std::move(*started);
    port_ = service_->tcp_port();
    ASSERT_GT(port_, 0);
  }
  IngestCounters counters() const { return service_->counters(); }

  CollectingSink sink_;
  std::unique_ptr<IngestService> service_;
  int port_ = 0;
};

TEST_F(TcpReceiverTest, OnePacketInOneByteWrites) {
  Start();
  TcpClient client(port_);
  ASSERT_TRUE(client.connected());
  const std::string packet = hepgen::InvitePacket("bytes@test");
  for (char c : packet) {
    ASSERT_TRUE(client.Send(std::string(1, c)));
    if (c == packet[10]) std::this_thread::sleep_for(1ms);  // now and then a separate segment for sure
  }
  ASSERT_TRUE(sink_.WaitRecords(1));
  EXPECT_EQ(sink_.session_ids(), std::set<std::string>{"bytes@test"});
  EXPECT_EQ(counters().received_tcp, 1u);
}

TEST_F(TcpReceiverTest, ThreePacketsInOneWrite) {
  Start();
  TcpClient client(port_);
  ASSERT_TRUE(client.Send(hepgen::InvitePacket("t1@test") + hepgen::InvitePacket("t2@test") +
                          hepgen::InvitePacket("t3@test")));
  ASSERT_TRUE(sink_.WaitRecords(3));
  EXPECT_EQ(sink_.session_ids(), (std::set<std::string>{"t1@test", "t2@test", "t3@test"}));
  EXPECT_EQ(counters().tcp_connections, 1u);
}

TEST_F(TcpReceiverTest, GarbageClosesTheConnectionAndCounts) {
  Start();
  TcpClient client(port_);
  ASSERT_TRUE(client.Send(hepgen::InvitePacket("before@test") + "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(client.WaitClosedByServer());
  ASSERT_TRUE(sink_.WaitRecords(1));
  ASSERT_TRUE(Eventually([&] { return counters().tcp_connections == 0; }));
  const auto c = counters();
  EXPECT_EQ(Dropped(c, DropReason::kTcpOutOfSync), 1u);
  EXPECT_EQ(c.received_tcp, 2u);
  // Another connection is served as before.
  TcpClient next(port_);
  ASSERT_TRUE(next.Send(hepgen::InvitePacket("after@test")));
  ASSERT_TRUE(sink_.WaitRecords(2));
}

TEST_F(TcpReceiverTest, AFrameLongerThanTheLimitClosesTheConnection) {
  auto config = LocalConfig();
  config.max_packet_bytes = 1000;
  Start(config);
  TcpClient client(port_);
  ASSERT_TRUE(client.Send(std::string("HEP3") + '\xEA' + '\x60' + std::string(100, 'x')));
  EXPECT_TRUE(client.WaitClosedByServer());
  ASSERT_TRUE(Eventually([&] { return Dropped(counters(), DropReason::kTooLarge) == 1; }));
}

TEST_F(TcpReceiverTest, APacketCutShortByTheSenderIsCountedTruncated) {
  Start();
  {
    TcpClient client(port_);
    const std::string packet = hepgen::InvitePacket("cut@test");
    ASSERT_TRUE(client.Send(packet.substr(0, packet.size() / 2)));
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(Eventually([&] { return Dropped(counters(), DropReason::kTruncated) == 1; }));
  ASSERT_TRUE(Eventually([&] { return counters().tcp_connections == 0; }));
}

TEST_F(TcpReceiverTest, ASilentConnectionIsClosedAfterTheIdleTimeout) {
  auto config = LocalConfig();
  config.tcp.idle_timeout_sec = 1;
  Start(config);
  TcpClient silent(port_), talking(port_);
  ASSERT_TRUE(Eventually([&] { return counters().tcp_connections == 2; }));
  const auto t0 = std::chrono::steady_clock::now();
  // The talking one keeps sending and stays open.
  for (int i = 0; i < 6; ++i) {
    std::this_thread::sleep_for(250ms);
    ASSERT_TRUE(talking.Send(hepgen::InvitePacket("alive-" + std::to_string(i))));
  }
  EXPECT_TRUE(silent.WaitClosedByServer(3s));
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 3s);
  EXPECT_EQ(counters().tcp_connections, 1u);
  ASSERT_TRUE(sink_.WaitRecords(6));
}

TEST_F(TcpReceiverTest, ManyConnectionsAtOnce) {
  Start();
  constexpr int kConnections = 200;
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<TcpClient>(port_));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  // Every connection sends half a packet, then every one the rest: the receiver holds 200 partial packets.
  std::vector<std::string> packets;
  for (int i = 0; i < kConnections; ++i) packets.push_back(hepgen::InvitePacket("conn-" + std::to_string(i)));
  for (int i = 0; i < kConnections; ++i) ASSERT_TRUE(clients[i]->Send(packets[i].substr(0, 100)));
  ASSERT_TRUE(Eventually([&] { return counters().tcp_connections == kConnections; }));
  for (int i = 0; i < kConnections; ++i) ASSERT_TRUE(clients[i]->Send(packets[i].substr(100)));
  ASSERT_TRUE(sink_.WaitRecords(kConnections));
  EXPECT_EQ(sink_.session_ids().size(), static_cast<size_t>(kConnections));
  clients.clear();
  ASSERT_TRUE(Eventually([&] { return counters().tcp_connections == 0; }));
  EXPECT_EQ(AllDropped(counters()), 0u);
}

TEST_F(TcpReceiverTest, ConnectionsPastTheLimitAreRefused) {
  auto config = LocalConfig();
  config.tcp.max_connections = 3;
  Start(config);
  std::vector<std::unique_ptr<TcpClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<TcpClient>(port_));
  ASSERT_TRUE(Eventually([&] { return counters().tcp_connections == 3; }));
  TcpClient extra(port_);
  EXPECT_TRUE(extra.WaitClosedByServer());
  EXPECT_EQ(counters().tcp_refused, 1u);
  // Once one closes, a new one is taken.
  clients.pop_back();
  ASSERT_TRUE(Eventually([&] { return counters().tcp_connections == 2; }));
  TcpClient again(port_);
  ASSERT_TRUE(again.Send(hepgen::InvitePacket("again@test")));
  ASSERT_TRUE(sink_.WaitRecords(1));
}

TEST_F(TcpReceiverTest, StopClosesOpenConnections) {
  Start();
  TcpClient client(port_);
  ASSERT_TRUE(client.Send(hepgen::InvitePacket("stop@test")));
  ASSERT_TRUE(Eventually([&] { return counters().received_tcp == 1; }));
  service_->Stop();
  EXPECT_TRUE(client.WaitClosedByServer(1s));
  EXPECT_EQ(sink_.size(), 1u);
  EXPECT_EQ(counters().tcp_connections, 0u);
}

}  // namespace
}  // namespace homer::ingest
