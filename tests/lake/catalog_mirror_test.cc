#include "lake/catalog_mirror.h"

#include <gtest/gtest.h>

#include "duckdb/database.h"
#include "duckdb/sql_text.h"
#include "lake/volume.h"
#include "testing/lake_fixture.h"

namespace homer::lake {
namespace {

using homer::testing::LakeWriter;
using homer::testing::LocalVolume;
using homer::testing::TempDir;

/// What a reader sees of the table: rows, a checksum and the extremes of every type the writer
/// uses (dates and times are text in a SQLite catalog's inlined rows, native in the mirror).
constexpr const char* kSummary =
    "SELECT count(*), sum(i), sum(hash(s)), max(ts)::VARCHAR, max(tz)::VARCHAR, max(d)::VARCHAR, "
    "max(j::VARCHAR), sum(u) FROM {}.main.t";

std::string Summary(const duckdb::Connection& con, const std::string& catalog) {
  std::string sql = kSummary;
  sql.replace(sql.find("{}"), 2, catalog);
  auto rows = duckdb::QueryRows(con, sql);
  EXPECT_TRUE(rows.ok()) << rows.status();
  std::string out;
  if (rows.ok()) {
    for (const auto& cell : rows->at(0)) out += cell + "|";
  }
  return out;
}

class CatalogMirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    volume_ = LocalVolume(dir_.path(), "hot");
    writer_ = std::make_unique<LakeWriter>(LakeWriter::Open(volume_, "lake"));
    writer_->Exec("CREATE TABLE lake.t (i INTEGER, s VARCHAR, ts TIMESTAMP, tz TIMESTAMPTZ, d DATE, j JSON, "
                  "u UINTEGER)");
    writer_->Exec("INSERT INTO lake.t SELECT i, 's' || i, TIMESTAMP '2026-01-01' + i * INTERVAL 1 SECOND, "
                  "TIMESTAMPTZ '2026-01-01 00:00:00+00', DATE '2026-01-01', '{\"a\": 1}', 7 FROM range(1000) r(i)");
    // Small commits inlined in the catalog, as HOMER's writer marks are.
    writer_->Exec("CALL lake.set_option('data_inlining_row_limit', 10)");
    writer_->Exec("INSERT INTO lake.t VALUES (5000, 'inlined', TIMESTAMP '2026-02-02 01:02:03', "
                  "TIMESTAMPTZ '2026-02-02 01:02:03+00', DATE '2026-02-02', '{\"b\": 2}', 9)");
    duckdb::DatabaseOptions options;
    options.extension_dir = homer::testing::ExtensionDir();
    db_ = std::move(*duckdb::OpenDatabase(options));
    con_ = std::move(*duckdb::Connect(db_));
    auto mirror = CatalogMirror::Attach(con_, volume_, "mirror", dir_.str());
    ASSERT_TRUE(mirror.ok()) << mirror.status();
    mirror_ = std::move(*mirror);
    reader_ = std::move(*duckdb::Connect(db_));
  }

  /// What the writer's own attach reads of the live catalog.
  std::string Live() {
    auto con = duckdb::Connect(db_);
    EXPECT_TRUE(duckdb::Exec(*con, "ATTACH IF NOT EXISTS " + duckdb::QuoteLiteral("ducklake:sqlite:" +
                                                                                  volume_.catalog_path) +
                                       " AS live (READ_ONLY)").ok());
    std::string out = Summary(*con, "live");
    EXPECT_TRUE(duckdb::Exec(*con, "DETACH live").ok());
    return out;
  }

  void Sync() {
    auto changed = mirror_->Capture();
    ASSERT_TRUE(changed.ok()) << changed.status();
    EXPECT_TRUE(*changed);
    auto st = mirror_->Publish(con_);
    ASSERT_TRUE(st.ok()) << st;
  }

  TempDir dir_;
  config::VolumeConfig volume_;
  std::unique_ptr<LakeWriter> writer_;
  duckdb::Database db_;
  duckdb::Connection con_;
  duckdb::Connection reader_;
  std::unique_ptr<CatalogMirror> mirror_;
};

TEST_F(CatalogMirrorTest, ReadsWhatTheLiveCatalogHoldsThroughEveryKindOfChange) {
  const std::string first = Summary(reader_, "mirror");
  EXPECT_EQ(first, Live());
  // The inlined row, with its values (its time is the latest; a SQLite catalog stores it as text).
  EXPECT_NE(first.find("|2026-02-02 01:02:03|2026-02-02 01:02:03+00|2026-02-02|{\"b\": 2}|"), std::string::npos)
      << first;

  auto unchanged = mirror_->Capture();
  ASSERT_TRUE(unchanged.ok());
  EXPECT_FALSE(*unchanged);

  // Files, deletes, a new table, a new column (a new schema version and inlined table).
  writer_->Exec("INSERT INTO lake.t SELECT i, 's' || i, TIMESTAMP '2026-03-01', now(), DATE '2026-03-01', '{}', 1 "
                "FROM range(2000, 2500) r(i)");
  writer_->Exec("DELETE FROM lake.t WHERE i < 100");
  writer_->Exec("CREATE TABLE lake.u AS SELECT 1 AS a");
  writer_->Exec("ALTER TABLE lake.t ADD COLUMN extra INTEGER");
  writer_->Exec("INSERT INTO lake.t (i, s, extra) VALUES (7000, 'after alter', 5)");
  EXPECT_EQ(Summary(reader_, "mirror"), first);  // nothing published yet
  Sync();
  EXPECT_EQ(Summary(reader_, "mirror"), Live());
  EXPECT_EQ(*duckdb::QueryValue(reader_, "SELECT a FROM mirror.main.u", {}), "1");
  EXPECT_EQ(*duckdb::QueryValue(reader_, "SELECT sum(extra) FROM mirror.main.t", {}), "5");

  // Inlined rows flushed to files (their tables dropped in the live catalog), files merged.
  writer_->Exec("CALL ducklake_flush_inlined_data('lake')");
  writer_->Exec("CALL ducklake_merge_adjacent_files('lake')");
  Sync();
  EXPECT_EQ(Summary(reader_, "mirror"), Live());

  writer_->Exec("INSERT INTO lake.t (i, s, extra) VALUES (8000, 'again', 6)");
  writer_->Exec("DELETE FROM lake.t WHERE i = 7000");  // an inlined delete
  Sync();
  EXPECT_EQ(Summary(reader_, "mirror"), Live());

  writer_->Exec("CALL ducklake_expire_snapshots('lake', older_than => now() + INTERVAL 1 day)");
  writer_->Exec("CALL ducklake_cleanup_old_files('lake', cleanup_all => true)");
  Sync();
  EXPECT_EQ(Summary(reader_, "mirror"), Live());
  EXPECT_EQ(*duckdb::QueryValue(reader_, "SELECT count(*) FROM ducklake_snapshots('mirror')", {}), "1");
}

TEST_F(CatalogMirrorTest, AQueryKeepsItsSnapshotWhileACopyIsPublished) {
  ASSERT_TRUE(duckdb::Exec(reader_, "BEGIN TRANSACTION").ok());
  const std::string before = Summary(reader_, "mirror");
  writer_->Exec("INSERT INTO lake.t (i) SELECT i FROM range(10000, 10100) r(i)");
  Sync();
  EXPECT_EQ(Summary(reader_, "mirror"), before);
  ASSERT_TRUE(duckdb::Exec(reader_, "COMMIT").ok());
  EXPECT_EQ(Summary(reader_, "mirror"), Live());
  EXPECT_NE(Summary(reader_, "mirror"), before);
}

TEST_F(CatalogMirrorTest, TheLiveCatalogIsNeverLockedBetweenCopies) {
  // A reader of the mirror in the middle of a transaction holds nothing on the live file: a
  // writer with SQLite's default rollback journal (DuckDB's) commits.
  ASSERT_TRUE(duckdb::Exec(reader_, "BEGIN TRANSACTION").ok());
  Summary(reader_, "mirror");
  for (int i = 0; i < 5; ++i) writer_->Exec("INSERT INTO lake.t (i) VALUES (" + std::to_string(20000 + i) + ")");
  ASSERT_TRUE(duckdb::Exec(reader_, "COMMIT").ok());
  Sync();
  EXPECT_EQ(Summary(reader_, "mirror"), Live());
}

TEST_F(CatalogMirrorTest, PublishingKeepsOnlyTheCatalogsRows) {
  // DuckDB keeps deleted rows of a table with an index (and of a partly deleted row group): a copy
  // whose rows were deleted and inserted at every publish held every version it ever published.
  for (int i = 0; i < 40; ++i) {
    writer_->Exec("INSERT INTO lake.t (i) SELECT i FROM range(" + std::to_string(30000 + 100 * i) + ", " +
                  std::to_string(30100 + 100 * i) + ") r(i)");
    Sync();
  }
  EXPECT_EQ(Summary(reader_, "mirror"), Live());
  const std::string metadata = MetadataCatalogName("mirror");
  for (const char* table : {"ducklake_snapshot", "ducklake_data_file", "ducklake_file_column_stats"}) {
    auto held = duckdb::QueryValue(reader_, "SELECT estimated_size FROM duckdb_tables() WHERE database_name = " +
                                                duckdb::QuoteLiteral(metadata) + " AND table_name = '" + table + "'",
                                   {});
    auto rows = duckdb::QueryValue(reader_, "SELECT count(*) FROM " + duckdb::QualifiedName(metadata, "main", table),
                                   {});
    ASSERT_TRUE(held.ok() && rows.ok()) << table;
    EXPECT_EQ(*held, *rows) << table;
  }
}

TEST_F(CatalogMirrorTest, AConfiguredDataPathThatIsNotTheCatalogsIsRefused) {
  auto moved = volume_;
  moved.path = (dir_.path() / "elsewhere").string() + "/";
  auto mirror = CatalogMirror::Attach(con_, moved, "moved", dir_.str());
  ASSERT_FALSE(mirror.ok());
  EXPECT_NE(mirror.status().message().find("is not the volume's path"), std::string::npos) << mirror.status();
  moved.override_data_path = true;
  EXPECT_TRUE(CatalogMirror::Attach(con_, moved, "moved", dir_.str()).ok());
}

}  // namespace
}  // namespace homer::lake
