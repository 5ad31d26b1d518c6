#include "engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "engine/try_later.h"
#include "testing/lake_fixture.h"

namespace homer::engine {
namespace {

EngineOptions NoRefresh() {
  EngineOptions options;
  options.extension_dir = homer::testing::ExtensionDir();
  options.refresh_interval_sec = 0;
  return options;
}

using homer::testing::LakeWriter;
using homer::testing::LocalVolume;
using homer::testing::ProfileQuery;
using homer::testing::TempDir;
using homer::testing::TestConfig;

/// All rows of a query, each cell as the Arrow scalar's text.
std::vector<std::vector<std::string>> Rows(Engine& engine, const std::string& sql,
                                           const QueryParameters& parameters = {}) {
  auto query = engine.Execute(sql, parameters);
  EXPECT_TRUE(query.ok()) << sql << ": " << query.status();
  std::vector<std::vector<std::string>> rows;
  if (!query.ok()) return rows;
  while (true) {
    auto batch = (*query)->Next();
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok() || !*batch) break;
    for (int64_t r = 0; r < (*batch)->num_rows(); ++r) {
      std::vector<std::string> row;
      for (int c = 0; c < (*batch)->num_columns(); ++c) {
        auto scalar = (*batch)->column(c)->GetScalar(r).ValueOrDie();
        row.push_back(scalar->is_valid ? scalar->ToString() : "NULL");
      }
      rows.push_back(row);
    }
  }
  return rows;
}

arrow::Status Drain(Engine& engine, const std::string& sql) {
  ARROW_ASSIGN_OR_RAISE(auto query, engine.Execute(sql));
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, query->Next());
    if (!batch) return arrow::Status::OK();
  }
}

class TwoVolumeLake : public ::testing::Test {
 protected:
  void SetUp() override {
    hot_ = LocalVolume(dir_.path(), "hot");
    cold_ = LocalVolume(dir_.path(), "cold");
    {
      auto w = LakeWriter::Open(hot_);
      w.Exec("CREATE TABLE w.calls (id INTEGER, ts TIMESTAMP, method VARCHAR)");
      w.Exec("INSERT INTO w.calls SELECT i, TIMESTAMP '2026-11-20' + INTERVAL (i) MINUTE, 'INVITE' FROM range(10) t(i)");
      w.Exec("CREATE TABLE w.only_hot (x INTEGER)");
      w.Exec("INSERT INTO w.only_hot VALUES (7)");
    }
    {
      auto w = LakeWriter::Open(cold_);
      w.Exec("CREATE TABLE w.calls (id INTEGER, ts TIMESTAMP, method VARCHAR, extra VARCHAR)");
      w.Exec("INSERT INTO w.calls SELECT 100 + i, TIMESTAMP '2026-11-01' + INTERVAL (i) MINUTE, 'BYE', 'e' "
             "FROM range(5) t(i)");
    }
  }

  std::unique_ptr<Engine> Open(config::ServerConfig cfg, int refresh_sec = 0) {
    EngineOptions options = NoRefresh();
    options.refresh_interval_sec = refresh_sec;
    auto engine = Engine::Open(cfg, options);
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? std::move(*engine) : nullptr;
  }

  TempDir dir_;
  config::VolumeConfig hot_, cold_;
};

TEST_F(TwoVolumeLake, MergedLakeSeesEveryVolume) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls")[0][0], "15");
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls WHERE storage_volume = 'cold'")[0][0], "5");
  EXPECT_EQ(Rows(*engine, "SELECT DISTINCT storage_lake FROM homer_lake.main.calls ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"homer_lake_cold"}, {"homer_lake_hot"}}));
  // A column only the cold volume has is NULL for hot rows (merged by name).
  EXPECT_EQ(Rows(*engine, "SELECT count(extra) FROM homer_lake.main.calls")[0][0], "5");
  // A table only in some volumes.
  EXPECT_EQ(Rows(*engine, "SELECT x, storage_volume FROM homer_lake.main.only_hot"),
            (std::vector<std::vector<std::string>>{{"7", "hot"}}));
  // Joins, CTEs, aliases, quoted identifiers and several references.
  EXPECT_EQ(Rows(*engine,
                 "WITH c AS (SELECT * FROM \"homer_lake\".\"main\".\"calls\" AS k WHERE k.id < 3) "
                 "SELECT count(*) FROM c JOIN homer_lake.main.calls c2 ON c.id = c2.id "
                 "WHERE c2.id IN (SELECT id FROM homer_lake.main.calls)")[0][0],
            "3");
  // Each volume is still reachable directly.
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake_cold.main.calls")[0][0], "5");
}

TEST_F(TwoVolumeLake, FilterOnStorageVolumeSkipsTheOtherVolume) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  // With the cold volume's files gone, only a query that skips that volume can still succeed.
  std::filesystem::remove_all(cold_.path);
  EXPECT_FALSE(Drain(*engine, "SELECT * FROM homer_lake.main.calls").ok());
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls WHERE storage_volume = 'hot'")[0][0], "10");
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls WHERE storage_lake <> 'homer_lake_cold'")[0][0],
            "10");
}

TEST_F(TwoVolumeLake, ParametersAreBoundByDuckDB) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  using Rows2 = std::vector<std::vector<std::string>>;
  auto text = [](const char* s) { return std::make_shared<arrow::StringScalar>(s); };
  // Positional, numbered and inside a $tag$ string, which is not a parameter.
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls WHERE method = ? AND id < ?",
                 {text("INVITE"), std::make_shared<arrow::Int64Scalar>(4)}),
            (Rows2{{"4"}}));
  EXPECT_EQ(Rows(*engine, "SELECT $tag$?$tag$, $2::VARCHAR || $1", {text("a"), std::make_shared<arrow::Int32Scalar>(1)}),
            (Rows2{{"?", "1a"}}));
  // A value stays a value.
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls WHERE method = ?", {text("x' OR '1'='1")}),
            (Rows2{{"0"}}));
  // Untyped parameters: the result type follows the value's.
  auto untyped = engine->Execute("SELECT ? AS v", {std::make_shared<arrow::TimestampScalar>(0, arrow::timestamp(arrow::TimeUnit::MICRO))});
  ASSERT_TRUE(untyped.ok()) << untyped.status();
  EXPECT_EQ((*untyped)->schema()->field(0)->type()->id(), arrow::Type::TIMESTAMP);
  // Counts must match, and a statement with parameters is not run without them.
  auto missing = engine->Execute("SELECT ? + 1");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("1 parameter(s) and 0 value(s)"), std::string::npos) << missing.status();
  EXPECT_FALSE(engine->Execute("SELECT 1", {text("extra")}).ok());

  auto shape = engine->Describe("SELECT id, $1 AS since FROM homer_lake.main.calls WHERE ts > $1 AND method = $2");
  ASSERT_TRUE(shape.ok()) << shape.status();
  ASSERT_EQ(shape->parameters->num_fields(), 2);
  EXPECT_EQ(shape->parameters->field(0)->type()->id(), arrow::Type::TIMESTAMP);
  EXPECT_EQ(shape->parameters->field(1)->type()->id(), arrow::Type::STRING);
  EXPECT_EQ(shape->result->field(0)->name(), "id");
  auto open = engine->Describe("SELECT ? AS v");
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(open->parameters->field(0)->type()->id(), arrow::Type::NA);  // DuckDB leaves it open
  EXPECT_EQ(open->result->num_fields(), 1);
  // Describe goes through the sandbox too.
  EXPECT_FALSE(engine->Describe("SELECT * FROM read_csv(?)").ok());
}

TEST_F(TwoVolumeLake, ProfileShowsWhichVolumesWereRead) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  auto all = ProfileQuery(*engine, "SELECT * FROM homer_lake.main.calls");
  EXPECT_GE(all.files_read_by_volume["hot"], 1);
  EXPECT_GE(all.files_read_by_volume["cold"], 1);
  // DuckLake's file statistics prune the cold volume for a recent time range.
  auto recent = ProfileQuery(*engine, "SELECT * FROM homer_lake.main.calls WHERE ts >= TIMESTAMP '2026-11-15'");
  EXPECT_GE(recent.files_read_by_volume["hot"], 1);
  EXPECT_EQ(recent.files_read_by_volume["cold"], 0);
  auto labelled = ProfileQuery(*engine, "SELECT * FROM homer_lake.main.calls WHERE storage_volume = 'cold'");
  EXPECT_EQ(labelled.files_read_by_volume["hot"], 0);
  EXPECT_GE(labelled.files_read_by_volume["cold"], 1);
  // Without the option the query runs on a connection without the profiler: nothing recorded.
  auto plain = engine->Execute("SELECT * FROM homer_lake.main.calls");
  ASSERT_TRUE(plain.ok());
  while (*(*plain)->Next()) {
  }
  EXPECT_TRUE((*plain)->profile().files_read_by_volume.empty());
  EXPECT_TRUE((*plain)->profile().scans.empty());
}

TEST_F(TwoVolumeLake, SandboxHoldsOnTheLake) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  const auto outside = dir_.path() / "outside.txt";
  std::ofstream(outside) << "secret";
  for (const std::string& sql : std::vector<std::string>{"SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_text('" + outside.string() + "')",
                          "SELECT * FROM glob('/etc/*')", "COPY (SELECT 1) TO '" + (dir_.path() / "x.csv").string() + "'",
                          "CREATE TABLE homer_lake_hot.main.t (i INT)", "INSERT INTO homer_lake_hot.main.calls VALUES (1)",
                          "ATTACH '" + hot_.catalog_path + "' AS again", "SET enable_external_access = true",
                          "SELECT * FROM sqlite_scan('" + hot_.catalog_path + "', 'ducklake_snapshot')",
                          "SELECT * FROM ducklake_expire_snapshots('homer_lake_hot', older_than => now())"}) {
    auto st = Drain(*engine, sql);
    EXPECT_FALSE(st.ok()) << sql;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "x.csv"));
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls")[0][0], "15");
}

TEST_F(TwoVolumeLake, ParquetFootersAreCachedUnlessTheConfigSaysNo) {
  for (bool cache : {true, false}) {
    auto config = TestConfig({hot_, cold_});
    config.ducklake.parquet_metadata_cache = cache;
    auto engine = Open(config);
    ASSERT_TRUE(engine);
    EXPECT_EQ(Rows(*engine, "SELECT current_setting('parquet_metadata_cache')::BIGINT")[0][0], cache ? "1" : "0");
  }
}

TEST_F(TwoVolumeLake, ErrorsAreClassified) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  auto missing = engine->Execute("SELECT * FROM homer_lake.main.nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsKeyError()) << missing.status();
  auto bad = engine->Execute("SELECT FROM WHERE");
  EXPECT_TRUE(bad.status().IsInvalid()) << bad.status();
}

TEST_F(TwoVolumeLake, TimeoutStopsTheQueryInDuckDB) {
  auto cfg = TestConfig({hot_, cold_});
  cfg.ducklake.query_timeout_sec = 1;
  auto engine = Open(cfg);
  ASSERT_TRUE(engine);
  const auto start = std::chrono::steady_clock::now();
  auto st = Drain(*engine, "SELECT count(*) FROM range(100000000000) a");
  EXPECT_TRUE(st.IsCancelled()) << st;
  EXPECT_NE(st.message().find("timeout"), std::string::npos) << st;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(engine->running_queries(), 0u);
}

TEST_F(TwoVolumeLake, CancelStopsAStream) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  auto query = engine->Execute("SELECT * FROM range(1000000000)");
  ASSERT_TRUE(query.ok());
  ASSERT_TRUE((*query)->Next().ok());
  (*query)->Cancel();
  auto next = (*query)->Next();
  EXPECT_TRUE(next.status().IsCancelled()) << next.status();
}

TEST_F(TwoVolumeLake, AClientGoneStopsTheQueryBeforeItsFirstRow) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  std::atomic<bool> gone{false};
  ExecuteOptions options;
  options.client_gone = [&gone] { return gone.load(); };
  auto query = engine->Execute("SELECT count(*) FROM range(100000000000) a", {}, options);
  ASSERT_TRUE(query.ok()) << query.status();
  std::thread leave([&gone] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    gone = true;  // noticed by the registry's watchdog, not by the reader
  });
  const auto start = std::chrono::steady_clock::now();
  auto next = (*query)->Next();  // still computing its only row
  leave.join();
  EXPECT_TRUE(next.status().IsCancelled()) << next.status();
  EXPECT_NE(next.status().message().find("cancelled by the client"), std::string::npos) << next.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(TwoVolumeLake, BusySlotsSayTryLater) {
  auto cfg = TestConfig({hot_, cold_});
  cfg.ducklake.max_concurrent_queries = 1;
  cfg.ducklake.query_wait_sec = 0;
  auto engine = Open(cfg);
  ASSERT_TRUE(engine);
  auto held = engine->Execute("SELECT 1");
  ASSERT_TRUE(held.ok());
  auto refused = engine->Execute("SELECT 2");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(IsTooManyQueries(refused.status())) << refused.status();
  EXPECT_NE(refused.status().message().find("too many queries"), std::string::npos) << refused.status();
  held->reset();  // the slot goes back
  EXPECT_TRUE(engine->Execute("SELECT 2").ok());
  EXPECT_FALSE(IsTooManyQueries(arrow::Status::CapacityError("a row over the message limit")));
}

TEST_F(TwoVolumeLake, QueriesRunInParallel) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  auto slow = engine->Execute("SELECT count(*) FROM range(100000000000)");
  ASSERT_TRUE(slow.ok());
  std::thread t([&] { (void)(*slow)->Next(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // While the slow query runs, a small one answers at once.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls")[0][0], "15");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  (*slow)->Cancel();
  t.join();
}

TEST_F(TwoVolumeLake, RefreshSeesAnExternalWriter) {
  auto engine = Open(TestConfig({hot_, cold_}));
  ASSERT_TRUE(engine);
  const auto version = engine->catalog_version();
  {
    auto w = LakeWriter::Open(cold_);
    w.Exec("INSERT INTO w.calls VALUES (999, TIMESTAMP '2026-11-02', 'CANCEL', NULL)");
    w.Exec("CREATE TABLE w.fresh (v VARCHAR)");
    w.Exec("INSERT INTO w.fresh VALUES ('new')");
  }
  // Rows: visible without a refresh, once the catalog's copy caught up (every 100 ms).
  std::string count;
  for (int i = 0; i < 50 && count != "16"; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    count = Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls")[0][0];
  }
  EXPECT_EQ(count, "16");
  ASSERT_TRUE(engine->Refresh().ok());
  EXPECT_GT(engine->catalog_version(), version);
  EXPECT_EQ(Rows(*engine, "SELECT v, storage_volume FROM homer_lake.main.fresh"),
            (std::vector<std::vector<std::string>>{{"new", "cold"}}));
  const auto same = engine->catalog_version();
  ASSERT_TRUE(engine->Refresh().ok());
  EXPECT_EQ(engine->catalog_version(), same);  // nothing changed, nothing rebuilt
}

TEST_F(TwoVolumeLake, FailedVolumeIsSkippedAndReported) {
  auto missing = LocalVolume(dir_.path(), "gone");
  auto engine = Open(TestConfig({hot_, missing}));
  ASSERT_TRUE(engine);
  auto volumes = engine->volumes();
  ASSERT_EQ(volumes.size(), 2u);
  EXPECT_TRUE(volumes[0].attached);
  EXPECT_FALSE(volumes[1].attached);
  EXPECT_NE(volumes[1].error.find("volume 'gone'"), std::string::npos) << volumes[1].error;
  EXPECT_NE(volumes[1].error.find("does not exist"), std::string::npos) << volumes[1].error;
  // The merged lake does not answer from fewer volumes than it has, unless asked to.
  auto merged = engine->Execute("SELECT count(*) FROM homer_lake.main.calls");
  ASSERT_TRUE(merged.ok()) << merged.status();
  auto st = (*merged)->Next().status();
  EXPECT_TRUE(st.IsIOError()) << st;
  EXPECT_NE(st.message().find("volume 'gone' is not attached"), std::string::npos) << st;
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls WHERE storage_volume = 'hot'")[0][0], "10");
}

TEST_F(TwoVolumeLake, PartialAnswersLeaveAMissingVolumeOutAndSayWhich) {
  auto missing = LocalVolume(dir_.path(), "gone");
  auto cfg = TestConfig({hot_, missing});
  cfg.ducklake.partial_answers = true;
  auto engine = Open(cfg);
  ASSERT_TRUE(engine);
  for (const char* sql : {"SELECT count(*) FROM homer_lake.main.calls", "SELECT count(*) FROM HOMER_LAKE.calls",
                          "SELECT (SELECT count(*) FROM \"homer_lake\".main.calls)"}) {
    auto query = engine->Execute(sql);
    ASSERT_TRUE(query.ok()) << sql << ": " << query.status();
    ASSERT_EQ((*query)->partial().missing.size(), 1u) << sql;
    EXPECT_EQ((*query)->partial().missing[0].name, "gone");
    EXPECT_NE((*query)->partial().missing[0].reason.find("does not exist"), std::string::npos);
    auto mark = (*query)->schema()->metadata();
    ASSERT_TRUE(mark && mark->Contains(kPartialMetadataKey)) << sql;
    EXPECT_NE(mark->Get(kPartialMetadataKey)->find("\"name\":\"gone\""), std::string::npos);
    EXPECT_EQ(Rows(*engine, sql)[0][0], "10") << sql;
  }
  // Complete answers: a volume's own catalog, no table at all.
  for (const char* sql : {"SELECT count(*) FROM homer_lake_hot.main.calls", "SELECT 1"}) {
    auto query = engine->Execute(sql);
    ASSERT_TRUE(query.ok()) << query.status();
    EXPECT_FALSE((*query)->partial().partial()) << sql;
    EXPECT_FALSE((*query)->schema()->metadata() && (*query)->schema()->metadata()->Contains(kPartialMetadataKey));
  }
  // Back: the views hold it again and the answer is whole.
  {
    auto w = LakeWriter::Open(missing);
    w.Exec("CREATE TABLE w.calls (id INTEGER, ts TIMESTAMP, method VARCHAR)");
    w.Exec("INSERT INTO w.calls VALUES (1000, NULL, 'ACK')");
  }
  ASSERT_TRUE(engine->Refresh().ok());
  auto query = engine->Execute("SELECT count(*) FROM homer_lake.main.calls");
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_FALSE((*query)->partial().partial());
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls")[0][0], "11");
}

TEST_F(TwoVolumeLake, NoVolumeAttachedRefusesToStart) {
  auto engine = Engine::Open(TestConfig({LocalVolume(dir_.path(), "gone")}), NoRefresh());
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("no volume could be attached"), std::string::npos);
}

TEST_F(TwoVolumeLake, DataPathMismatchNamesTheFix) {
  auto moved = hot_;
  moved.path = (dir_.path() / "elsewhere").string() + "/";
  auto engine = Engine::Open(TestConfig({moved}), NoRefresh());
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("override_data_path"), std::string::npos) << engine.status();
  moved.override_data_path = true;
  auto fixed = Open(TestConfig({moved}));
  EXPECT_TRUE(fixed);
}

TEST_F(TwoVolumeLake, DefaultVolumeIsTheLakeItself) {
  auto only = hot_;
  only.name = "default";
  auto engine = Open(TestConfig({only}));
  ASSERT_TRUE(engine);
  EXPECT_EQ(engine->volumes()[0].catalog, "homer_lake");
  EXPECT_EQ(Rows(*engine, "SELECT count(*) FROM homer_lake.main.calls")[0][0], "10");
}

}  // namespace
}  // namespace homer::engine
