// catalog_type "postgres": the keys of node volumes and of storage.ducklake, their checks, and the
// password, which no error may show.
#include <gtest/gtest.h>

#include "config/catalog.h"
#include "config/config_loader.h"

namespace homer::config {
namespace {

constexpr const char* kPassword = "s3cr3t-Pa55";
constexpr const char* kDsn = "host=127.0.0.1 port=5432 dbname=homer user=homer";

std::string NodeVolume(const std::string& keys) {
  return R"({"node": {"ducklake": {"volumes": [{"name": "hot", "catalog_type": "postgres", )" + keys + "}]}}}";
}

std::string ErrorOf(const std::string& json, const Environment& env = {}) {
  auto cfg = ParseConfig(json, env);
  EXPECT_FALSE(cfg.ok()) << json;
  return cfg.ok() ? "" : cfg.status().message();
}

TEST(PostgresCatalog, NodeVolumeKeysAreRead) {
  auto cfg = ParseConfig(NodeVolume(std::string(R"("catalog_dsn": ")") + kDsn + R"(", "catalog_password": ")" +
                                    kPassword + R"(", "path": "/lake/data/")"),
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& v = cfg->ducklake.volumes[0];
  EXPECT_EQ(v.catalog_type, CatalogType::kPostgres);
  EXPECT_EQ(v.catalog_dsn, kDsn);
  EXPECT_EQ(v.catalog_password, kPassword);
  EXPECT_EQ(v.catalog_path, "");
  EXPECT_EQ(CatalogLabel(v), std::string("postgres:") + kDsn);
  EXPECT_EQ(LocalDirectory(v), "/lake");  // next to the data folder: spill, token file
}

TEST(PostgresCatalog, PasswordDefaultsToEmptyAndComesFromTheEnvironment) {
  const std::string json = NodeVolume(std::string(R"("catalog_dsn": ")") + kDsn + R"(", "path": "/d/")");
  auto cfg = ParseConfig(json, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_password, "");  // libpq's own sources then (PGPASSWORD, .pgpass)
  cfg = ParseConfig(json, {{"HOMER_NODE_DUCKLAKE_VOLUMES_0_CATALOG_PASSWORD", kPassword}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_password, kPassword);
}

TEST(PostgresCatalog, BadKeysAreNamedByTheirPath) {
  std::string err = ErrorOf(NodeVolume(R"("catalog_path": "/x.sqlite")"));
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_dsn: required with catalog_type postgres"),
            std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_path: not used with catalog_type postgres"),
            std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].path: required with catalog_type postgres"), std::string::npos)
      << err;
  err = ErrorOf(NodeVolume(R"("catalog_dsn": "postgresql://homer@db/homer", "path": "/d/")"));
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_dsn: use libpq's keyword/value form"), std::string::npos)
      << err;
  err = ErrorOf(R"({"node": {"ducklake": {"volumes": [{"name": "hot", "catalog_path": "/h.sqlite",
    "catalog_dsn": "host=db", "catalog_password": "x"}]}}})");
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_dsn: only for catalog_type postgres"), std::string::npos)
      << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_password: only for catalog_type postgres"),
            std::string::npos) << err;
  err = ErrorOf(NodeVolume(R"("catalog_type": "mysql", "catalog_dsn": "host=db", "path": "/d/")"));
  EXPECT_NE(err.find("unknown catalog_type 'mysql' (expected sqlite or postgres)"), std::string::npos) << err;
}

TEST(PostgresCatalog, APasswordInTheDsnIsRefusedWithoutShowingIt) {
  for (const std::string keyword : {"password", "PassWord ", "sslpassword"}) {
    const std::string dsn = std::string(kDsn) + " " + keyword + "=" + kPassword;
    std::string err = ErrorOf(NodeVolume(R"("catalog_dsn": ")" + dsn + R"(", "path": "/d/")"));
    EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_dsn: must not hold a password"), std::string::npos)
        << err;
    EXPECT_NE(err.find("HOMER_NODE_DUCKLAKE_VOLUMES_0_CATALOG_PASSWORD"), std::string::npos) << err;
    EXPECT_EQ(err.find(kPassword), std::string::npos) << err;
  }
  // A URI can hold one too (user:password@): never quoted either.
  std::string err = ErrorOf(NodeVolume(std::string(R"("catalog_dsn": "postgres://homer:)") + kPassword +
                                       R"(@db/homer", "path": "/d/")"));
  EXPECT_EQ(err.find(kPassword), std::string::npos) << err;
  // Nor is the password key's own value, whatever else is wrong.
  err = ErrorOf(NodeVolume(std::string(R"("catalog_password": ")") + kPassword + R"(", "bogus": 1)"));
  EXPECT_EQ(err.find(kPassword), std::string::npos) << err;
}

std::string Storage(const std::string& keys, const std::string& extra = "") {
  return R"({"storage": {"enable": true, "ducklake": {"catalog_type": "postgres", )" + keys + "}}" + extra + "}";
}

TEST(PostgresCatalog, StorageKeysAndTheNodeServingThem) {
  const std::string keys = std::string(R"("catalog_dsn": ")") + kDsn + R"(", "data_path": "/lake/data")";
  auto cfg = ParseConfig(Storage(keys, R"(, "node": {"enable": true})"),
                         {{"HOMER_STORAGE_DUCKLAKE_CATALOG_PASSWORD", kPassword}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->storage.ducklake.catalog_type, CatalogType::kPostgres);
  EXPECT_EQ(cfg->storage.ducklake.catalog_password, kPassword);
  // All-in-one without node volumes: the node serves the writer's catalog, password included.
  ASSERT_EQ(cfg->ducklake.volumes.size(), 1u);
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_type, CatalogType::kPostgres);
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_dsn, kDsn);
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_password, kPassword);
  EXPECT_EQ(cfg->ducklake.volumes[0].path, "/lake/data/");

  // With node volumes, the writer's is found by its DSN (no catalog_path to compare).
  cfg = ParseConfig(Storage(keys, std::string(R"(, "node": {"ducklake": {"volumes": [
      {"name": "other", "catalog_type": "postgres", "catalog_dsn": "host=elsewhere dbname=x", "path": "/o/"},
      {"name": "fresh", "catalog_type": "postgres", "catalog_dsn": ")") + kDsn + R"(", "path": "/lake/data/"}]}})"),
                    {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->storage.volume_name, "fresh");
  std::string err = ErrorOf(Storage(keys, R"(, "node": {"ducklake": {"volumes": [
      {"name": "other", "catalog_type": "postgres", "catalog_dsn": "host=elsewhere dbname=x", "path": "/o/"}]}})"));
  EXPECT_NE(err.find("no volume has the writer's catalog_dsn 'host=127.0.0.1"), std::string::npos) << err;
  EXPECT_NE(err.find("(storage.ducklake.catalog_dsn)"), std::string::npos) << err;
}

TEST(PostgresCatalog, StorageChecks) {
  std::string err = ErrorOf(Storage(R"("catalog_path": "/a.sqlite", "data_path": "s3://b/p/")"));
  EXPECT_NE(err.find("$.storage.ducklake.catalog_dsn: required with catalog_type postgres"), std::string::npos)
      << err;
  EXPECT_NE(err.find("$.storage.ducklake.catalog_path: not used with catalog_type postgres"), std::string::npos)
      << err;
  // s3 data leaves no local folder for the journal: it must be named.
  EXPECT_NE(err.find("$.storage.ducklake.journal_path: required with a postgres catalog and s3 data"),
            std::string::npos) << err;
  err = ErrorOf(Storage(std::string(R"("catalog_dsn": ")") + kDsn + " password=" + kPassword +
                        R"(", "data_path": "/d")"));
  EXPECT_NE(err.find("$.storage.ducklake.catalog_dsn: must not hold a password"), std::string::npos) << err;
  EXPECT_NE(err.find("HOMER_STORAGE_DUCKLAKE_CATALOG_PASSWORD"), std::string::npos) << err;
  EXPECT_EQ(err.find(kPassword), std::string::npos) << err;
}

TEST(PostgresCatalog, AStoragePolicyIsRefusedForNow) {
  const std::string policy = R"(, "storage_policy": {"enable": true, "volumes": [{"name": "hot", "priority": 0},
      {"name": "cold", "priority": 1, "path": "/cold/"}]})";
  std::string err = ErrorOf(Storage(std::string(R"("catalog_dsn": ")") + kDsn + R"(", "data_path": "/d")" + policy));
  EXPECT_NE(err.find("$.storage.ducklake.storage_policy.enable: a storage policy needs sqlite catalogs"),
            std::string::npos) << err;
  // A postgres tier under a sqlite writer too.
  err = ErrorOf(R"({"storage": {"enable": true, "ducklake": {"catalog_path": "/l/a.sqlite", "data_path": "/d",
      "storage_policy": {"enable": true, "volumes": [{"name": "hot", "priority": 0},
      {"name": "cold", "priority": 1, "path": "/cold/", "catalog_type": "postgres", "catalog_dsn": "host=db"}]}}}})");
  EXPECT_NE(err.find("storage_policy.enable: a storage policy needs sqlite catalogs"), std::string::npos) << err;
  // Off, the same keys are fine.
  auto cfg = ParseConfig(Storage(std::string(R"("catalog_dsn": ")") + kDsn + R"(", "data_path": "/d")" +
                                 R"(, "storage_policy": {"enable": false})"),
                         {});
  EXPECT_TRUE(cfg.ok()) << cfg.status();
}

}  // namespace
}  // namespace homer::config
