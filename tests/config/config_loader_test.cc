#include "config/config_loader.h"

#include <gtest/gtest.h>

namespace homer::config {
namespace {

const char* kMinimal = R"({"node": {"ducklake": {"volumes": [{"name": "hot", "catalog_path": "/lake/hot.sqlite",
                           "path": "/lake/data/"}]}}})";

std::string ErrorOf(const std::string& json, const Environment& env = {}) {
  auto cfg = ParseConfig(json, env);
  EXPECT_FALSE(cfg.ok()) << json;
  return cfg.ok() ? "" : cfg.status().message();
}

TEST(ConfigLoader, DefaultsMatchTheOriginal) {
  auto cfg = ParseConfig(kMinimal, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->flight_server.host, "0.0.0.0");
  EXPECT_EQ(cfg->flight_server.port, 50051);
  EXPECT_EQ(cfg->http_port(), 50052);
  EXPECT_EQ(cfg->flight_server.max_message_size, 16777216);
  EXPECT_FALSE(cfg->flightsql_server.enable);
  EXPECT_EQ(cfg->flightsql_server.port, 50055);
  EXPECT_EQ(cfg->flightsql_server.catalog_refresh_interval_sec, 30);
  EXPECT_EQ(cfg->ducklake.lake_name, "homer_lake");
  EXPECT_EQ(cfg->ducklake.memory_limit, "2GB");
  ASSERT_EQ(cfg->ducklake.volumes.size(), 1u);
  const auto& v = cfg->ducklake.volumes[0];
  EXPECT_EQ(v.type, VolumeType::kLocal);
  EXPECT_EQ(v.catalog_type, CatalogType::kSqlite);
  EXPECT_TRUE(v.s3_use_ssl);
  EXPECT_FALSE(v.override_data_path);
}

TEST(ConfigLoader, ReadsEveryVolumeField) {
  auto cfg = ParseConfig(R"({"node": {"flight_server": {"port": 0},
    "flightsql_server": {"enable": true, "catalog_refresh_interval_sec": -1},
    "ducklake": {"lake_name": "lake", "threads": 2, "memory_limit": "1GB",
    "volumes": [{"name": "hot", "catalog_path": "/a.sqlite", "path": "/d/"},
                {"name": "cold", "type": "s3", "catalog_path": "/a_cold.sqlite", "path": "s3://b/p/",
                 "s3_region": "eu", "s3_access_key_id": "k", "s3_secret_access_key": "s",
                 "s3_endpoint": "http://127.0.0.1:9000/", "s3_use_ssl": false, "s3_url_style": "path",
                 "override_data_path": true}]}}})",
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->flight_server.port, 50051);  // 0 means default
  EXPECT_EQ(cfg->flightsql_server.catalog_refresh_interval_sec, 30);  // <= 0 means 30
  const auto& cold = cfg->ducklake.volumes[1];
  EXPECT_EQ(cold.s3_endpoint, "127.0.0.1:9000");  // scheme and trailing slash stripped
  EXPECT_FALSE(cold.s3_use_ssl);
  EXPECT_TRUE(cold.override_data_path);
  EXPECT_EQ(cold.s3_secret_access_key, "s");
  EXPECT_EQ(cfg->ducklake.threads, 2);
}

TEST(ConfigLoader, NamesEveryBadKeyAsAJsonPath) {
  std::string err = ErrorOf(R"({"node": {"flight_server": {"port": 70000, "bogus": 1},
    "ducklake": {"volumes": [{"name": "a", "type": "azure", "catalog_type": "oracle"},
                             {"name": "a", "catalog_path": "/x", "s3_use_ssl": "yes"}]}}})");
  EXPECT_NE(err.find("$.node.flight_server.port: port 70000 is out of range"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.flight_server.bogus: unknown key"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].type: unknown type 'azure'"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_type: unknown catalog_type 'oracle'"), std::string::npos);
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_path: required"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[1].name: duplicate volume name 'a'"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[1].s3_use_ssl: must be true or false"), std::string::npos) << err;
}

TEST(ConfigLoader, RejectsWrongTypesAndShapes) {
  EXPECT_NE(ErrorOf("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"node": []})").find("$.node: must be an object"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"node": {"ducklake": {"volumes": {}}}})").find("$.node.ducklake.volumes: must be an array"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"node": {"ducklake": {"volumes": []}}})").find("at least one volume"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"nod": {}})").find("$.nod: unknown key"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"node": {"flight_server": {"port": "50051"}, "ducklake": {"volumes": []}}})")
                .find("$.node.flight_server.port: must be an integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"node": {"flight_server": {"port": 65535}, "ducklake": {"volumes": []}}})")
                .find("out of range 1-65534"),
            std::string::npos);  // the HTTP API needs port + 1
}

TEST(ConfigLoader, ANumberTooLargeIsInvalidJson) {
  // Found by fuzzing: the JSON parser's out_of_range escaped the loader.
  EXPECT_NE(ErrorOf("1e999999").find("config is not valid JSON"), std::string::npos);
}

TEST(ConfigLoader, HttpConnectionBoundsHaveDefaultsAndAreRead) {
  auto cfg = ParseConfig(kMinimal, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->http.max_connections, 1024);
  EXPECT_EQ(cfg->http.max_connections_per_ip, 128);
  EXPECT_EQ(cfg->http.header_timeout_sec, 10);
  EXPECT_EQ(cfg->http.body_timeout_sec, 30);
  EXPECT_EQ(cfg->http.keep_alive_timeout_sec, 5);
  EXPECT_EQ(cfg->http.max_header_bytes, 65536);
  cfg = ParseConfig(R"({"node": {"http": {"max_connections": 10, "max_connections_per_ip": 2,
    "header_timeout_sec": 3, "body_timeout_sec": 4, "keep_alive_timeout_sec": 6, "max_header_bytes": 2048},
    "ducklake": {"volumes": [{"name": "hot", "catalog_path": "/h.sqlite", "path": "/d/"}]}}})",
                    {{"HOMER_NODE_HTTP_BODY_TIMEOUT_SEC", "7"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->http.max_connections, 10);
  EXPECT_EQ(cfg->http.max_connections_per_ip, 2);
  EXPECT_EQ(cfg->http.header_timeout_sec, 3);
  EXPECT_EQ(cfg->http.body_timeout_sec, 7);  // the environment wins
  EXPECT_EQ(cfg->http.keep_alive_timeout_sec, 6);
  EXPECT_EQ(cfg->http.max_header_bytes, 2048);
}

TEST(ConfigLoader, HttpConnectionBoundsAreCheckedWithTheirPath) {
  std::string err = ErrorOf(R"({"node": {"http": {"max_connections": 0, "max_connections_per_ip": 5,
    "header_timeout_sec": 0, "body_timeout_sec": -1, "keep_alive_timeout_sec": 99999, "max_header_bytes": 10},
    "ducklake": {"volumes": [{"name": "hot", "catalog_path": "/h.sqlite", "path": "/d/"}]}}})");
  EXPECT_NE(err.find("$.node.http.max_connections: must be between 1 and"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.http.max_connections_per_ip: must be between 1 and 0"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.http.header_timeout_sec: must be between 1 and 3600"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.http.body_timeout_sec: must be between 1 and 3600"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.http.keep_alive_timeout_sec: must be between 1 and 3600"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.http.max_header_bytes: must be between 1024 and"), std::string::npos) << err;
}

TEST(ConfigLoader, CatalogMirrorsAreOnByDefaultAndTheirIntervalIsChecked) {
  auto cfg = ParseConfig(kMinimal, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_TRUE(cfg->ducklake.mirror_catalogs);
  EXPECT_EQ(cfg->ducklake.mirror_interval_ms, 100);
  cfg = ParseConfig(kMinimal, {{"HOMER_NODE_DUCKLAKE_MIRROR_CATALOGS", "false"},
                               {"HOMER_NODE_DUCKLAKE_MIRROR_INTERVAL_MS", "250"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_FALSE(cfg->ducklake.mirror_catalogs);
  EXPECT_EQ(cfg->ducklake.mirror_interval_ms, 250);
  std::string err = ErrorOf(R"({"node": {"ducklake": {"mirror_interval_ms": 5, "mirror_catalogs": "yes",
    "volumes": [{"name": "hot", "catalog_path": "/h.sqlite", "path": "/d/"}]}}})");
  EXPECT_NE(err.find("$.node.ducklake.mirror_interval_ms: must be between 10 and 60000"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.mirror_catalogs:"), std::string::npos) << err;
}

TEST(ConfigLoader, ParquetFootersAreCachedByDefault) {
  auto cfg = ParseConfig(kMinimal, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_TRUE(cfg->ducklake.parquet_metadata_cache);
  cfg = ParseConfig(kMinimal, {{"HOMER_NODE_DUCKLAKE_PARQUET_METADATA_CACHE", "false"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_FALSE(cfg->ducklake.parquet_metadata_cache);
}

TEST(ConfigLoader, PartialAnswersAreOffByDefault) {
  auto cfg = ParseConfig(kMinimal, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_FALSE(cfg->ducklake.partial_answers);
  cfg = ParseConfig(kMinimal, {{"HOMER_NODE_DUCKLAKE_PARTIAL_ANSWERS", "true"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_TRUE(cfg->ducklake.partial_answers);
  cfg = ParseConfig(R"({"node": {"ducklake": {"partial_answers": true,
    "volumes": [{"name": "hot", "catalog_path": "/h.sqlite", "path": "/d/"}]}}})", {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_TRUE(cfg->ducklake.partial_answers);
  std::string err = ErrorOf(R"({"node": {"ducklake": {"partial_answers": "yes",
    "volumes": [{"name": "hot", "catalog_path": "/h.sqlite", "path": "/d/"}]}}})");
  EXPECT_NE(err.find("$.node.ducklake.partial_answers: must be true or false"), std::string::npos) << err;
  err = ErrorOf(kMinimal, {{"HOMER_NODE_DUCKLAKE_PARTIAL_ANSWERS", "maybe"}});
  EXPECT_NE(err.find("HOMER_NODE_DUCKLAKE_PARTIAL_ANSWERS: must be true or false, got 'maybe'"), std::string::npos)
      << err;
}

TEST(ConfigLoader, AnEnvironmentIndexIsBounded) {
  // Found by fuzzing: an index past size_t threw out of the loader; a large one made that many volumes.
  for (const std::string index : {"99999999999999999999999", "256", "100000000"}) {
    const std::string err = ErrorOf(kMinimal, {{"HOMER_NODE_DUCKLAKE_VOLUMES_" + index + "_NAME", "x"}});
    EXPECT_NE(err.find("HOMER_NODE_DUCKLAKE_VOLUMES_" + index + "_NAME: index " + index + " is out of range (0..255)"),
              std::string::npos) << err;
  }
}

TEST(ConfigLoader, EnvironmentOverridesAndAddsVolumes) {
  Environment env = {{"HOMER_NODE_FLIGHTSQL_SERVER_ENABLE", "true"},
                     {"HOMER_NODE_FLIGHT_SERVER_PORT", "6000"},
                     {"HOMER_NODE_DUCKLAKE_VOLUMES_0_CATALOG_PATH", "/env/hot.sqlite"},
                     {"HOMER_NODE_DUCKLAKE_VOLUMES_1_NAME", "cold"},
                     {"HOMER_NODE_DUCKLAKE_VOLUMES_1_CATALOG_PATH", "/env/cold.sqlite"}};
  auto cfg = ParseConfig(kMinimal, env);
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_TRUE(cfg->flightsql_server.enable);
  EXPECT_EQ(cfg->flight_server.port, 6000);
  ASSERT_EQ(cfg->ducklake.volumes.size(), 2u);
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_path, "/env/hot.sqlite");
  EXPECT_EQ(cfg->ducklake.volumes[1].name, "cold");
}

TEST(ConfigLoader, BadEnvironmentIsNamed) {
  EXPECT_NE(ErrorOf(kMinimal, {{"HOMER_NODE_FLIGHT_SERVER_PORT", "abc"}})
                .find("environment HOMER_NODE_FLIGHT_SERVER_PORT: must be an integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf(kMinimal, {{"HOMER_NODE_FLIGHT_SERVER_PROT", "1"}})
                .find("environment HOMER_NODE_FLIGHT_SERVER_PROT: matches no config key"),
            std::string::npos);
}

TEST(ConfigLoader, DefaultVolumeCannotBeMerged) {
  std::string err = ErrorOf(R"({"node": {"ducklake": {"volumes": [
      {"name": "default", "catalog_path": "/a"}, {"name": "cold", "catalog_path": "/b"}]}}})");
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].name: a volume named 'default'"), std::string::npos) << err;
}

TEST(ConfigLoader, MissingFileIsAnIOError) {
  auto cfg = LoadConfig("/nonexistent/homer.json", {});
  ASSERT_FALSE(cfg.ok());
  EXPECT_TRUE(cfg.status().IsIOError());
  EXPECT_NE(cfg.status().message().find("/nonexistent/homer.json"), std::string::npos);
}

const char* kWriter = R"({
  "ingest": {"enable": true},
  "storage": {"enable": true, "ducklake": {"catalog_path": "/lake/homer_lake.sqlite", "data_path": "/lake/data"}},
  "node": {"flight_server": {"port": 6000}}})";

TEST(ConfigLoader, CaptureModulesHaveHomersDefaults) {
  auto cfg = ParseConfig(kWriter, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_TRUE(cfg->enable && cfg->ingest.enable && cfg->storage.enable);
  EXPECT_EQ(cfg->ingest.udp.port, 9060);
  EXPECT_EQ(cfg->ingest.udp.receive_buffer_bytes, 8 * 1024 * 1024);
  EXPECT_FALSE(cfg->ingest.tcp.enable);
  EXPECT_EQ(cfg->ingest.http.port, 9080);
  EXPECT_EQ(cfg->ingest.queue_size, 200000);
  const auto& d = cfg->storage.ducklake;
  EXPECT_EQ(d.lake_name, "homer_lake");
  EXPECT_EQ(d.batch_size, 10000);
  EXPECT_EQ(d.flush_interval_sec, 30);
  EXPECT_EQ(d.durable_interval_ms, 200);
  // All-in-one without node volumes: the node serves the writer's lake as volume 'hot'.
  ASSERT_EQ(cfg->ducklake.volumes.size(), 1u);
  EXPECT_EQ(cfg->ducklake.volumes[0].name, "hot");
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_path, "/lake/homer_lake.sqlite");
  EXPECT_EQ(cfg->ducklake.volumes[0].path, "/lake/data/");
  EXPECT_EQ(cfg->storage.volume_name, "hot");
}

TEST(ConfigLoader, CaptureKeysAreCheckedWithTheirPath) {
  EXPECT_NE(ErrorOf(R"({"ingest": {"enable": true, "udp": {"port": 70000}, "queue_size": 1},
                        "storage": {"enable": true, "ducklake": {"batch_size": 0, "durable_interval_ms": 5}}})")
                .find("$.ingest.udp.port: port 70000 is out of range"),
            std::string::npos);
  const std::string all = ErrorOf(R"({"ingest": {"enable": true, "queue_size": 1, "sip": {"aleg_ids": "X-CID"},
                        "bogus": 1}, "storage": {"enable": true, "ducklake": {"batch_size": 0}}})");
  for (const char* expected : {"$.ingest.queue_size: must be between 16", "$.ingest.sip.aleg_ids: must be an array",
                               "$.ingest.bogus: unknown key", "$.storage.ducklake.batch_size: must be between 1",
                               "$.storage.ducklake.catalog_path: required", "$.storage.ducklake.data_path: required"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << " in " << all;
  }
  EXPECT_NE(ErrorOf(R"({"ingest": {"enable": true}})").find("$.ingest.enable: ingest needs storage"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"node": {"enable": false}})").find("no other module"), std::string::npos);
}

TEST(ConfigLoader, TheWritersS3EndpointIsNormalizedAsAVolumes) {
  auto cfg = ParseConfig(R"({"storage": {"enable": true, "ducklake": {"catalog_path": "/lake/a.sqlite",
    "data_path": "s3://homer/lake/", "s3": {"endpoint": "http://minio.internal:9000/", "use_ssl": false}}},
    "node": {}})", {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  ASSERT_EQ(cfg->ducklake.volumes.size(), 1u);
  EXPECT_EQ(cfg->ducklake.volumes[0].type, VolumeType::kS3);
  EXPECT_EQ(cfg->ducklake.volumes[0].s3_endpoint, "minio.internal:9000");
  EXPECT_FALSE(cfg->ducklake.volumes[0].s3_use_ssl);
}

TEST(ConfigLoader, TheWritersVolumeMustBeOneOfTheNodes) {
  auto cfg = ParseConfig(R"({"storage": {"enable": true, "ducklake": {"catalog_path": "/lake/a.sqlite", "data_path": "/d"}},
    "node": {"ducklake": {"volumes": [{"name": "fast", "catalog_path": "/lake/./a.sqlite", "path": "/d/"},
                                       {"name": "cold", "catalog_path": "/lake/c.sqlite", "path": "/c/"}]}}})",
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->storage.volume_name, "fast");
  EXPECT_NE(ErrorOf(R"({"storage": {"enable": true, "ducklake": {"catalog_path": "/lake/a.sqlite", "data_path": "/d"}},
    "node": {"ducklake": {"volumes": [{"name": "cold", "catalog_path": "/lake/c.sqlite", "path": "/c/"}]}}})")
                .find("no volume has the writer's catalog_path"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"storage": {"enable": true, "ducklake": {"catalog_path": "/lake/a.sqlite", "data_path": "/d"}},
    "node": {"ducklake": {"volumes": [{"name": "default", "catalog_path": "/lake/a.sqlite", "path": "/d/"}]}}})")
                .find("cannot be named 'default'"),
            std::string::npos);
}

TEST(ConfigLoader, CaptureKeysComeFromTheEnvironmentToo) {
  auto cfg = ParseConfig(kWriter, {{"HOMER_INGEST_UDP_PORT", "9999"},
                                   {"HOMER_INGEST_SIP_ALEG_IDS", "X-CID,X-Leg"},
                                   {"HOMER_STORAGE_DUCKLAKE_BATCH_SIZE", "5"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->ingest.udp.port, 9999);
  EXPECT_EQ(cfg->ingest.sip.aleg_ids, (std::vector<std::string>{"X-CID", "X-Leg"}));
  EXPECT_EQ(cfg->storage.ducklake.batch_size, 5);
  EXPECT_NE(ErrorOf(kWriter, {{"HOMER_INGEST_UDP_PROT", "1"}}).find("HOMER_INGEST_UDP_PROT: matches no config key"),
            std::string::npos);
}

/// An all-in-one config whose writer has the given storage_policy (and node section).
std::string Tiered(const std::string& policy, const std::string& node = "{}", const std::string& extra = "") {
  return R"({"storage": {"enable": true, "ducklake": {"catalog_path": "/var/lib/homer/homer_lake.sqlite",
    "data_path": "/var/lib/homer/data", "s3": {"region": "eu-west-1", "access_key_id": "wk",
    "secret_access_key": "ws", "endpoint": "http://minio:9000/", "use_ssl": false, "url_style": "path"},
    )" + extra + R"("storage_policy": )" + policy + R"(}}, "node": )" + node + "}";
}

const char* kHotCold = R"({"enable": true, "volumes": [
    {"name": "cold", "type": "s3", "path": "s3://homer-cold/lake/", "priority": 10, "max_data_age_days": 30},
    {"name": "hot", "priority": 1, "max_data_age_days": 2}]})";

TEST(ConfigLoader, StoragePolicyAndCompactionHaveHomersDefaults) {
  auto cfg = ParseConfig(kWriter, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& p = cfg->storage.ducklake.storage_policy;
  EXPECT_FALSE(p.enable);
  EXPECT_TRUE(p.volumes.empty());
  EXPECT_EQ(p.ttl_move_interval_sec, 3600);
  EXPECT_DOUBLE_EQ(p.move_factor, 0.8);
  EXPECT_EQ(p.concurrent_moves, 2);
  EXPECT_FALSE(p.move_on_startup);
  const auto& c = cfg->storage.ducklake.compaction;
  EXPECT_TRUE(c.enable);
  EXPECT_EQ(c.check_interval_sec, 3600);
  EXPECT_EQ(c.retention_days, 0);
  EXPECT_EQ(c.snapshot_expire_interval_sec, 3600);
  EXPECT_EQ(c.min_age_sec, 300);
  EXPECT_EQ(c.max_file_size_bytes, 512 * 1024 * 1024);
  ASSERT_EQ(cfg->ducklake.volumes.size(), 1u);  // no policy: the node serves the writer's volume alone
  EXPECT_EQ(cfg->ducklake.volumes[0].name, "hot");
}

TEST(ConfigLoader, ReadsEveryStoragePolicyAndCompactionKey) {
  auto cfg = ParseConfig(Tiered(R"({"enable": true, "ttl_move_interval_sec": 60, "move_factor": 0.5,
      "concurrent_moves": 4, "move_on_startup": true, "volumes": [
      {"name": "hot", "type": "local", "catalog_type": "sqlite", "catalog_path": "/var/lib/homer/homer_lake.sqlite",
       "path": "/var/lib/homer/data/", "priority": 0, "max_data_age_days": 2, "max_size_gb": 100},
      {"name": "cold", "type": "s3", "catalog_path": "/cat/cold.sqlite", "path": "s3://b/p/", "priority": 5,
       "max_data_age_days": 30, "max_size_gb": 1.5, "s3_region": "us", "s3_access_key_id": "k",
       "s3_secret_access_key": "s", "s3_endpoint": "https://s3.example:443/", "s3_use_ssl": true,
       "s3_url_style": "vhost", "override_data_path": true}]})",
                                "{}", R"("compaction": {"enable": false, "check_interval_sec": 600,
      "retention_days": 90, "snapshot_expire_interval_sec": 7200, "min_age_sec": 0,
      "max_file_size_bytes": 1048576}, )"),
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& p = cfg->storage.ducklake.storage_policy;
  EXPECT_TRUE(p.enable);
  EXPECT_EQ(p.ttl_move_interval_sec, 60);
  EXPECT_DOUBLE_EQ(p.move_factor, 0.5);
  EXPECT_EQ(p.concurrent_moves, 4);
  EXPECT_TRUE(p.move_on_startup);
  ASSERT_EQ(p.volumes.size(), 2u);
  EXPECT_EQ(p.volumes[0].volume.name, "hot");
  EXPECT_EQ(p.volumes[0].priority, 0);
  EXPECT_EQ(p.volumes[0].max_data_age_days, 2);
  EXPECT_DOUBLE_EQ(p.volumes[0].max_size_gb, 100.0);  // an integer is a number too
  const auto& cold = p.volumes[1];
  EXPECT_EQ(cold.priority, 5);
  EXPECT_EQ(cold.max_data_age_days, 30);
  EXPECT_DOUBLE_EQ(cold.max_size_gb, 1.5);
  EXPECT_EQ(cold.volume.type, VolumeType::kS3);
  EXPECT_EQ(cold.volume.catalog_path, "/cat/cold.sqlite");
  EXPECT_EQ(cold.volume.path, "s3://b/p/");
  EXPECT_EQ(cold.volume.s3_region, "us");  // its own keys, not storage.ducklake.s3's
  EXPECT_EQ(cold.volume.s3_access_key_id, "k");
  EXPECT_EQ(cold.volume.s3_secret_access_key, "s");
  EXPECT_EQ(cold.volume.s3_endpoint, "s3.example:443");
  EXPECT_TRUE(cold.volume.s3_use_ssl);
  EXPECT_EQ(cold.volume.s3_url_style, "vhost");
  EXPECT_TRUE(cold.volume.override_data_path);
  const auto& c = cfg->storage.ducklake.compaction;
  EXPECT_FALSE(c.enable);
  EXPECT_EQ(c.check_interval_sec, 600);
  EXPECT_EQ(c.retention_days, 90);
  EXPECT_EQ(c.snapshot_expire_interval_sec, 7200);
  EXPECT_EQ(c.min_age_sec, 0);
  EXPECT_EQ(c.max_file_size_bytes, 1048576);
}

TEST(ConfigLoader, StoragePolicyVolumesAreSortedByPriority) {
  auto cfg = ParseConfig(Tiered(R"({"enable": true, "volumes": [
      {"name": "warm", "path": "/w/", "priority": 5}, {"name": "cold", "path": "/c/", "priority": 9},
      {"name": "fast", "priority": -3}]})"),
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& v = cfg->storage.ducklake.storage_policy.volumes;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].volume.name, "fast");
  EXPECT_EQ(v[0].priority, -3);
  EXPECT_EQ(v[1].volume.name, "warm");
  EXPECT_EQ(v[2].volume.name, "cold");
  EXPECT_EQ(v[2].priority, 9);
}

TEST(ConfigLoader, TieredCatalogAndDataPathsAreDerivedFromTheWriters) {
  auto cfg = ParseConfig(Tiered(R"({"enable": true, "volumes": [
      {"name": "hot", "priority": 0}, {"name": "warm", "path": "/w/", "priority": 1},
      {"name": "cold", "catalog_path": "/elsewhere/c.sqlite", "path": "/c/", "priority": 2}]})"),
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& v = cfg->storage.ducklake.storage_policy.volumes;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].volume.catalog_path, "/var/lib/homer/homer_lake.sqlite");  // the writer's catalog
  EXPECT_EQ(v[0].volume.path, "/var/lib/homer/data/");                       // and data path
  EXPECT_EQ(v[0].volume.type, VolumeType::kLocal);
  EXPECT_EQ(v[1].volume.catalog_path, "/var/lib/homer/homer_lake_warm.sqlite");
  EXPECT_EQ(v[1].volume.path, "/w/");
  EXPECT_EQ(v[2].volume.catalog_path, "/elsewhere/c.sqlite");  // given: kept
}

TEST(ConfigLoader, AnS3PolicyVolumeWithoutKeysTakesTheWriters) {
  auto cfg = ParseConfig(Tiered(R"({"enable": true, "volumes": [{"name": "hot", "priority": 0},
      {"name": "cold", "type": "s3", "path": "s3://homer-cold/lake/", "priority": 1},
      {"name": "archive", "type": "s3", "path": "s3://archive/", "priority": 2, "s3_region": "ap"}]})"),
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& v = cfg->storage.ducklake.storage_policy.volumes;
  ASSERT_EQ(v.size(), 3u);
  const auto& cold = v[1].volume;
  EXPECT_EQ(cold.s3_region, "eu-west-1");
  EXPECT_EQ(cold.s3_access_key_id, "wk");
  EXPECT_EQ(cold.s3_secret_access_key, "ws");
  EXPECT_EQ(cold.s3_endpoint, "minio:9000");  // normalized as a volume's
  EXPECT_FALSE(cold.s3_use_ssl);
  EXPECT_EQ(cold.s3_url_style, "path");
  const auto& archive = v[2].volume;  // has an s3_* key of its own: takes none of the writer's
  EXPECT_EQ(archive.s3_region, "ap");
  EXPECT_EQ(archive.s3_access_key_id, "");
  EXPECT_EQ(archive.s3_endpoint, "");
  EXPECT_TRUE(archive.s3_use_ssl);
  EXPECT_EQ(v[0].volume.s3_access_key_id, "");  // a local volume takes nothing

  // A hot volume on the writer's s3:// data path becomes an s3 volume with the writer's keys.
  cfg = ParseConfig(Tiered(R"({"enable": true, "volumes": [{"name": "hot"}, {"name": "cold", "path": "/c/",
                                "priority": 1}]})", "{}", R"("data_path": "s3://homer/lake", )"),
                    {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& hot = cfg->storage.ducklake.storage_policy.volumes[0].volume;
  EXPECT_EQ(hot.type, VolumeType::kS3);
  EXPECT_EQ(hot.path, "s3://homer/lake");
  EXPECT_EQ(hot.s3_secret_access_key, "ws");
}

TEST(ConfigLoader, StoragePolicyErrorsNameTheirPath) {
  const std::string one = ErrorOf(Tiered(R"({"enable": true, "volumes": [{"name": "hot"}]})"));
  EXPECT_NE(one.find("$.storage.ducklake.storage_policy.volumes: a storage policy needs at least 2 volumes"),
            std::string::npos) << one;
  EXPECT_NE(ErrorOf(Tiered(R"({"enable": true})")).find("storage_policy.volumes: a storage policy needs at least 2"),
            std::string::npos);

  const std::string all = ErrorOf(Tiered(R"({"enable": true, "ttl_move_interval_sec": 5, "move_factor": 0,
      "concurrent_moves": 17, "bogus": 1, "volumes": [
      {"name": "hot", "catalog_path": "/var/lib/homer/other.sqlite", "path": "/elsewhere/", "priority": 0},
      {"name": "default", "path": "/d/", "priority": 1, "max_data_age_days": -1},
      {"name": "hot", "path": "/h/", "priority": 1, "max_size_gb": -2},
      {"name": "cold-1", "priority": 3, "color": "blue"},
      {"name": "_x", "path": "/x/", "priority": 4, "catalog_path": "/var/lib/homer/homer_lake_default.sqlite"},
      {"name": "s3a", "type": "s3", "path": "/not-s3/", "priority": 6, "max_size_gb": "big"}]})",
                                         "{}", R"("compaction": {"check_interval_sec": 1, "retention_days": -1,
      "snapshot_expire_interval_sec": 59, "min_age_sec": 604801, "max_file_size_bytes": 1000, "x": 0}, )"));
  const std::string sp = "$.storage.ducklake.storage_policy";
  for (const std::string expected : {
           sp + ".ttl_move_interval_sec: must be between 10 and 604800",
           sp + ".move_factor: must be more than 0 and at most 1",
           sp + ".concurrent_moves: must be between 1 and 16",
           sp + ".bogus: unknown key",
           sp + ".volumes[0].catalog_path: '/var/lib/homer/other.sqlite' differs from storage.ducklake.catalog_path",
           sp + ".volumes[0].path: '/elsewhere/' differs from storage.ducklake.data_path",
           sp + ".volumes[1].name: 'default' is the lake itself",
           sp + ".volumes[1].max_data_age_days: must be between 0 and 36500",
           sp + ".volumes[2].name: duplicate volume name 'hot' (volumes[0] has it too)",
           sp + ".volumes[2].priority: duplicate priority 1 (volumes[1] has it too)",
           sp + ".volumes[2].max_size_gb: must be 0 (no size rule) or more",
           sp + ".volumes[3].name: use only letters, digits and _",
           sp + ".volumes[3].path: required (only the hot volume",
           sp + ".volumes[3].color: unknown key",
           sp + ".volumes[4].name: names starting with _ are reserved",
           sp + ".volumes[4].catalog_path: '/var/lib/homer/homer_lake_default.sqlite' is also volumes[1]'s catalog",
           sp + ".volumes[5].path: an s3 volume needs an s3://bucket/prefix path",
           sp + ".volumes[5].max_size_gb: must be a number",
           std::string("$.storage.ducklake.compaction.check_interval_sec: must be between 10 and 604800"),
           std::string("$.storage.ducklake.compaction.retention_days: must be between 0 and 36500"),
           std::string("$.storage.ducklake.compaction.snapshot_expire_interval_sec: must be between 60 and 31536000"),
           std::string("$.storage.ducklake.compaction.min_age_sec: must be between 0 and 604800"),
           std::string("$.storage.ducklake.compaction.max_file_size_bytes: must be between 1048576 and 17179869184"),
           std::string("$.storage.ducklake.compaction.x: unknown key")}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << " in " << all;
  }
  EXPECT_NE(ErrorOf(Tiered(R"({"enable": true, "move_factor": 1.01, "volumes": [{"name": "hot"},
                                {"name": "cold", "path": "/c/", "priority": 1}]})"))
                .find(sp + ".move_factor: must be more than 0 and at most 1"),
            std::string::npos);
}

TEST(ConfigLoader, ADisabledStoragePolicyIsReadButNotApplied) {
  // Checked only when in force: one unnamed volume is no error, and the node serves the writer's volume.
  auto cfg = ParseConfig(Tiered(R"({"enable": false, "move_factor": 7, "volumes": [{"priority": 3}]})"), {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_FALSE(cfg->storage.ducklake.storage_policy.enable);
  EXPECT_DOUBLE_EQ(cfg->storage.ducklake.storage_policy.move_factor, 7);
  ASSERT_EQ(cfg->ducklake.volumes.size(), 1u);
  EXPECT_EQ(cfg->ducklake.volumes[0].catalog_path, "/var/lib/homer/homer_lake.sqlite");
  EXPECT_EQ(cfg->storage.volume_name, "hot");
  // Wrong types are errors all the same.
  EXPECT_NE(ErrorOf(Tiered(R"({"enable": "yes"})")).find("$.storage.ducklake.storage_policy.enable: must be true"),
            std::string::npos);
}

TEST(ConfigLoader, ANodeWithoutVolumesServesEveryPolicyVolume) {
  auto cfg = ParseConfig(Tiered(R"({"enable": true, "volumes": [
      {"name": "cold", "type": "s3", "path": "s3://homer-cold/lake/", "priority": 10},
      {"name": "fast", "priority": 1}, {"name": "warm", "path": "/w/", "priority": 5}]})"),
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& v = cfg->ducklake.volumes;
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].name, "fast");
  EXPECT_EQ(v[0].catalog_path, "/var/lib/homer/homer_lake.sqlite");
  EXPECT_EQ(v[0].path, "/var/lib/homer/data/");
  EXPECT_EQ(v[1].name, "warm");
  EXPECT_EQ(v[1].catalog_path, "/var/lib/homer/homer_lake_warm.sqlite");
  EXPECT_EQ(v[2].name, "cold");
  EXPECT_EQ(v[2].type, VolumeType::kS3);
  EXPECT_EQ(v[2].catalog_path, "/var/lib/homer/homer_lake_cold.sqlite");
  EXPECT_EQ(v[2].s3_endpoint, "minio:9000");
  EXPECT_EQ(cfg->storage.volume_name, "fast");  // the writer fills the hot volume
  EXPECT_EQ(cfg->ducklake.lake_name, "homer_lake");
}

TEST(ConfigLoader, NodeVolumesMustIncludeEveryPolicyVolume) {
  const std::string hot =
      R"({"name": "h", "catalog_path": "/var/lib/homer/homer_lake.sqlite", "path": "/var/lib/homer/data/"})";
  const std::string err = ErrorOf(Tiered(kHotCold, R"({"ducklake": {"volumes": [)" + hot + "]}}"));
  EXPECT_NE(err.find("$.node.ducklake.volumes: no volume has the catalog_path '/var/lib/homer/homer_lake_cold.sqlite'"
                     " of storage policy volume 'cold'"),
            std::string::npos) << err;
  EXPECT_EQ(err.find("storage policy volume 'hot'"), std::string::npos) << err;

  auto cfg = ParseConfig(Tiered(kHotCold, R"({"ducklake": {"volumes": [)" + hot + R"(,
      {"name": "c", "type": "s3", "catalog_path": "/var/lib/homer/./homer_lake_cold.sqlite", "path": "s3://x/"}]}})"),
                         {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->ducklake.volumes.size(), 2u);
  EXPECT_EQ(cfg->ducklake.volumes[1].name, "c");  // the node's own volumes, as given
  EXPECT_EQ(cfg->storage.volume_name, "h");
}

TEST(ConfigLoader, StoragePolicyAndCompactionComeFromTheEnvironment) {
  auto cfg = ParseConfig(Tiered(kHotCold), {{"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_TTL_MOVE_INTERVAL_SEC", "60"},
                                            {"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_MOVE_FACTOR", "0.25"},
                                            {"HOMER_STORAGE_DUCKLAKE_COMPACTION_RETENTION_DAYS", "7"},
                                            {"HOMER_STORAGE_DUCKLAKE_COMPACTION_MAX_FILE_SIZE_BYTES", "2097152"},
                                            {"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_VOLUMES_0_PATH", "s3://env/cold/"},
                                            {"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_VOLUMES_1_MAX_SIZE_GB", "2.5"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const auto& p = cfg->storage.ducklake.storage_policy;
  EXPECT_EQ(p.ttl_move_interval_sec, 60);
  EXPECT_DOUBLE_EQ(p.move_factor, 0.25);
  EXPECT_EQ(cfg->storage.ducklake.compaction.retention_days, 7);
  EXPECT_EQ(cfg->storage.ducklake.compaction.max_file_size_bytes, 2097152);
  ASSERT_EQ(p.volumes.size(), 2u);  // indexes are the file's, before sorting: 0 is cold, 1 is hot
  EXPECT_EQ(p.volumes[1].volume.path, "s3://env/cold/");
  EXPECT_DOUBLE_EQ(p.volumes[0].max_size_gb, 2.5);

  // The whole policy from the environment: the index adds volumes.
  cfg = ParseConfig(kWriter, {{"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_ENABLE", "true"},
                              {"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_VOLUMES_0_NAME", "hot"},
                              {"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_VOLUMES_1_NAME", "cold"},
                              {"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_VOLUMES_1_PRIORITY", "1"},
                              {"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_VOLUMES_1_PATH", "/env/cold/"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  ASSERT_EQ(cfg->ducklake.volumes.size(), 2u);
  EXPECT_EQ(cfg->ducklake.volumes[1].catalog_path, "/lake/homer_lake_cold.sqlite");
  EXPECT_EQ(cfg->ducklake.volumes[1].path, "/env/cold/");

  const std::string err = ErrorOf(Tiered(kHotCold), {{"HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_MOVE_FACTOR", "lots"},
                                                     {"HOMER_STORAGE_DUCKLAKE_COMPACTION_MIN_AGE", "1"}});
  EXPECT_NE(err.find("environment HOMER_STORAGE_DUCKLAKE_STORAGE_POLICY_MOVE_FACTOR: must be a number, got 'lots'"),
            std::string::npos) << err;
  EXPECT_NE(err.find("environment HOMER_STORAGE_DUCKLAKE_COMPACTION_MIN_AGE: matches no config key"),
            std::string::npos) << err;
}

/// `kMinimal` with a top-level `log` section.
std::string WithLog(const std::string& log) { return R"({"log": )" + log + ", " + (kMinimal + 1); }

TEST(LogConfig, DefaultsToTextAtInfo) {
  auto cfg = ParseConfig(kMinimal, {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->log.format, LogConfig::Format::kText);
  EXPECT_EQ(cfg->log.level, LogConfig::Level::kInfo);
}

TEST(LogConfig, ReadsFormatAndLevel) {
  auto cfg = ParseConfig(WithLog(R"({"format": "json", "level": "debug"})"), {});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->log.format, LogConfig::Format::kJson);
  EXPECT_EQ(cfg->log.level, LogConfig::Level::kDebug);
}

TEST(LogConfig, BadValuesAreNamedByTheirJsonPath) {
  const std::string err = ErrorOf(WithLog(R"({"format": "xml", "level": "loud", "colour": true})"));
  EXPECT_NE(err.find("$.log.format: unknown format 'xml' (expected text or json)"), std::string::npos) << err;
  EXPECT_NE(err.find("$.log.level: unknown level 'loud'"), std::string::npos) << err;
  EXPECT_NE(err.find("$.log.colour: unknown key"), std::string::npos) << err;
  EXPECT_NE(ErrorOf(WithLog(R"({"format": 1})")).find("$.log.format: must be a string"), std::string::npos);
  EXPECT_NE(ErrorOf(WithLog(R"("json")")).find("$.log: must be an object"), std::string::npos);
}

TEST(LogConfig, TheEnvironmentOverridesTheFile) {
  auto cfg = ParseConfig(WithLog(R"({"format": "text"})"), {{"HOMER_LOG_FORMAT", "json"}, {"HOMER_LOG_LEVEL", "warn"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  EXPECT_EQ(cfg->log.format, LogConfig::Format::kJson);
  EXPECT_EQ(cfg->log.level, LogConfig::Level::kWarn);
  EXPECT_NE(ErrorOf(kMinimal, {{"HOMER_LOG_FORMAT", "yaml"}}).find("$.log.format: unknown format 'yaml'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(kMinimal, {{"HOMER_LOG_FORMT", "json"}}).find("environment HOMER_LOG_FORMT: matches no config key"),
            std::string::npos);
}

}  // namespace
}  // namespace homer::config
