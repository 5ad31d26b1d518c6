#pragma once
/// \file
/// The node's configuration as plain structs, with the original HOMER node's keys and defaults.

#include <cstdint>
#include <string>
#include <vector>

namespace homer::config {

/// Where a volume's data files live; parsed once from `type` by the loader.
enum class VolumeType { kLocal, kS3 };

struct VolumeConfig {
  std::string name;
  VolumeType type = VolumeType::kLocal;  ///< "local" | "s3"
  std::string catalog_type = "sqlite";
  std::string catalog_path;  ///< required
  std::string path;          ///< data directory or s3://bucket/prefix/
  std::string s3_region;
  std::string s3_access_key_id;
  std::string s3_secret_access_key;
  std::string s3_endpoint;  ///< host[:port]; a scheme given by the user is stripped
  bool s3_use_ssl = true;
  std::string s3_url_style;  ///< "" means path
  bool override_data_path = false;
};

struct FlightServerConfig {
  std::string host = "0.0.0.0";
  int port = 50051;
  std::string auth_token;
  int64_t max_message_size = 16 * 1024 * 1024;
};

struct FlightSqlServerConfig {
  bool enable = false;
  std::string host = "0.0.0.0";
  int port = 50055;
  std::string auth_token;
  int catalog_refresh_interval_sec = 30;
  bool tls_enable = false;
  std::string tls_cert;
  std::string tls_key;
  /// Cast the types Grafana's data frames cannot show (DECIMAL, DATE, HUGEINT, UBIGINT, lists,
  /// JSON, ...) to ones they can.
  bool grafana_cast_types = false;
};

struct DuckLakeConfig {
  std::string lake_name = "homer_lake";
  std::vector<VolumeConfig> volumes;
  int threads = 0;  ///< 0: DuckDB's default (one per core)
  std::string memory_limit = "2GB";
  std::string temp_directory;  ///< "" means <dir of first catalog>/.duckdb_spill
  /// Spill (temp_directory) a query may write before it fails: DuckDB's default is 90% of the
  /// free disk, which one ORDER BY can fill next to the lake.
  std::string max_temp_directory_size = "10GB";
  int query_timeout_sec = 300;  ///< 0 disables the timeout
  int max_concurrent_queries = 64;  ///< queries running at once; more wait for a free slot
  int query_wait_sec = 30;  ///< how long a query waits for a free slot before "try later" (0: not at all)
};

struct HttpConfig {
  int64_t max_body_bytes = 1024 * 1024;
  int threads = 32;  ///< connections served at once
  bool metrics_public = false;  ///< serve GET /metrics without the token (a scraper without credentials)
};

struct ServerConfig {
  bool enable = true;
  FlightServerConfig flight_server;
  FlightSqlServerConfig flightsql_server;
  DuckLakeConfig ducklake;
  HttpConfig http;

  int http_port() const { return flight_server.port + 1; }
};

}  // namespace homer::config
