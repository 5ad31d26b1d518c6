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
  EXPECT_EQ(v.catalog_type, "sqlite");
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
    "ducklake": {"volumes": [{"name": "a", "type": "azure", "catalog_type": "postgres"},
                             {"name": "a", "catalog_path": "/x", "s3_use_ssl": "yes"}]}}})");
  EXPECT_NE(err.find("$.node.flight_server.port: port 70000 is out of range"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.flight_server.bogus: unknown key"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].type: unknown type 'azure'"), std::string::npos) << err;
  EXPECT_NE(err.find("$.node.ducklake.volumes[0].catalog_type: unknown catalog_type 'postgres'"), std::string::npos);
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

}  // namespace
}  // namespace homer::config
