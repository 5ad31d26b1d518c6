// ingest.http: POST /api/hep and GET /health on 127.0.0.1, with cpp-httplib's client.
#include <gtest/gtest.h>
#include <httplib.h>

#include "hep_builder.h"
#include "ingest_test_util.h"

namespace homer::ingest {
namespace {

using namespace testing_util;

class HttpReceiverTest : public ::testing::Test {
 protected:
  void Start(config::IngestConfig config = LocalConfig()) {
    config.udp.enable = config.tcp.enable = false;
    auto started = IngestService::Start(config, &sink_);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    service_ = std::move(*started);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", service_->http_port());
  }
  httplib::Result Post(const std::string& body, const std::string& token = "") {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client_->Post("/api/hep", headers, body, "application/octet-stream");
  }
  IngestCounters counters() const { return service_->counters(); }

  CollectingSink sink_;
  std::unique_ptr<IngestService> service_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpReceiverTest, APostedPacketIsAccepted) {
  Start();
  auto res = Post(hepgen::InvitePacket("http@test"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"accepted":1})");
  ASSERT_TRUE(sink_.WaitRecords(1));
  EXPECT_EQ(sink_.session_ids(), std::set<std::string>{"http@test"});
  EXPECT_EQ(counters().received_http, 1u);
  // Keep-alive: more packets on the same connection.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Post(hepgen::InvitePacket("more-" + std::to_string(i)))->status, 200);
  ASSERT_TRUE(sink_.WaitRecords(21));
}

TEST_F(HttpReceiverTest, TheTokenIsRequiredButNotForHealth) {
  auto config = LocalConfig();
  config.http.auth_token = "s3cret";
  Start(config);
  EXPECT_EQ(Post(hepgen::InvitePacket("a@test"))->status, 401);
  EXPECT_EQ(Post(hepgen::InvitePacket("b@test"), "wrong")->status, 401);
  EXPECT_EQ(Post(hepgen::InvitePacket("c@test"), "s3cre")->status, 401);
  httplib::Headers lower = {{"Authorization", "bearer  s3cret "}};
  EXPECT_EQ(client_->Post("/api/hep", lower, hepgen::InvitePacket("d@test"), "application/octet-stream")->status, 200);
  EXPECT_EQ(Post(hepgen::InvitePacket("e@test"), "s3cret")->status, 200);
  EXPECT_EQ(client_->Get("/nowhere")->status, 401);  // routes are not listed to strangers
  auto health = client_->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok","module":"ingest"})");
  ASSERT_TRUE(sink_.WaitRecords(2));
  EXPECT_EQ(sink_.session_ids(), (std::set<std::string>{"d@test", "e@test"}));
  EXPECT_EQ(counters().received_http, 2u);
}

TEST_F(HttpReceiverTest, RoutesAndMethods) {
  Start();
  EXPECT_EQ(client_->Get("/nowhere")->status, 404);
  auto get = client_->Get("/api/hep");
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  EXPECT_EQ(client_->Post("/health", "", "text/plain")->status, 405);
}

TEST_F(HttpReceiverTest, AnOversizedBodyIsRefusedBeforeItIsRead) {
  auto config = LocalConfig();
  config.http.max_body_bytes = 2000;
  Start(config);
  auto res = Post(std::string(3000, 'x'));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_NE(res->body.find("ingest.http.max_body_bytes"), std::string::npos);
  EXPECT_EQ(Dropped(counters(), DropReason::kTooLarge), 1u);
  // A new connection is served as before.
  httplib::Client fresh("127.0.0.1", service_->http_port());
  EXPECT_EQ(fresh.Post("/api/hep", hepgen::InvitePacket("fits@test"), "application/octet-stream")->status, 200);
}

TEST_F(HttpReceiverTest, AnEmptyBodyOrABadPacketIs400AndCountedByReason) {
  Start();
  auto empty = Post("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  std::string wrong_length = hepgen::InvitePacket("bad@test");
  wrong_length[5] = static_cast<char>(wrong_length[5] - 1);
  auto bad = Post(wrong_length);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body, R"({"error":"not a valid HEP packet","reason":"bad_length"})");
  auto junk = Post("junk junk junk");
  EXPECT_EQ(junk->status, 400);
  const auto c = counters();
  EXPECT_EQ(Dropped(c, DropReason::kBadLength), 1u);
  EXPECT_EQ(Dropped(c, DropReason::kBadVersion), 1u);
  EXPECT_EQ(c.received_http, 2u);  // the empty body is no packet
  EXPECT_EQ(sink_.size(), 0u);
}

TEST_F(HttpReceiverTest, StopIsPromptWithAKeptAliveConnectionOpen) {
  Start();
  client_->set_keep_alive(true);
  ASSERT_EQ(Post(hepgen::InvitePacket("kept@test"))->status, 200);
  const auto t0 = std::chrono::steady_clock::now();
  service_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2500ms);
  EXPECT_EQ(sink_.size(), 1u);
}

TEST_F(HttpReceiverTest, AFullQueueAnswers503) {
  auto config = LocalConfig();
  config.queue_size = 1;
  sink_.Hold();
  Start(config);
  EXPECT_EQ(Post(hepgen::InvitePacket("held@test"))->status, 200);
  ASSERT_TRUE(sink_.WaitHeld());
  EXPECT_EQ(Post(hepgen::InvitePacket("queued@test"))->status, 200);
  auto full = Post(hepgen::InvitePacket("refused@test"));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 503);
  EXPECT_EQ(full->body, R"({"error":"queue full"})");
  EXPECT_EQ(full->get_header_value("Retry-After"), "1");
  EXPECT_EQ(Dropped(counters(), DropReason::kQueueFull), 1u);
  sink_.Release();
  service_->Stop();
  EXPECT_EQ(sink_.session_ids(), (std::set<std::string>{"held@test", "queued@test"}));
}

}  // namespace
}  // namespace homer::ingest
