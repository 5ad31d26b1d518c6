// The storage policy on real lakes (hot and cold volumes in a temporary folder) under an engine
// that reads them as one merged lake: moves, an interrupted move, retention and the rewrite of a
// closed day never show a row twice or lose one.
#include "policy/storage_policy.h"

#include <gtest/gtest.h>

#include <chrono>

#include "config/config_loader.h"
#include "duckdb/sql_text.h"
#include "engine/engine.h"
#include "lake/maintenance_lock.h"
#include "lake/move_marks.h"
#include "lake/partitions.h"
#include "testing/lake_fixture.h"
#include "writer/writer.h"

namespace homer::policy {
namespace {

using testing::TempDir;

constexpr int64_t kDayUs = 86400LL * 1000000;

/// An INVITE `days_ago` UTC days before now.
ingest::CaptureRecord Invite(int n, int days_ago) {
  ingest::CaptureRecord r;
  r.proto_type = 1;
  r.effective_method = "INVITE";
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  r.timestamp_us = now_us - days_ago * kDayUs;
  r.uuid = "uuid-" + std::to_string(days_ago) + "-" + std::to_string(n);
  r.session_id = "call-" + std::to_string(n);
  r.method = r.cseq_method = "INVITE";
  r.src_ip = "10.0.0.1";
  r.dst_ip = "10.0.0.2";
  r.src_port = r.dst_port = 5060;
  r.protocol = 17;
  r.node_id = "2001";
  r.payload = "INVITE sip:bob@example.com SIP/2.0";
  r.data_extra = "{\"version\":3}";
  return r;
}

class Tiered : public ::testing::Test {
 protected:
  void Open(int hot_days = 2, int cold_days = 0) {
    auto& s = storage_;
    s.catalog_path = (dir_.path() / "homer_lake.sqlite").string();
    s.data_path = (dir_.path() / "hot").string() + "/";
    s.flush_interval_sec = 3600;
    s.batch_size = 1000000;
    s.durable_interval_ms = 3600000;
    s.compaction.min_age_sec = 0;
    s.storage_policy.enable = true;
    config::VolumeConfig hot = config::StorageVolume(s, "hot");
    config::VolumeConfig cold = testing::LocalVolume(dir_.path(), "cold");
    s.storage_policy.volumes = {{hot, 0, hot_days, 0}, {cold, 1, cold_days, 0}};
    auto config = testing::TestConfig({hot, cold});
    engine::EngineOptions options;
    options.extension_dir = testing::ExtensionDir();
    options.refresh_interval_sec = 0;
    options.readers = &readers_;
    options.write_buffers["hot"] = writer::Writer::BufferCatalogName(s);
    options.on_open = [this](const duckdb::Database& db) -> arrow::Status {
      writer::WriterOptions w;
      w.storage = storage_;
      w.readers = &readers_;
      ARROW_ASSIGN_OR_RAISE(writer_, writer::Writer::Open(db, w));
      PolicyOptions p;
      p.storage = storage_;
      p.lake_name = "homer_lake";
      p.hot_catalog = writer_->lake_catalog();
      p.new_table_delay = std::chrono::seconds(0);
      p.layout = layout_;
      p.on_catalog_changed = [this] {
        if (engine_) ASSERT_TRUE(engine_->Refresh().ok());
      };
      ARROW_ASSIGN_OR_RAISE(policy_, StoragePolicy::Open(db, p));
      return arrow::Status::OK();
    };
    auto engine = engine::Engine::Open(config, options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(*engine);
    writer_->OnTablesChanged([this] { ASSERT_TRUE(engine_->Refresh().ok()); });
    ASSERT_TRUE(engine_->Refresh().ok());
  }
  void TearDown() override {
    if (policy_) policy_->Stop();
    policy_.reset();
    if (writer_) ASSERT_TRUE(writer_->Stop().ok());
    writer_.reset();
    engine_.reset();
  }
  /// `per_day` INVITEs on each of the days in `days_ago`, flushed to the hot volume.
  void Write(std::initializer_list<int> days_ago, int per_day, int first = 0) {
    std::vector<ingest::CaptureRecord> batch;
    for (int d : days_ago) {
      for (int n = first; n < first + per_day; ++n) batch.push_back(Invite(n, d));
    }
    ASSERT_TRUE(writer_->Write(batch).ok());
    ASSERT_TRUE(writer_->CommitBuffer().ok());
    ASSERT_TRUE(writer_->FlushToLake().ok());
  }
  int64_t Rows(const std::string& where = "true") {
    return testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake.main.hep_proto_1_call WHERE " + where);
  }
  int64_t Distinct() { return testing::QueryInt64(*engine_, "SELECT count(DISTINCT uuid) FROM homer_lake.main.hep_proto_1_call"); }

  TempDir dir_;
  FileLayout layout_;
  config::StorageDuckLakeConfig storage_;
  lake::ReaderEpochs readers_;
  std::unique_ptr<writer::Writer> writer_;
  std::unique_ptr<StoragePolicy> policy_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(Tiered, OldPartitionsMoveToTheNextVolumeAndStayReadableOnce) {
  Open();
  Write({5, 4, 0}, 100);
  ASSERT_EQ(Rows(), 300);
  ASSERT_TRUE(policy_->RunMoves().ok());
  const auto stats = policy_->stats();
  EXPECT_EQ(stats.moves, 2) << stats.last_error;
  EXPECT_EQ(stats.moved_rows, 200);
  EXPECT_EQ(stats.move_failures, 0);
  EXPECT_GT(stats.moved_bytes, 0);
  EXPECT_EQ(Rows(), 300);
  EXPECT_EQ(Distinct(), 300);
  EXPECT_EQ(Rows("storage_volume = 'cold'"), 200);
  EXPECT_EQ(Rows("storage_volume = 'hot'"), 100);
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call"), 100);
  // Late rows of a moved day stay in hot (visible) and move on the next cycle.
  Write({5}, 10, 1000);
  EXPECT_EQ(Rows(), 310);
  ASSERT_TRUE(policy_->RunMoves().ok());
  EXPECT_EQ(Rows(), 310);
  EXPECT_EQ(Distinct(), 310);
  EXPECT_EQ(Rows("storage_volume = 'cold'"), 210);
}

TEST_F(Tiered, AMoveInterruptedAfterItsDestinationCommitShowsEachRowOnceAndIsFinishedNextCycle) {
  Open();
  Write({5}, 100);
  // The state a crash between the two commits leaves: rows and mark in cold, rows still in hot.
  auto con = duckdb::Connect(engine_->database());
  ASSERT_TRUE(con.ok());
  const auto& hot = policy_->volumes()[0];
  const auto& cold = policy_->volumes()[1];
  const std::string hot_table = duckdb::QualifiedName(hot.catalog, "main", "hep_proto_1_call");
  const std::string cold_table = duckdb::QualifiedName(cold.catalog, "main", "hep_proto_1_call");
  auto limit = duckdb::QueryValue(*con, "SELECT max(rowid) + 1 FROM " + hot_table, {});
  auto date = duckdb::QueryValue(*con, "SELECT min(date)::VARCHAR FROM " + hot_table, {});
  ASSERT_TRUE(limit.ok() && date.ok());
  ASSERT_TRUE(duckdb::Exec(*con, "BEGIN; INSERT INTO " + cold_table + " SELECT * FROM " + hot_table + "; " +
                                     lake::RecordMoveSql(cold.catalog, "hep_proto_1_call", *date, std::stoll(*limit),
                                                         "hot") +
                                     "; COMMIT")
                  .ok());
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call"), 100);
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake_cold.main.hep_proto_1_call"), 100);
  EXPECT_EQ(Rows(), 100);  // the mark hides the hot copy
  EXPECT_EQ(Rows("storage_volume = 'cold'"), 100);
  ASSERT_TRUE(policy_->RunMoves().ok());
  EXPECT_EQ(policy_->stats().finished_moves_rows, 100);
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM homer_lake_hot.main.hep_proto_1_call"), 0);
  EXPECT_EQ(Rows(), 100);
  EXPECT_EQ(Distinct(), 100);
}

TEST_F(Tiered, RetentionDeletesOldPartitionsFromTheLastVolume) {
  Open(/*hot_days=*/2, /*cold_days=*/6);
  Write({8, 7, 5, 0}, 50);
  ASSERT_TRUE(policy_->RunMoves().ok());  // 8, 7, 5 move; then 8 and 7 expire from cold
  EXPECT_EQ(Rows(), 100);
  EXPECT_EQ(Rows("storage_volume = 'cold'"), 50);
  EXPECT_EQ(policy_->stats().expired_rows, 100);
}

TEST_F(Tiered, CompactionRewritesAClosedDayIntoOneFileWithTheSameRows) {
  Open(/*hot_days=*/0);
  for (int i = 0; i < 3; ++i) Write({3}, 40, i * 40);  // three flushes: three files for that day
  Write({0}, 10);
  auto con = duckdb::Connect(engine_->database());
  ASSERT_TRUE(con.ok());
  const std::string hot = policy_->volumes()[0].catalog;
  auto before = lake::ListPartitions(*con, hot, "hep_proto_1_call");
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 2u);
  EXPECT_EQ((*before)[0].files, 3);
  ASSERT_TRUE(policy_->RunCompaction().ok());
  EXPECT_EQ(policy_->stats().rewrites, 1) << policy_->stats().last_error;
  EXPECT_EQ(policy_->stats().rewritten_rows, 120);
  auto after = lake::ListPartitions(*con, hot, "hep_proto_1_call");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)[0].files, 1);
  EXPECT_TRUE((*after)[0].all_compacted);
  EXPECT_EQ((*after)[1].files, 1);  // today's partition is left to the writer
  EXPECT_FALSE((*after)[1].all_compacted);
  EXPECT_EQ(Rows(), 130);
  EXPECT_EQ(Distinct(), 130);
  ASSERT_TRUE(policy_->RunCompaction().ok());  // nothing left to rewrite
  EXPECT_EQ(policy_->stats().rewrites, 1);
}

TEST_F(Tiered, CompactionSplitsADayIntoSessionIdRangesThatACallIdSearchSkips) {
  layout_.rows_per_file = 100;  // the files of a big day, at the scale of a test
  Open(/*hot_days=*/0);
  Write({3}, 400);
  Write({3}, 50, 400);  // a second flush: the day is not yet in the layout
  ASSERT_TRUE(policy_->RunCompaction().ok());
  ASSERT_EQ(policy_->stats().rewrites, 1) << policy_->stats().last_error;
  auto con = duckdb::Connect(engine_->database());
  ASSERT_TRUE(con.ok());
  auto paths = duckdb::QueryColumn(*con, "SELECT data_file FROM ducklake_list_files(" +
                                              duckdb::QuoteLiteral(policy_->volumes()[0].catalog) +
                                              ", 'hep_proto_1_call')");  // only day -3 has rows
  ASSERT_TRUE(paths.ok()) << paths.status();
  const std::string files = duckdb::ListLiteral(*paths);
  // Per file: its session_id range, rows, and row groups without a session_id bloom filter.
  auto stats = duckdb::QueryRows(
      *con, "SELECT min(stats_min), max(stats_max), sum(row_group_num_rows), "
            "count(*) FILTER (WHERE bloom_filter_length IS NULL) FROM parquet_metadata(" + files +
            ") WHERE path_in_schema = 'session_id' GROUP BY file_name ORDER BY 1");
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->size(), 5u) << "450 rows in files of ~100";
  int64_t rows = 0;
  for (size_t i = 0; i < stats->size(); ++i) {
    const auto& f = (*stats)[i];
    if (i > 0) EXPECT_LT((*stats)[i - 1][1], f[0]) << "session_id ranges overlap";
    rows += std::stoll(f[2]);
    EXPECT_EQ(f[3], "0") << "a row group without a session_id bloom filter";
  }
  EXPECT_EQ(rows, 450);
  EXPECT_EQ(testing::QueryInt64(*engine_, "SELECT count(*) FROM (SELECT timestamp < lag(timestamp) OVER "
                                          "(PARTITION BY filename ORDER BY file_row_number) AS back FROM "
                                          "read_parquet(" + files + ", filename = true, file_row_number = true)) "
                                          "WHERE back"),
            0)
      << "rows out of time order in a file";
  auto profile =
      testing::ProfileQuery(*engine_, "SELECT * FROM homer_lake.main.hep_proto_1_call WHERE session_id = 'call-123'");
  EXPECT_EQ(Rows("session_id = 'call-123'"), 1);
  EXPECT_EQ(profile.files_read_by_volume["hot"], 1) << "DuckLake's per-file min/max should skip the other 4";
  EXPECT_EQ(Rows(), 450);
  EXPECT_EQ(Distinct(), 450);
}

TEST_F(Tiered, APolicyJobSkipsAVolumeAnotherJobHolds) {
  Open();
  Write({5}, 10);
  std::string busy;
  auto held = lake::MaintenanceLock::TryAcquire({storage_.catalog_path}, &busy);
  ASSERT_TRUE(held.held());
  auto second = lake::MaintenanceLock::TryAcquire({storage_.catalog_path}, &busy);
  EXPECT_FALSE(second.held());
  EXPECT_EQ(busy, storage_.catalog_path);
  ASSERT_TRUE(policy_->RunMoves().ok());
  EXPECT_EQ(policy_->stats().moves, 0);
  EXPECT_GE(policy_->stats().busy_skips, 1);
  EXPECT_EQ(Rows(), 10);
  held = lake::MaintenanceLock();  // released
  ASSERT_TRUE(policy_->RunMoves().ok());
  EXPECT_EQ(policy_->stats().moves, 1);
  EXPECT_EQ(Rows("storage_volume = 'cold'"), 10);
}

}  // namespace
}  // namespace homer::policy
