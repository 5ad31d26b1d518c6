#pragma once
/// \file
/// The node's configuration as plain structs, with the original HOMER node's keys and defaults.

#include <cstdint>
#include <string>
#include <vector>

namespace homer::config {

/// Where a volume's data files live; parsed once from `type` by the loader.
enum class VolumeType { kLocal, kS3 };

/// Where a lake's DuckLake catalog (its metadata) lives; parsed once from `catalog_type`.
enum class CatalogType { kSqlite, kPostgres };

struct VolumeConfig {
  std::string name;
  VolumeType type = VolumeType::kLocal;  ///< "local" | "s3"
  CatalogType catalog_type = CatalogType::kSqlite;  ///< "sqlite" | "postgres"
  std::string catalog_path;  ///< sqlite: the catalog file (required)
  std::string catalog_dsn;   ///< postgres: a libpq keyword/value string, never with a password (required)
  std::string catalog_password;  ///< postgres: the role's password; never logged, echoed or served
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
  /// One allocation inside DuckDB (a value a query builds, a vector of them, a hash table's
  /// directory) larger than this fails its query: memory_limit does not bound them
  /// (duckdb/allocator_limits.h).
  std::string max_allocation_size = "512MB";
  /// What DuckDB's allocator may hold at once, all queries and the buffer manager together; an
  /// allocation of 1 MiB or more past it fails its query. "" means twice memory_limit.
  std::string memory_ceiling;
  int query_timeout_sec = 300;  ///< 0 disables the timeout
  int max_concurrent_queries = 64;  ///< queries running at once; more wait for a free slot
  int query_wait_sec = 30;  ///< how long a query waits for a free slot before "try later" (0: not at all)
  /// Read SQLite catalogs through private copies refreshed when they change (engine/catalog_mirrors.h).
  bool mirror_catalogs = true;
  int mirror_interval_ms = 100;  ///< how often the catalogs' files are checked for changes
  /// While a volume is not attached, answer merged queries from the other volumes, marked as
  /// partial on every surface (engine/partial_answer.h), instead of failing them (503, UNAVAILABLE).
  bool partial_answers = false;
  /// Keep parsed Parquet footers between queries (DuckDB's parquet_metadata_cache): a Call-ID
  /// search opens a file per day. The cache is DuckDB memory under memory_limit (evicted, least
  /// recently used first, when memory is short).
  bool parquet_metadata_cache = true;
};

struct HttpConfig {
  int64_t max_body_bytes = 1024 * 1024;
  int threads = 32;  ///< requests served at once (a connection holds a worker only while served)
  bool metrics_public = false;  ///< serve GET /metrics without the token (a scraper without credentials)
  int max_connections = 1024;       ///< open at once; beyond, 503 and closed
  int max_connections_per_ip = 128;  ///< open at once from one client address; beyond, 429 and closed
  int header_timeout_sec = 10;       ///< request line and headers, from their first byte; then 408
  int body_timeout_sec = 30;         ///< the body, once the headers are in; then 408
  int keep_alive_timeout_sec = 5;    ///< an idle kept-alive connection is closed after
  int64_t max_header_bytes = 64 * 1024;  ///< request line + headers; beyond, 431
};

/// `ingest`: HEP receivers (HOMER's keys and defaults).
struct IngestConfig {
  bool enable = false;
  struct Udp {
    bool enable = true;
    std::string host = "0.0.0.0";
    int port = 9060;
    int64_t receive_buffer_bytes = 8 * 1024 * 1024;  ///< SO_RCVBUF asked for (the kernel may cap it)
  } udp;
  struct Tcp {
    bool enable = false;
    std::string host = "0.0.0.0";
    int port = 9060;
    int max_connections = 1024;
    int idle_timeout_sec = 300;  ///< a connection silent this long is closed
  } tcp;
  struct Http {
    bool enable = true;
    std::string host = "0.0.0.0";
    int port = 9080;
    int64_t max_body_bytes = 1024 * 1024;  ///< one POST /api/hep body (one HEP packet)
    std::string auth_token;                ///< Bearer token for POST /api/hep ("" = none)
  } http;
  int64_t queue_size = 200000;         ///< packets between receiving and decoding
  int64_t max_packet_bytes = 65535;    ///< larger packets/frames are dropped (too_large)
  bool hepv2_enable = true;            ///< accept HEP v1/v2 as well as v3
  bool dedup = false;                  ///< drop a payload repeated within 500 ms
  struct Sip {
    std::vector<std::string> aleg_ids;
    bool force_aleg_id = false;
    std::vector<std::string> censored_methods;
    std::vector<std::string> discard_methods;
  } sip;
};

/// `storage.ducklake`: the writer (HOMER's keys and defaults, plus the buffer's).
struct StorageDuckLakeConfig {
  CatalogType catalog_type = CatalogType::kSqlite;
  std::string catalog_path;  ///< sqlite: required when storage is enabled
  std::string catalog_dsn;   ///< postgres: required when storage is enabled (see VolumeConfig)
  std::string catalog_password;
  std::string data_path;     ///< required: a directory or s3://bucket/prefix/
  std::string lake_name = "homer_lake";
  /// Rows of one table appended before they are committed to the buffer (HOMER: the Go-side batch
  /// appended to its in-memory tables); they are committed every durable_interval_ms anyway.
  int64_t batch_size = 10000;
  int flush_interval_sec = 30;    ///< buffered rows are flushed to the lake this often (one commit)
  /// Buffered rows (all tables) that trigger a flush before the interval: bounds the buffer.
  int64_t max_buffer_rows = 200000;
  int64_t data_inlining_row_limit = 0;
  /// Buffered rows become readable this often, and the journal is synced to disk this often.
  int durable_interval_ms = 200;
  std::string journal_path;  ///< the writer's journal folder; "" means <catalog dir>/<lake_name>_journal
  struct Tuning {
    int threads = 0;
    std::string memory_limit;  ///< "" means node.ducklake.memory_limit
    std::string temp_directory;
  } tuning;
  struct S3 {
    std::string region, access_key_id, secret_access_key, endpoint, url_style;
    bool use_ssl = true;
  } s3;

  /// One tier of the storage policy: a volume (the node's keys) and when its data moves on.
  struct PolicyVolumeConfig {
    VolumeConfig volume;
    int priority = 0;  ///< lower is hotter; the writer writes to the lowest
    /// Partitions with date <= today - N move to the next volume (deleted from the last); 0: no age rule.
    int max_data_age_days = 0;
    /// 0: no size rule; else the oldest date partitions move on while the volume holds more than
    /// move_factor * max_size_gb.
    double max_size_gb = 0;
  };
  /// `storage_policy`: HOMER's tiered storage (hot volume first).
  struct StoragePolicyConfig {
    bool enable = false;
    std::vector<PolicyVolumeConfig> volumes;  ///< sorted by priority by the loader
    int ttl_move_interval_sec = 3600;
    double move_factor = 0.8;
    int concurrent_moves = 2;
    bool move_on_startup = false;
  } storage_policy;
  /// `compaction`: rewriting small files, retention and snapshot expiry.
  struct CompactionConfig {
    bool enable = true;
    int check_interval_sec = 3600;
    int retention_days = 0;  ///< 0: off; else every volume deletes partitions with date <= today - N
    /// Snapshots older than this are expired and the files only they used are deleted.
    int snapshot_expire_interval_sec = 3600;
    /// A date partition is compacted only when nothing was written to it for this long.
    int min_age_sec = 300;
    int64_t max_file_size_bytes = int64_t{512} << 20;  ///< target size of a compacted file
  } compaction;
};

struct StorageConfig {
  bool enable = false;
  StorageDuckLakeConfig ducklake;
  /// Not a key: the node volume whose catalog the writer fills (set by the loader).
  std::string volume_name = "hot";
};

/// `log`: how the process writes its log lines (every module's, on stdout).
struct LogConfig {
  enum class Format { kText, kJson };  ///< "text" (spdlog's default lines) | "json" (one object a line)
  enum class Level { kTrace, kDebug, kInfo, kWarn, kError };  ///< lines below it are not written
  Format format = Format::kText;
  Level level = Level::kInfo;
};

struct ServerConfig {
  bool enable = true;
  FlightServerConfig flight_server;
  FlightSqlServerConfig flightsql_server;
  DuckLakeConfig ducklake;
  HttpConfig http;
  // The other modules of the same file (node is the struct itself, for history's sake).
  IngestConfig ingest;
  StorageConfig storage;
  LogConfig log;  ///< top-level `log`: the whole process's, whichever modules run

  int http_port() const { return flight_server.port + 1; }
};

}  // namespace homer::config
