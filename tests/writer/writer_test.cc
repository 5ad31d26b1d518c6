// The writer sharing an engine's database (all-in-one): buffered rows are readable through the
// merged lake at once, flushes move them to the lake without a row seen twice or missed, and a
// writer reopened on the same files finds what its predecessor left.
#include "writer/writer.h"

#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "engine/engine.h"
#include "lake/sqlite_catalog.h"
#include "testing/lake_fixture.h"

namespace homer::writer {
namespace {

using testing::TempDir;

ingest::CaptureRecord Invite(int n) {
  ingest::CaptureRecord r;
  r.proto_type = 1;
  r.effective_method = "INVITE";
  r.timestamp_us = 1764460800000000LL + n;  // 2025-11-30
  r.uuid = "uuid-" + std::to_string(n);
  r.session_id = "call-" + std::to_string(n) + "@test";
  r.method = "INVITE";
  r.cseq_method = "INVITE";
  r.src_ip = "10.0.0.1";
  r.dst_ip = "10.0.0.2";
  r.src_port = 5060;
  r.dst_port = 5060;
  r.protocol = 17;
  r.node_id = "2001";
  r.payload = "INVITE sip:bob@example.com SIP/2.0";
  r.data_extra = "{\"version\":3}";
  return r;
}

class AllInOne : public ::testing::Test {
 protected:
  void Open() {
    storage_.catalog_path = (dir_.path() / "homer_lake.sqlite").string();
    storage_.data_path = (dir_.path() / "data").string();
    storage_.flush_interval_sec = 3600;  // flushes only when the test asks
    storage_.batch_size = 1000000;
    storage_.durable_interval_ms = 3600000;
    auto config = testing::TestConfig({config::StorageVolume(storage_, "hot")});
    engine::EngineOptions options;
    options.extension_dir = testing::ExtensionDir();
    options.refresh_interval_sec = 0;
    options.readers = &readers_;
    options.write_buffers["hot"] = Writer::BufferCatalogName(storage_);
    options.on_open = [this](const duckdb::Database& db) -> arrow::Status {
      WriterOptions w;
      w.storage = storage_;
      w.readers = &readers_;
      ARROW_ASSIGN_OR_RAISE(writer_, Writer::Open(db, w));
      return arrow::Status::OK();
    };
    auto engine = engine::Engine::Open(config, options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    writer_->OnTablesChanged([this] { ASSERT_TRUE(engine_->Refresh().ok()); });
  }
  void Close() {
    ASSERT_TRUE(writer_->Stop().ok());
    writer_.reset();
    engine_.reset();
  }
  void Write(int from, int to) {
    std::vector<ingest::CaptureRecord> batch;
    for (int n = from; n < to; ++n) batch.push_back(Invite(n));
    ASSERT_TRUE(writer_->Write(batch).ok());
  }

  TempDir dir_;
  config::StorageDuckLakeConfig storage_;
  lake::ReaderEpochs readers_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<engine::Engine> engine_;
};

constexpr const char* kCount = "SELECT count(*) FROM homer_lake.main.hep_proto_1_call";
constexpr const char* kInLake = "SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call";

TEST_F(AllInOne, BufferedRowsAreReadableOnceAndStayExactAcrossFlushes) {
  Open();
  Write(0, 1000);
  ASSERT_TRUE(writer_->CommitBuffer().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 1000);
  EXPECT_EQ(testing::QueryInt64(*engine_, kInLake), 0);
  ASSERT_TRUE(writer_->FlushToLake().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, kInLake), 1000);
  EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 1000);
  Write(1000, 1500);
  ASSERT_TRUE(writer_->CommitBuffer().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 1500);
  ASSERT_TRUE(writer_->FlushToLake().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 1500);
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(DISTINCT uuid) FROM homer_lake.main.hep_proto_1_call"), 1500);
  const auto stats = writer_->stats();
  EXPECT_EQ(stats.flushed_rows, 1500);
  EXPECT_EQ(stats.flushes, 2);
  // The flushed rows left the buffer (no query was running when they were flushed).
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake__buffer.main.hep_proto_1_call"), 0);
  Close();
}

TEST_F(AllInOne, AQueryOlderThanAFlushKeepsTheFlushedRowsInTheBuffer) {
  Open();
  Write(0, 100);
  ASSERT_TRUE(writer_->CommitBuffer().ok());
  {
    auto reader = readers_.Enter();  // a query that may have read the lake before the flush
    ASSERT_TRUE(writer_->FlushToLake().ok());
    EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake__buffer.main.hep_proto_1_call"), 100);
    EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 100);  // hidden by the mark: not twice
  }
  ASSERT_TRUE(writer_->FlushToLake().ok());  // nothing new: only clears the buffer
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake__buffer.main.hep_proto_1_call"), 0);
  EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 100);
  Close();
}

TEST_F(AllInOne, TheBufferIsBoundedWhileAQueryHoldsFlushedRows) {
  storage_.max_buffer_rows = 100;  // refuses beyond 5 x 100 rows held
  Open();
  Write(0, 400);
  ASSERT_TRUE(writer_->CommitBuffer().ok());
  {
    auto reader = readers_.Enter();  // a long query: the flushed rows must stay in the buffer
    ASSERT_TRUE(writer_->FlushToLake().ok());
    std::vector<ingest::CaptureRecord> batch;
    for (int n = 400; n < 500; ++n) batch.push_back(Invite(n));
    ASSERT_TRUE(writer_->Write(batch).ok());  // 500 held: at the limit
    batch = {Invite(500)};
    auto refused = writer_->Write(batch);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find("buffer full (500 rows, limit 500)"), std::string::npos) << refused.message();
  }
  ASSERT_TRUE(writer_->FlushToLake().ok());  // the query is gone: the flushed rows leave
  std::vector<ingest::CaptureRecord> batch{Invite(500)};
  EXPECT_TRUE(writer_->Write(batch).ok());
  ASSERT_TRUE(writer_->CommitBuffer().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 501);
  Close();
}

TEST_F(AllInOne, StopFlushesEverythingAndAReopenedWriterContinues) {
  Open();
  Write(0, 300);
  Close();  // Stop commits and flushes
  Open();
  EXPECT_EQ(testing::QueryInt64(*engine_, kInLake), 300);
  Write(300, 400);
  ASSERT_TRUE(writer_->CommitBuffer().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, kCount), 400);
  EXPECT_EQ(writer_->stats().recovered_rows, 0);
  Close();
  auto mode = lake::JournalMode(storage_.catalog_path);
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "wal");
}

TEST_F(AllInOne, TablesAreCreatedAsHomerCreatesThem) {
  Open();
  std::vector<ingest::CaptureRecord> batch{Invite(1)};
  batch[0].proto_type = 100;
  batch.push_back(Invite(2));
  batch[1].effective_method = "REGISTER";
  ASSERT_TRUE(writer_->Write(batch).ok());
  ASSERT_TRUE(writer_->CommitBuffer().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake.main.hep_proto_100_default"), 1);
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake.main.hep_proto_1_registration"), 1);
  ASSERT_TRUE(writer_->FlushToLake().ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake.main.hep_proto_1_registration WHERE date = DATE "
                            "'2025-11-30' AND storage_volume = 'hot'"),
            1);
  Close();
}

}  // namespace
}  // namespace homer::writer
