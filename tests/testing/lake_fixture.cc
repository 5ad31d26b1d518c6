#include "testing/lake_fixture.h"

#include <gtest/gtest.h>

#include <arrow/scalar.h>

#include <random>

#include "duckdb/sql_text.h"
#include "lake/volume.h"

namespace homer::testing {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("homer-node-test-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ExtensionDir() { return HOMER_NODE_DEFAULT_EXTENSION_DIR; }

LakeWriter LakeWriter::Open(const config::VolumeConfig& volume, const std::string& alias) {
  LakeWriter w;
  duckdb::DatabaseOptions options;
  options.extension_dir = ExtensionDir();
  auto db = duckdb::OpenDatabase(options);
  EXPECT_TRUE(db.ok()) << db.status();
  w.db_ = std::move(*db);
  w.con_ = std::move(*duckdb::Connect(w.db_));
  w.alias_ = alias;
  std::filesystem::create_directories(volume.path);
  w.Exec("ATTACH " + duckdb::QuoteLiteral("ducklake:sqlite:" + volume.catalog_path) + " AS " +
         duckdb::QuoteIdent(alias) + " (DATA_PATH " + duckdb::QuoteLiteral(volume.path) +
         ", DATA_INLINING_ROW_LIMIT 0)");  // rows always land in Parquet files
  return w;
}

void LakeWriter::Exec(const std::string& sql) {
  auto st = duckdb::Exec(con_, sql);
  ASSERT_TRUE(st.ok()) << sql << ": " << st;
}

config::VolumeConfig LocalVolume(const std::filesystem::path& root, const std::string& name) {
  config::VolumeConfig v;
  v.name = name;
  v.catalog_path = (root / (name + ".sqlite")).string();
  v.path = (root / "data" / name).string() + "/";
  return v;
}

config::ServerConfig TestConfig(const std::vector<config::VolumeConfig>& volumes) {
  config::ServerConfig cfg;
  cfg.ducklake.volumes = volumes;
  cfg.ducklake.threads = 2;
  cfg.ducklake.memory_limit = "1GB";
  cfg.ducklake.query_timeout_sec = 30;
  return cfg;
}

std::unique_ptr<engine::Engine> OpenOneTableEngine(const std::filesystem::path& root) {
  auto volume = LocalVolume(root, "default");
  LakeWriter::Open(volume).Exec("CREATE TABLE w.t (x INTEGER)");
  engine::EngineOptions options;
  options.extension_dir = ExtensionDir();
  options.refresh_interval_sec = 0;
  auto engine = engine::Engine::Open(TestConfig({volume}), options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? std::move(*engine) : nullptr;
}

int64_t QueryInt64(engine::Engine& engine, const std::string& sql) {
  auto query = engine.Execute(sql);
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  if (!query.ok()) return -1;
  auto batch = (*query)->Next();
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  if (!batch.ok() || !*batch) return -1;
  return std::static_pointer_cast<arrow::Int64Scalar>((*batch)->column(0)->GetScalar(0).ValueOrDie())->value;
}

duckdb::QueryProfile ProfileQuery(engine::Engine& engine, const std::string& sql) {
  auto query = engine.Execute(sql, {}, {.profile = true});
  EXPECT_TRUE(query.ok()) << query.status();
  if (!query.ok()) return {};
  while (true) {
    auto batch = (*query)->Next();
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok() || !*batch) break;
  }
  return (*query)->profile();
}

}  // namespace homer::testing
