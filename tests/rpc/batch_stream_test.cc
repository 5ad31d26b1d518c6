#include "rpc/batch_stream.h"

#include <arrow/ipc/writer.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "testing/lake_fixture.h"

namespace homer::rpc {
namespace {

class BatchStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = homer::testing::OpenOneTableEngine(dir_.path());
    ASSERT_TRUE(engine_);
  }

  std::shared_ptr<BatchStream> Stream(const std::string& sql, BatchStreamOptions options) {
    auto query = engine_->Execute(sql);
    EXPECT_TRUE(query.ok()) << query.status();
    auto stream = BatchStream::Make(std::move(*query), options);
    EXPECT_TRUE(stream.ok()) << stream.status();
    return *stream;
  }

  /// Every batch's row count; fails the test on an error.
  std::vector<int64_t> Sizes(BatchStream& stream, int64_t max_ipc_bytes = 0) {
    std::vector<int64_t> sizes;
    while (true) {
      auto batch = stream.Next();
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok() || !*batch) break;
      EXPECT_TRUE((*batch)->schema()->Equals(*stream.schema()));
      if (max_ipc_bytes > 0) {
        int64_t size = 0;
        EXPECT_TRUE(arrow::ipc::GetRecordBatchSize(**batch, &size).ok());
        EXPECT_LE(size, max_ipc_bytes);
      }
      sizes.push_back((*batch)->num_rows());
    }
    return sizes;
  }

  homer::testing::TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(BatchStreamTest, CoalescesChunksUpToTheRowTarget) {
  auto stream = Stream("SELECT i FROM range(200000) t(i)", {});
  auto sizes = Sizes(*stream);
  ASSERT_EQ(sizes.size(), 4u);
  EXPECT_EQ(sizes[0], 65536);
  EXPECT_EQ(sizes[3], 200000 - 3 * 65536);
  EXPECT_EQ(stream->rows_read(), 200000);
}

TEST_F(BatchStreamTest, StopsAtTheByteTarget) {
  BatchStreamOptions options;
  options.target_bytes = 100 * 1024;  // ~6 chunks of 2048 int64
  auto sizes = Sizes(*Stream("SELECT i FROM range(100000) t(i)", options));
  EXPECT_EQ(sizes.front(), 7 * 2048);
}

TEST_F(BatchStreamTest, SlicesChunksLargerThanTheLimit) {
  BatchStreamOptions options = BatchStreamOptions::ForMessageLimit(64 * 1024);
  auto stream = Stream("SELECT i, repeat('x', 300) AS s FROM range(10000) t(i)", options);
  auto sizes = Sizes(*stream, options.max_bytes);
  int64_t total = 0;
  for (auto n : sizes) total += n;
  EXPECT_EQ(total, 10000);
  EXPECT_GT(sizes.size(), 10000u * 300 / (64 * 1024));
}

TEST_F(BatchStreamTest, ARowLargerThanTheLimitIsAnError) {
  auto stream = Stream("SELECT repeat('x', 100000) AS s", BatchStreamOptions::ForMessageLimit(64 * 1024));
  auto batch = stream->Next();
  EXPECT_TRUE(batch.status().IsCapacityError()) << batch.status();
  EXPECT_NE(batch.status().message().find("max_message_size"), std::string::npos);
}

TEST_F(BatchStreamTest, SchemaIsTheWireSchema) {
  auto stream = Stream("SELECT true AS b, 1::HUGEINT AS h", {});
  EXPECT_TRUE(stream->schema()->Equals(
      *arrow::schema({arrow::field("b", arrow::boolean()), arrow::field("h", arrow::decimal128(38, 0))})));
  auto batch = stream->Next();
  ASSERT_TRUE(batch.ok() && *batch);
  EXPECT_EQ((*batch)->column(0)->ToString(), arrow::json::ArrayFromJSONString(arrow::boolean(), "[true]").ValueOrDie()->ToString());
}

TEST_F(BatchStreamTest, CancelStopsTheQuery) {
  auto stream = Stream("SELECT count(*) FROM range(1000000000000) t(i)", {});
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stream->Cancel();
  });
  auto batch = stream->Next();
  canceller.join();
  EXPECT_TRUE(batch.status().IsCancelled()) << batch.status();
}

}  // namespace
}  // namespace homer::rpc
