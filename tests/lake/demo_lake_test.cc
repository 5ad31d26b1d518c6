#include "lake/demo_lake.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>

#include "duckdb/database.h"
#include "duckdb/sql_text.h"

namespace homer::lake {
namespace {

using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

namespace fs = std::filesystem;

constexpr int kDays = 3;
constexpr int kHotDays = 1;
constexpr int64_t kCalls = 50;

const std::vector<std::string> kTables = {
    "hep_proto_1_call",     "hep_proto_1_registration", "hep_proto_1_default",  "hep_proto_5_default",
    "hep_proto_34_default", "hep_proto_35_default",     "hep_proto_100_default"};

fs::path FreshDir(const std::string& tag) {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("demo_lake_test_" + tag + "_" + std::to_string(rd()));
  fs::remove_all(dir);
  return dir;
}

int64_t Today() {
  return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count();
}

DemoLakeOptions SmallLake(const fs::path& dir, uint64_t seed = 42) {
  DemoLakeOptions options;
  options.dir = dir.string();
  options.days = kDays;
  options.hot_days = kHotDays;
  options.calls_per_day = kCalls;
  options.seed = seed;
  options.extension_dir = HOMER_NODE_DEFAULT_EXTENSION_DIR;
  return options;
}

/// `table` of both volumes as one relation.
std::string BothVolumes(const std::string& table) {
  return "(SELECT * FROM " + QualifiedName("hot", "main", table) + " UNION ALL SELECT * FROM " +
         QualifiedName("cold", "main", table) + ")";
}

/// A fresh DuckDB with both volumes of a demo lake attached read-only as "hot" and "cold".
struct LakeReader {
  duckdb::Database db;
  duckdb::Connection con;

  explicit LakeReader(const DemoLakeLayout& layout) {
    duckdb::DatabaseOptions options;
    options.extension_dir = HOMER_NODE_DEFAULT_EXTENSION_DIR;
    auto opened = duckdb::OpenDatabase(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return;
    db = std::move(*opened);
    auto connected = duckdb::Connect(db);
    EXPECT_TRUE(connected.ok()) << connected.status().ToString();
    if (!connected.ok()) return;
    con = std::move(*connected);
    for (const auto& v : layout.volumes) {
      const auto st = duckdb::Exec(con, "ATTACH " + QuoteLiteral("ducklake:sqlite:" + v.catalog_path) + " AS " +
                                          QuoteIdent(v.name) + " (DATA_PATH " + QuoteLiteral(v.data_path) +
                                          ", READ_ONLY)");
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  }

  std::vector<std::vector<std::string>> Rows(const std::string& sql) const {
    auto rows = duckdb::QueryRows(con, sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString() << "\n" << sql;
    return rows.ok() ? *rows : std::vector<std::vector<std::string>>{};
  }
  std::string Value(const std::string& sql) const {
    const auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? std::string("<none>") : rows[0][0];
  }
  /// Rows of `relation` matching `where`, as text.
  std::string Count(const std::string& relation, const std::string& where = "true") const {
    return Value("SELECT count(*) FROM " + relation + " WHERE " + where);
  }
};

class DemoLakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(FreshDir("main"));
    progress_ = new std::vector<std::string>();
    DemoLakeOptions options = SmallLake(*dir_);
    options.progress = [](const std::string& line) { progress_->push_back(line); };
    day_before_ = Today();
    auto result = GenerateDemoLake(options);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    layout_ = new DemoLakeLayout(*result);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete layout_;
    delete progress_;
  }
  void SetUp() override { ASSERT_NE(layout_, nullptr) << "the demo lake was not generated"; }

  static fs::path* dir_;
  static DemoLakeLayout* layout_;
  static std::vector<std::string>* progress_;
  static int64_t day_before_;
};

fs::path* DemoLakeTest::dir_ = nullptr;
DemoLakeLayout* DemoLakeTest::layout_ = nullptr;
std::vector<std::string>* DemoLakeTest::progress_ = nullptr;
int64_t DemoLakeTest::day_before_ = 0;

TEST_F(DemoLakeTest, ReportsLayoutAndProgress) {
  const fs::path root = fs::absolute(*dir_);
  ASSERT_EQ(layout_->volumes.size(), 2u);
  EXPECT_EQ(layout_->volumes[0].name, "hot");
  EXPECT_EQ(fs::path(layout_->volumes[0].catalog_path), root / "homer_lake.sqlite");
  EXPECT_EQ(layout_->volumes[0].data_path, (root / "data" / "hot").string() + "/");
  EXPECT_EQ(layout_->volumes[1].name, "cold");
  EXPECT_EQ(fs::path(layout_->volumes[1].catalog_path), root / "homer_lake_cold.sqlite");
  EXPECT_EQ(layout_->volumes[1].data_path, (root / "data" / "cold").string() + "/");
  EXPECT_TRUE(DemoLakeExists(dir_->string()));
  EXPECT_EQ(progress_->size(), static_cast<size_t>(kDays));

  LakeReader lake(*layout_);
  int64_t total = 0;
  for (const auto& table : kTables) total += std::stoll(lake.Count(BothVolumes(table)));
  EXPECT_EQ(total, layout_->rows_written);
  EXPECT_GT(total, kDays * kCalls * 5);
}

TEST_F(DemoLakeTest, EveryTableHasTheHomerSchemaInBothVolumes) {
  const std::string head = "uuid VARCHAR, date DATE, timestamp TIMESTAMP, session_id VARCHAR, ";
  const std::string addresses = "src_ip VARCHAR, dst_ip VARCHAR, src_port UINTEGER, dst_port UINTEGER, ";
  const std::string tail = "node_id VARCHAR, cid VARCHAR, payload VARCHAR, data_extra JSON";
  const std::string media = head + addresses + "protocol UINTEGER, " + tail;
  const std::map<std::string, std::string> expected = {
      {"hep_proto_1_call", head + "caller VARCHAR, callee VARCHAR, " + addresses +
                               "method VARCHAR, response_code VARCHAR, cseq_method VARCHAR, protocol UINTEGER, " +
                               tail},
      {"hep_proto_1_registration", head + "aor VARCHAR, contact VARCHAR, expires VARCHAR, user_agent VARCHAR, " +
                                       addresses + "method VARCHAR, response_code VARCHAR, protocol UINTEGER, " +
                                       "node_id VARCHAR, payload VARCHAR, data_extra JSON"},
      {"hep_proto_1_default", head + addresses + "method VARCHAR, response_code VARCHAR, protocol UINTEGER, " + tail},
      {"hep_proto_5_default", media},
      {"hep_proto_34_default", media},
      {"hep_proto_35_default", media},
      {"hep_proto_100_default", head + "src_ip VARCHAR, dst_ip VARCHAR, node_id VARCHAR, payload VARCHAR, "
                                       "data_extra JSON"},
  };
  LakeReader lake(*layout_);
  for (const auto& volume : {"hot", "cold"}) {
    const std::string in_volume = "database_name = " + QuoteLiteral(volume) + " AND schema_name = 'main'";
    EXPECT_EQ(lake.Count("duckdb_tables()", in_volume), std::to_string(expected.size())) << volume;
    for (const auto& [table, columns] : expected) {
      const std::string got = lake.Value(
          "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY column_index) FROM duckdb_columns() "
          "WHERE " + in_volume + " AND table_name = " + QuoteLiteral(table));
      EXPECT_EQ(got, columns) << volume << "." << table;
      EXPECT_NE(lake.Count(QualifiedName(volume, "main", table)), "0") << volume << "." << table;
    }
  }
}

TEST_F(DemoLakeTest, HotHoldsTheNewestDaysAndColdTheRest) {
  const int64_t today = Today();
  if (today != day_before_) GTEST_SKIP() << "the UTC date changed while the test ran";
  std::set<std::string> hot_days, cold_days;
  for (int d = 0; d < kDays; ++d) {
    (d >= kDays - kHotDays ? hot_days : cold_days).insert(DateText(today - (kDays - 1 - d)));
  }
  LakeReader lake(*layout_);
  for (const auto& table : kTables) {
    for (const auto& [volume, days] : {std::pair{"hot", hot_days}, std::pair{"cold", cold_days}}) {
      const std::string qualified = QualifiedName(volume, "main", table);
      std::set<std::string> got;
      for (const auto& row : lake.Rows("SELECT DISTINCT date FROM " + qualified)) got.insert(row[0]);
      EXPECT_EQ(got, days) << qualified;
      EXPECT_EQ(lake.Count(qualified, "CAST(timestamp AS DATE) <> date"), "0") << qualified;
    }
  }
}

TEST_F(DemoLakeTest, EachCallRunsItsSipFlowInTimestampOrder) {
  LakeReader lake(*layout_);
  const auto calls = lake.Rows(
      "SELECT session_id, string_agg(method || '/' || cseq_method, ' ' ORDER BY timestamp), count(DISTINCT cid), "
      "bool_and(cid = session_id), bool_and((response_code = '') = NOT regexp_full_match(method, '[0-9]+')), "
      "bool_and(response_code IN ('', method)) FROM " + BothVolumes("hep_proto_1_call") + " GROUP BY ALL");
  ASSERT_EQ(calls.size(), static_cast<size_t>(kDays * kCalls));
  const std::regex answered(R"(INVITE/INVITE .*\b200/INVITE ACK/ACK( .*)? BYE/BYE 200/BYE)");
  const std::regex failed(R"(INVITE/INVITE .*\b(404|408|486|487|503)/INVITE ACK/ACK)");
  std::map<std::string, int> outcomes;
  for (const auto& call : calls) {
    const std::string& flow = call[1];
    EXPECT_EQ(call[2], "1") << call[0];
    EXPECT_EQ(call[3], "true") << call[0];
    EXPECT_EQ(call[4], "true") << "requests have no response_code, responses do: " << flow;
    EXPECT_EQ(call[5], "true") << "a response's method is its code: " << flow;
    EXPECT_NE(flow.find("INVITE/INVITE 100/INVITE"), std::string::npos) << "100 Trying answers the INVITE: " << flow;
    std::smatch m;
    if (std::regex_match(flow, answered)) {
      ++outcomes["answered"];
    } else if (std::regex_match(flow, m, failed)) {
      ++outcomes[m[1]];
      EXPECT_EQ(flow.find("BYE"), std::string::npos) << flow;
    } else {
      ADD_FAILURE() << call[0] << " has no INVITE...BYE or INVITE...final response flow: " << flow;
    }
    if (flow.find("CANCEL/CANCEL") != std::string::npos) {
      EXPECT_NE(flow.find("CANCEL/CANCEL 200/CANCEL 487/INVITE ACK/ACK"), std::string::npos) << flow;
    }
  }
  EXPECT_GT(outcomes["answered"], kDays * kCalls / 2);
  EXPECT_GE(outcomes.size(), 3u) << "expected answered calls and several failure kinds";
}

TEST_F(DemoLakeTest, RegistrationsChallengeThenRegister) {
  LakeReader lake(*layout_);
  const auto flows = lake.Rows("SELECT session_id, string_agg(method, ' ' ORDER BY timestamp) FROM " +
                               BothVolumes("hep_proto_1_registration") + " GROUP BY ALL");
  ASSERT_FALSE(flows.empty());
  for (const auto& flow : flows) {
    EXPECT_TRUE(flow[1] == "REGISTER 401 REGISTER 200" || flow[1] == "REGISTER 401 REGISTER 403") << flow[1];
  }
}

TEST_F(DemoLakeTest, PayloadsAreWellFormedSipAndReferenceTheirCall) {
  LakeReader lake(*layout_);
  const std::string calls = BothVolumes("hep_proto_1_call");
  // Content-Length counts the bytes after the blank line.
  EXPECT_EQ(lake.Count(calls, "CAST(regexp_extract(payload, 'Content-Length: (\\d+)', 1) AS INT) <> "
                              "strlen(payload) - strlen(split_part(payload, E'\\r\\n\\r\\n', 1)) - 4"), "0");
  EXPECT_EQ(lake.Count(calls, "method = 'INVITE' AND NOT (payload LIKE 'INVITE sip:%' AND "
                              "payload LIKE ('%\r\nCall-ID: ' || cid || '\r\n%') AND payload LIKE '%m=audio %' AND "
                              "payload LIKE '%c=IN IP4 %')"), "0");
  EXPECT_EQ(lake.Count(calls, "response_code <> '' AND payload NOT LIKE ('SIP/2.0 ' || response_code || ' %')"), "0");
  // A cancelled call is one INVITE transaction: CANCEL and the ACK of the 487 reuse its Via branch.
  EXPECT_EQ(lake.Value("SELECT count(*) FROM (SELECT session_id FROM " + calls + " GROUP BY ALL HAVING "
                       "bool_or(method = 'CANCEL') AND "
                       "count(DISTINCT regexp_extract(payload, 'branch=(\\w+)', 1)) > 1)"),
            "0");
  const auto sizes = lake.Rows("SELECT min(strlen(payload)), max(strlen(payload)) FROM " + calls);
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_GE(std::stod(sizes[0][0]), 200);
  EXPECT_LE(std::stod(sizes[0][1]), 1200);
  EXPECT_EQ(lake.Count(calls, "json_extract_string(data_extra, 'correlation_id') <> cid"), "0");
  EXPECT_EQ(lake.Count(calls, "protocol NOT IN (6, 17)"), "0");
  EXPECT_NE(lake.Count(calls, "protocol = 17"), "0");
  // Media reports and logs belong to calls of the same volume.
  for (const auto& volume : {"hot", "cold"}) {
    for (const auto& table : {"hep_proto_5_default", "hep_proto_34_default", "hep_proto_35_default",
                              "hep_proto_100_default"}) {
      const std::string known = "(SELECT session_id FROM " + QualifiedName(volume, "main", "hep_proto_1_call") + ")";
      EXPECT_EQ(lake.Count(QualifiedName(volume, "main", table), "session_id NOT IN " + known), "0")
          << volume << "." << table;
    }
  }
  EXPECT_EQ(lake.Count(BothVolumes("hep_proto_5_default"),
                       "NOT json_valid(payload) OR "
                       "json_extract_string(payload, '$.report_blocks[0].ia_jitter') IS NULL"),
            "0");
}

TEST_F(DemoLakeTest, FilesLiveInDatePartitionsOrderedByTimestamp) {
  const std::regex layout(R"(main/(hep_proto_[0-9a-z_]+)/date=(\d{4}-\d{2}-\d{2})/[^/]+\.parquet)");
  LakeReader lake(*layout_);
  size_t files = 0;
  for (const auto& volume : layout_->volumes) {
    size_t on_disk = 0;
    for (const auto& entry : fs::recursive_directory_iterator(volume.data_path)) {
      if (!entry.is_regular_file()) continue;
      ++on_disk;
      const std::string relative = fs::relative(entry.path(), volume.data_path).generic_string();
      std::smatch m;
      ASSERT_TRUE(std::regex_match(relative, m, layout)) << relative;
      const auto stats = lake.Rows(
          "SELECT count(DISTINCT date), min(date)::VARCHAR, count(*) FILTER (WHERE timestamp < prev) FROM "
          "(SELECT date, timestamp, lag(timestamp) OVER (ORDER BY file_row_number) AS prev FROM read_parquet(" +
          QuoteLiteral(entry.path().string()) + ", file_row_number = true, hive_partitioning = false))");
      ASSERT_EQ(stats.size(), 1u);
      EXPECT_EQ(stats[0][0], "1") << relative;
      EXPECT_EQ(stats[0][1], m[2].str()) << relative;
      EXPECT_EQ(stats[0][2], "0") << relative << " is not ordered by timestamp";
    }
    // The catalog knows exactly the files on disk.
    std::string listed;
    for (const auto& table : kTables) {
      listed += std::string(listed.empty() ? "" : " UNION ALL ") + "SELECT data_file FROM ducklake_list_files(" +
                QuoteLiteral(volume.name) + ", " + QuoteLiteral(table) + ")";
    }
    EXPECT_EQ(lake.Count("(" + listed + ")"), std::to_string(on_disk)) << volume.name;
    EXPECT_EQ(lake.Count("(" + listed + ")", "NOT starts_with(data_file, " + QuoteLiteral(volume.data_path) + ")"),
              "0");
    files += on_disk;
  }
  EXPECT_GE(files, kTables.size() * kDays);
}

/// Order-insensitive fingerprint of every table of a lake: row count and per-column hash sums.
std::vector<std::vector<std::string>> Fingerprint(const DemoLakeLayout& layout) {
  LakeReader lake(layout);
  std::vector<std::vector<std::string>> out;
  for (const auto& volume : {"hot", "cold"}) {
    for (const auto& table : kTables) {
      auto rows = lake.Rows("SELECT count(*), sum(hash(COLUMNS(*))) FROM " + QualifiedName(volume, "main", table));
      out.insert(out.end(), rows.begin(), rows.end());
    }
  }
  return out;
}

TEST_F(DemoLakeTest, SameSeedGivesSameRowsAndAnotherSeedDoesNot) {
  const fs::path same_dir = FreshDir("same"), other_dir = FreshDir("other");
  auto same = GenerateDemoLake(SmallLake(same_dir));
  auto other = GenerateDemoLake(SmallLake(other_dir, 7));
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  if (Today() != day_before_) GTEST_SKIP() << "the UTC date changed while the test ran";
  const auto reference = Fingerprint(*layout_);
  EXPECT_EQ(Fingerprint(*same), reference);
  EXPECT_EQ(same->rows_written, layout_->rows_written);
  EXPECT_NE(Fingerprint(*other), reference);
  fs::remove_all(same_dir);
  fs::remove_all(other_dir);
}

TEST_F(DemoLakeTest, RefusesToWriteIntoAnExistingLake) {
  const auto catalog_time = fs::last_write_time(layout_->volumes[0].catalog_path);
  auto again = GenerateDemoLake(SmallLake(*dir_));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsAlreadyExists()) << again.status().ToString();
  EXPECT_NE(again.status().message().find("homer_lake.sqlite"), std::string::npos) << again.status().ToString();
  EXPECT_EQ(fs::last_write_time(layout_->volumes[0].catalog_path), catalog_time);
  LakeReader lake(*layout_);  // nothing was appended
  EXPECT_EQ(lake.Value("SELECT count(DISTINCT session_id) FROM hot.main.hep_proto_1_call"),
            std::to_string(kHotDays * kCalls));
  EXPECT_EQ(lake.Value("SELECT count(*) - count(DISTINCT uuid) FROM hot.main.hep_proto_1_call"), "0");
}

TEST(DemoLakePartialTest, RefusesAPartialLakeAndLeavesItAlone) {
  const fs::path dir = FreshDir("partial");
  fs::create_directories(dir / "data" / "cold" / "main");
  std::ofstream(dir / "data" / "cold" / "main" / "leftover.parquet") << "x";
  EXPECT_FALSE(DemoLakeExists(dir.string()));
  auto result = GenerateDemoLake(SmallLake(dir));
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsAlreadyExists()) << result.status().ToString();
  EXPECT_FALSE(fs::exists(dir / "homer_lake.sqlite")) << "nothing may be written next to a partial lake";
  EXPECT_TRUE(fs::exists(dir / "data" / "cold" / "main" / "leftover.parquet"));

  fs::remove_all(dir / "data");
  std::ofstream(dir / "homer_lake_cold.sqlite") << "";
  result = GenerateDemoLake(SmallLake(dir));
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsAlreadyExists()) << result.status().ToString();
  EXPECT_EQ(fs::file_size(dir / "homer_lake_cold.sqlite"), 0u);
  fs::remove_all(dir);
}

TEST(DemoLakeCleanupTest, AFailedRunRemovesWhatItWrote) {
  const fs::path dir = FreshDir("cleanup");
  DemoLakeOptions options = SmallLake(dir);
  int days_done = 0;
  options.progress = [&](const std::string&) {
    // Sabotage the next day: a file where the call table's folder is.
    const fs::path table = fs::absolute(dir) / "data" / "cold" / "main" / "hep_proto_1_call";
    fs::remove_all(table);
    std::ofstream(table) << "not a folder";
    ++days_done;
  };
  auto result = GenerateDemoLake(options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(days_done, 1);
  EXPECT_TRUE(result.status().IsIOError()) << result.status().ToString();
  EXPECT_FALSE(fs::exists(dir / "homer_lake.sqlite"));
  EXPECT_FALSE(fs::exists(dir / "homer_lake_cold.sqlite"));
  EXPECT_FALSE(fs::exists(dir / "data"));
  fs::remove_all(dir);
}

TEST(DemoLakeOptionsTest, RejectsBadOptionsAndRecoversFromAFailedStart) {
  const fs::path dir = FreshDir("options");
  DemoLakeOptions options = SmallLake(dir);
  options.days = 0;
  EXPECT_TRUE(GenerateDemoLake(options).status().IsInvalid());
  options = SmallLake(dir);
  options.lake_name = "homer lake";
  EXPECT_TRUE(GenerateDemoLake(options).status().IsInvalid());
  options = SmallLake(dir);
  options.calls_per_day = 0;
  EXPECT_TRUE(GenerateDemoLake(options).status().IsInvalid());

  options = SmallLake(dir);
  options.extension_dir = (dir / "no-such-bundle").string();
  EXPECT_FALSE(GenerateDemoLake(options).ok());
  EXPECT_FALSE(fs::exists(dir / "homer_lake.sqlite"));
  EXPECT_FALSE(fs::exists(dir / "data" / "hot"));
  // The failed start left nothing behind that blocks the next run.
  options = SmallLake(dir);
  options.days = 1;
  options.calls_per_day = 5;
  auto result = GenerateDemoLake(options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(DemoLakeExists(dir.string()));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace homer::lake
