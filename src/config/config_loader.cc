#include "config/config_loader.h"

#include "config/byte_size.h"
#include "config/catalog.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

extern char** environ;

namespace homer::config {
namespace {

/// Environment variables may add array elements (volumes) up to this index.
constexpr size_t kMaxEnvArrayIndex = 256;

using nlohmann::json;
// HOMER_ + the key path from the file's root: HOMER_NODE_FLIGHT_SERVER_PORT, HOMER_INGEST_UDP_PORT.
constexpr const char* kEnvPrefix = "HOMER_";
constexpr const char* kEnvSections[] = {"HOMER_NODE_", "HOMER_INGEST_", "HOMER_STORAGE_", "HOMER_LOG_"};

std::string ToEnvName(const std::string& key_path) {
  std::string out = kEnvPrefix;
  for (char c : key_path) out += (c == '.') ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

/// Walks one JSON object, reading known keys into a struct. An environment variable named after
/// the key path wins over the file. Unknown keys, wrong types and bad values become errors.
class ObjectReader {
 public:
  ObjectReader(const json* object, std::string json_path, std::string key_path, const Environment& env,
               std::set<std::string>* used_env, std::vector<std::string>* errors)
      : object_(object), json_path_(std::move(json_path)), key_path_(std::move(key_path)), env_(env),
        used_env_(used_env), errors_(errors) {
    if (object_ && !object_->is_object()) {
      Error(json_path_, "must be an object");
      object_ = nullptr;
    }
  }

  void Bool(const std::string& key, bool* out) {
    Read(key, [&](const json& v, const std::string& where) {
      if (!v.is_boolean()) return Error(where, "must be true or false");
      *out = v.get<bool>();
    }, [&](const std::string& s, const std::string& where) {
      std::string l = s;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      if (l == "true" || l == "1") *out = true;
      else if (l == "false" || l == "0") *out = false;
      else Error(where, "must be true or false, got '" + s + "'");
    });
  }

  template <typename Int>
  void Integer(const std::string& key, Int* out) {
    Read(key, [&](const json& v, const std::string& where) {
      if (!v.is_number_integer()) return Error(where, "must be an integer");
      *out = v.get<Int>();
    }, [&](const std::string& s, const std::string& where) {
      try {
        size_t used = 0;
        long long n = std::stoll(s, &used);
        if (used != s.size()) throw std::invalid_argument(s);
        *out = static_cast<Int>(n);
      } catch (const std::exception&) {
        Error(where, "must be an integer, got '" + s + "'");
      }
    });
  }

  /// A JSON number; from the environment, a decimal one (inf and nan are refused).
  void Number(const std::string& key, double* out) {
    Read(key, [&](const json& v, const std::string& where) {
      if (!v.is_number()) return Error(where, "must be a number");
      *out = v.get<double>();
    }, [&](const std::string& s, const std::string& where) {
      try {
        size_t used = 0;
        double n = std::stod(s, &used);
        if (used != s.size() || !std::isfinite(n)) throw std::invalid_argument(s);
        *out = n;
      } catch (const std::exception&) {
        Error(where, "must be a number, got '" + s + "'");
      }
    });
  }

  /// An array of strings; from the environment, a comma-separated list.
  void StringList(const std::string& key, std::vector<std::string>* out) {
    Read(key, [&](const json& v, const std::string& where) {
      if (!v.is_array()) return Error(where, "must be an array of strings");
      out->clear();
      for (const auto& item : v) {
        if (!item.is_string()) return Error(where, "must be an array of strings");
        out->push_back(item.get<std::string>());
      }
    }, [&](const std::string& s, const std::string&) {
      out->clear();
      std::stringstream in(s);
      for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out->push_back(item);
      }
    });
  }

  void String(const std::string& key, std::string* out) {
    Read(key, [&](const json& v, const std::string& where) {
      if (!v.is_string()) return Error(where, "must be a string");
      *out = v.get<std::string>();
    }, [&](const std::string& s, const std::string&) { *out = s; });
  }

  ObjectReader Object(const std::string& key) {
    Known(key);
    const json* child = (object_ && object_->contains(key)) ? &(*object_)[key] : nullptr;
    return ObjectReader(child, json_path_ + "." + key, Join(key), env_, used_env_, errors_);
  }

  /// An array of objects; the count is the larger of the file's and the highest
  /// HOMER_NODE_<PATH>_<i>_ variable's index + 1, so the environment can add elements.
  template <typename Fn>
  void ObjectArray(const std::string& key, Fn&& read_element) {
    Known(key);
    const json* arr = (object_ && object_->contains(key)) ? &(*object_)[key] : nullptr;
    if (arr && !arr->is_array()) {
      Error(json_path_ + "." + key, "must be an array");
      arr = nullptr;
    }
    size_t count = arr ? arr->size() : 0;
    const std::string env_prefix = ToEnvName(Join(key)) + "_";
    for (const auto& [name, value] : env_) {
      if (name.rfind(env_prefix, 0) != 0) continue;
      size_t i = 0;
      std::string rest = name.substr(env_prefix.size());
      while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
      if (i == 0 || i >= rest.size() || rest[i] != '_') continue;
      // An index far past the file's array would make that many elements: bounded, and named.
      size_t index = 0;
      const auto parsed = std::from_chars(rest.data(), rest.data() + i, index);
      if (parsed.ec != std::errc() || index >= kMaxEnvArrayIndex) {
        Error(name, "index " + rest.substr(0, i) + " is out of range (0.." + std::to_string(kMaxEnvArrayIndex - 1) + ")");
        continue;
      }
      count = std::max(count, index + 1);
    }
    for (size_t i = 0; i < count; ++i) {
      const json* element = (arr && i < arr->size()) ? &(*arr)[i] : nullptr;
      std::string jp = json_path_ + "." + key + "[" + std::to_string(i) + "]";
      ObjectReader r(element, jp, Join(key) + "." + std::to_string(i), env_, used_env_, errors_);
      read_element(r, i);
      r.RejectUnknown();
    }
  }

  void RejectUnknown() {
    if (!object_) return;
    for (const auto& [key, value] : object_->items()) {
      if (!known_.count(key)) Error(json_path_ + "." + key, "unknown key");
    }
  }

  bool Present(const std::string& key) const {
    return (object_ && object_->contains(key)) || env_.count(ToEnvName(Join(key)));
  }
  std::string PathOf(const std::string& key) const { return json_path_ + "." + key; }
  std::string EnvNameOf(const std::string& key) const { return ToEnvName(Join(key)); }
  void Error(const std::string& where, const std::string& why) { errors_->push_back(where + ": " + why); }

 private:
  std::string Join(const std::string& key) const { return key_path_.empty() ? key : key_path_ + "." + key; }
  void Known(const std::string& key) { known_.insert(key); }

  template <typename FromJson, typename FromEnv>
  void Read(const std::string& key, FromJson&& from_json, FromEnv&& from_env) {
    Known(key);
    const std::string env_name = ToEnvName(Join(key));
    if (auto it = env_.find(env_name); it != env_.end()) {
      used_env_->insert(env_name);
      from_env(it->second, "environment " + env_name);
      return;
    }
    if (object_ && object_->contains(key)) from_json((*object_)[key], json_path_ + "." + key);
  }

  const json* object_;
  std::string json_path_;
  std::string key_path_;
  const Environment& env_;
  std::set<std::string>* used_env_;
  std::vector<std::string>* errors_;
  std::set<std::string> known_;
};

void CheckPort(ObjectReader& r, const std::string& key, int* port, int default_port, int max_port) {
  if (*port == 0) *port = default_port;  // the original treats 0 as "default"
  if (*port < 0 || *port > max_port) {
    r.Error(r.PathOf(key), "port " + std::to_string(*port) + " is out of range 1-" + std::to_string(max_port));
  }
}

/// DuckDB wants host[:port]; the original accepted endpoints with a scheme and a trailing slash.
void NormalizeS3Endpoint(std::string* endpoint) {
  for (const char* scheme : {"https://", "http://"}) {
    if (endpoint->rfind(scheme, 0) == 0) endpoint->erase(0, std::string(scheme).size());
  }
  while (!endpoint->empty() && endpoint->back() == '/') endpoint->pop_back();
}

/// A DuckDB size (`512MB`, `10GB`, `1TiB`, `80%`); "" keeps DuckDB's default.
void CheckSize(ObjectReader& r, const std::string& key, const std::string& value) {
  static const std::regex kSize(R"(^\s*\d+(\.\d+)?\s*(%|[KMGT]i?B|B|bytes)?\s*$)", std::regex::icase);
  if (!value.empty() && !std::regex_match(value, kSize)) {
    r.Error(r.PathOf(key), "'" + value + "' is not a size (for example 512MB, 10GB, 1TiB)");
  }
}

/// max_allocation_size and memory_ceiling: byte sizes (no percentage), within what DuckDB needs.
void CheckMemoryBounds(ObjectReader& r, const DuckLakeConfig& dl) {
  constexpr uint64_t kMinAllocation = 16 << 20;  // room for DuckDB's own structures (blocks, hash directories)
  auto allocation = ParseByteSize(dl.max_allocation_size);
  if (!allocation) {
    r.Error(r.PathOf("max_allocation_size"),
            "'" + dl.max_allocation_size + "' is not a size in bytes (for example 512MB)");
  } else if (*allocation < kMinAllocation) {
    r.Error(r.PathOf("max_allocation_size"), "must be at least 16MiB");
  }
  if (dl.memory_ceiling.empty()) return;
  auto ceiling = ParseByteSize(dl.memory_ceiling);
  auto limit = ParseByteSize(dl.memory_limit);
  if (!ceiling) {
    r.Error(r.PathOf("memory_ceiling"), "'" + dl.memory_ceiling + "' is not a size in bytes (for example 4GB)");
  } else if (limit && *ceiling < *limit) {
    r.Error(r.PathOf("memory_ceiling"), "must be at least memory_limit (" + dl.memory_limit +
                                            "): the buffer manager's memory is part of what it bounds");
  }
}

/// Read `catalog_type` into `out`; an unknown one is reported when `check`.
void ReadCatalogType(ObjectReader& r, CatalogType* out, bool check) {
  std::string text = CatalogTypeName(*out);
  r.String("catalog_type", &text);
  if (!ParseCatalogType(text, out) && check) {
    r.Error(r.PathOf("catalog_type"), "unknown catalog_type '" + text + "' (expected sqlite or postgres)");
  }
}

/// The catalog keys of a volume or of storage.ducklake, once read. Errors never quote the DSN
/// nor the password.
void CheckCatalogKeys(ObjectReader& r, CatalogType type, const std::string& catalog_path, const std::string& dsn,
                      const std::string& password) {
  if (type == CatalogType::kSqlite) {
    if (catalog_path.empty()) r.Error(r.PathOf("catalog_path"), "required");
    for (const auto& [key, value] : {std::pair{"catalog_dsn", &dsn}, std::pair{"catalog_password", &password}}) {
      if (!value->empty()) r.Error(r.PathOf(key), "only for catalog_type postgres");
    }
    return;
  }
  if (!catalog_path.empty()) {
    r.Error(r.PathOf("catalog_path"), "not used with catalog_type postgres (the catalog is catalog_dsn)");
  }
  if (const std::string why = DsnProblem(dsn); !why.empty()) {
    const bool has_password = why.find("password") != std::string::npos;
    r.Error(r.PathOf("catalog_dsn"), why + (has_password ? ": put it in catalog_password or the environment "
                                                           "variable " + r.EnvNameOf("catalog_password")
                                                         : ""));
  }
}

/// Read the keys of a volume (node.ducklake.volumes[], storage.ducklake.storage_policy.volumes[]).
/// Returns false when `type` is unknown (reported).
bool ReadVolumeKeys(ObjectReader& r, VolumeConfig* v) {
  r.String("name", &v->name);
  std::string type = "local";
  r.String("type", &type);
  ReadCatalogType(r, &v->catalog_type, /*check=*/true);
  r.String("catalog_path", &v->catalog_path);
  r.String("catalog_dsn", &v->catalog_dsn);
  r.String("catalog_password", &v->catalog_password);
  r.String("path", &v->path);
  r.String("s3_region", &v->s3_region);
  r.String("s3_access_key_id", &v->s3_access_key_id);
  r.String("s3_secret_access_key", &v->s3_secret_access_key);
  r.String("s3_endpoint", &v->s3_endpoint);
  r.Bool("s3_use_ssl", &v->s3_use_ssl);
  r.String("s3_url_style", &v->s3_url_style);
  r.Bool("override_data_path", &v->override_data_path);
  NormalizeS3Endpoint(&v->s3_endpoint);
  if (type == "local" || type == "s3") {
    v->type = type == "s3" ? VolumeType::kS3 : VolumeType::kLocal;
    return true;
  }
  r.Error(r.PathOf("type"), "unknown type '" + type + "' (expected local or s3)");
  return false;
}

/// Check a volume's values, once any defaults are filled in.
void CheckVolume(ObjectReader& r, const VolumeConfig& v, bool type_known) {
  static const std::regex kName("^[A-Za-z0-9_]+$");
  if (v.name.empty()) r.Error(r.PathOf("name"), "required");
  else if (!std::regex_match(v.name, kName)) r.Error(r.PathOf("name"), "use only letters, digits and _");
  CheckCatalogKeys(r, v.catalog_type, v.catalog_path, v.catalog_dsn, v.catalog_password);
  if (v.catalog_type == CatalogType::kPostgres && v.path.empty()) {
    r.Error(r.PathOf("path"), "required with catalog_type postgres (the data folder or s3://bucket/prefix/)");
  }
  if (type_known && v.type == VolumeType::kS3 && v.path.rfind("s3://", 0) != 0) {
    r.Error(r.PathOf("path"), "an s3 volume needs an s3://bucket/prefix path");
  }
  if (type_known && v.type == VolumeType::kLocal && v.path.rfind("s3://", 0) == 0) {
    r.Error(r.PathOf("path"), "a local volume cannot have an s3:// path (set type to s3)");
  }
  if (!v.s3_url_style.empty() && v.s3_url_style != "path" && v.s3_url_style != "vhost") {
    r.Error(r.PathOf("s3_url_style"), "expected path or vhost");
  }
}

void ReadVolume(ObjectReader& r, VolumeConfig* v) {
  const bool type_known = ReadVolumeKeys(r, v);
  CheckVolume(r, *v, type_known);
}

void ReadFlightServer(ObjectReader& fs, FlightServerConfig* fs_cfg) {
  fs.String("host", &fs_cfg->host);
  fs.Integer("port", &fs_cfg->port);
  fs.String("auth_token", &fs_cfg->auth_token);
  fs.Integer("max_message_size", &fs_cfg->max_message_size);
  CheckPort(fs, "port", &fs_cfg->port, 50051, 65534);  // HTTP takes port + 1
  if (fs_cfg->max_message_size < 1024) fs.Error(fs.PathOf("max_message_size"), "must be at least 1024");
}

void ReadFlightSqlServer(ObjectReader& fsql, FlightSqlServerConfig* sql_cfg) {
  auto& sql = *sql_cfg;
  fsql.Bool("enable", &sql.enable);
  fsql.String("host", &sql.host);
  fsql.Integer("port", &sql.port);
  fsql.String("auth_token", &sql.auth_token);
  fsql.Integer("catalog_refresh_interval_sec", &sql.catalog_refresh_interval_sec);
  fsql.Bool("tls_enable", &sql.tls_enable);
  fsql.String("tls_cert", &sql.tls_cert);
  fsql.String("tls_key", &sql.tls_key);
  fsql.Bool("grafana_cast_types", &sql.grafana_cast_types);
  CheckPort(fsql, "port", &sql.port, 50055, 65535);
  if (sql.catalog_refresh_interval_sec <= 0) sql.catalog_refresh_interval_sec = 30;
  if (sql.tls_enable && (sql.tls_cert.empty() || sql.tls_key.empty())) {
    fsql.Error(fsql.PathOf("tls_enable"), "needs tls_cert and tls_key");
  }
}

void ReadDuckLake(ObjectReader& lake, DuckLakeConfig* lake_cfg) {
  auto& dl = *lake_cfg;
  lake.String("lake_name", &dl.lake_name);
  lake.Integer("threads", &dl.threads);
  lake.String("memory_limit", &dl.memory_limit);
  lake.String("temp_directory", &dl.temp_directory);
  lake.String("max_temp_directory_size", &dl.max_temp_directory_size);
  lake.String("max_allocation_size", &dl.max_allocation_size);
  lake.String("memory_ceiling", &dl.memory_ceiling);
  lake.Integer("query_timeout_sec", &dl.query_timeout_sec);
  lake.Integer("max_concurrent_queries", &dl.max_concurrent_queries);
  lake.Integer("query_wait_sec", &dl.query_wait_sec);
  lake.Bool("mirror_catalogs", &dl.mirror_catalogs);
  lake.Integer("mirror_interval_ms", &dl.mirror_interval_ms);
  lake.Bool("partial_answers", &dl.partial_answers);
  lake.Bool("parquet_metadata_cache", &dl.parquet_metadata_cache);
  lake.ObjectArray("volumes", [&](ObjectReader& r, size_t) {
    dl.volumes.emplace_back();
    ReadVolume(r, &dl.volumes.back());
  });
  static const std::regex kIdent("^[A-Za-z_][A-Za-z0-9_]*$");
  if (!std::regex_match(dl.lake_name, kIdent)) {
    lake.Error(lake.PathOf("lake_name"), "must be an identifier (letters, digits, _)");
  }
  if (dl.threads < 0) lake.Error(lake.PathOf("threads"), "must be 0 (automatic) or more");
  if (dl.max_concurrent_queries < 1 || dl.max_concurrent_queries > 4096) {
    lake.Error(lake.PathOf("max_concurrent_queries"), "must be between 1 and 4096");
  }
  if (dl.query_timeout_sec < 0) lake.Error(lake.PathOf("query_timeout_sec"), "must be 0 (none) or more");
  CheckSize(lake, "memory_limit", dl.memory_limit);
  CheckSize(lake, "max_temp_directory_size", dl.max_temp_directory_size);
  CheckMemoryBounds(lake, dl);
  if (dl.query_wait_sec < 0 || dl.query_wait_sec > 3600) {
    lake.Error(lake.PathOf("query_wait_sec"), "must be between 0 and 3600");
  }
  if (dl.mirror_interval_ms < 10 || dl.mirror_interval_ms > 60000) {
    lake.Error(lake.PathOf("mirror_interval_ms"), "must be between 10 and 60000");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < dl.volumes.size(); ++i) {
    const auto& name = dl.volumes[i].name;
    std::string where = lake.PathOf("volumes") + "[" + std::to_string(i) + "].name";
    if (!name.empty() && !names.insert(name).second) lake.Error(where, "duplicate volume name '" + name + "'");
    if (!name.empty() && name[0] == '_') {
      lake.Error(where, "names starting with _ are reserved (the writer's catalogs)");
    }
    if (name == "default" && dl.volumes.size() > 1) {
      lake.Error(where, "a volume named 'default' attaches as the lake itself (" + dl.lake_name +
                            ") and cannot be merged with other volumes; give it another name");
    }
  }
}

template <typename Int>
void CheckRange(ObjectReader& r, const std::string& key, Int value, Int lo, Int hi) {
  if (value < lo || value > hi) {
    r.Error(r.PathOf(key), "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
}

void ReadHttp(ObjectReader& http, HttpConfig* http_cfg) {
  http.Integer("max_body_bytes", &http_cfg->max_body_bytes);
  http.Integer("threads", &http_cfg->threads);
  http.Bool("metrics_public", &http_cfg->metrics_public);
  if (http_cfg->max_body_bytes < 1024) http.Error(http.PathOf("max_body_bytes"), "must be at least 1024");
  if (http_cfg->threads < 1) http.Error(http.PathOf("threads"), "must be at least 1");
  http.Integer("max_connections", &http_cfg->max_connections);
  http.Integer("max_connections_per_ip", &http_cfg->max_connections_per_ip);
  http.Integer("header_timeout_sec", &http_cfg->header_timeout_sec);
  http.Integer("body_timeout_sec", &http_cfg->body_timeout_sec);
  http.Integer("keep_alive_timeout_sec", &http_cfg->keep_alive_timeout_sec);
  http.Integer("max_header_bytes", &http_cfg->max_header_bytes);
  CheckRange(http, "max_connections", http_cfg->max_connections, 1, 1 << 20);
  CheckRange(http, "max_connections_per_ip", http_cfg->max_connections_per_ip, 1, http_cfg->max_connections);
  CheckRange(http, "header_timeout_sec", http_cfg->header_timeout_sec, 1, 3600);
  CheckRange(http, "body_timeout_sec", http_cfg->body_timeout_sec, 1, 3600);
  CheckRange(http, "keep_alive_timeout_sec", http_cfg->keep_alive_timeout_sec, 1, 3600);
  CheckRange<int64_t>(http, "max_header_bytes", http_cfg->max_header_bytes, 1024, 1 << 20);
}

void ReadListener(ObjectReader& r, bool* enable, std::string* host, int* port, int default_port) {
  r.Bool("enable", enable);
  r.String("host", host);
  r.Integer("port", port);
  CheckPort(r, "port", port, default_port, 65535);
}

void ReadIngest(ObjectReader& in, IngestConfig* cfg) {
  in.Bool("enable", &cfg->enable);
  ObjectReader udp = in.Object("udp");
  ReadListener(udp, &cfg->udp.enable, &cfg->udp.host, &cfg->udp.port, 9060);
  udp.Integer("receive_buffer_bytes", &cfg->udp.receive_buffer_bytes);
  CheckRange<int64_t>(udp, "receive_buffer_bytes", cfg->udp.receive_buffer_bytes, 65536, int64_t{1} << 31);
  udp.RejectUnknown();
  ObjectReader tcp = in.Object("tcp");
  ReadListener(tcp, &cfg->tcp.enable, &cfg->tcp.host, &cfg->tcp.port, 9060);
  tcp.Integer("max_connections", &cfg->tcp.max_connections);
  tcp.Integer("idle_timeout_sec", &cfg->tcp.idle_timeout_sec);
  CheckRange(tcp, "max_connections", cfg->tcp.max_connections, 1, 65536);
  CheckRange(tcp, "idle_timeout_sec", cfg->tcp.idle_timeout_sec, 1, 86400);
  tcp.RejectUnknown();
  ObjectReader http = in.Object("http");
  ReadListener(http, &cfg->http.enable, &cfg->http.host, &cfg->http.port, 9080);
  http.Integer("max_body_bytes", &cfg->http.max_body_bytes);
  http.String("auth_token", &cfg->http.auth_token);
  CheckRange<int64_t>(http, "max_body_bytes", cfg->http.max_body_bytes, 1024, 64 << 20);
  http.RejectUnknown();
  in.Integer("queue_size", &cfg->queue_size);
  in.Integer("max_packet_bytes", &cfg->max_packet_bytes);
  in.Bool("hepv2_enable", &cfg->hepv2_enable);
  in.Bool("dedup", &cfg->dedup);
  CheckRange<int64_t>(in, "queue_size", cfg->queue_size, 16, 100000000);
  CheckRange<int64_t>(in, "max_packet_bytes", cfg->max_packet_bytes, 512, 65535);
  ObjectReader sip = in.Object("sip");
  sip.StringList("aleg_ids", &cfg->sip.aleg_ids);
  sip.Bool("force_aleg_id", &cfg->sip.force_aleg_id);
  sip.StringList("censored_methods", &cfg->sip.censored_methods);
  sip.StringList("discard_methods", &cfg->sip.discard_methods);
  sip.RejectUnknown();
  if (cfg->enable && !cfg->udp.enable && !cfg->tcp.enable && !cfg->http.enable) {
    in.Error(in.PathOf("enable"), "no receiver is enabled (udp, tcp, http)");
  }
}

/// A local data path compared as a path, an s3:// one as a string; a trailing / does not count.
bool SameDataPath(std::string a, std::string b) {
  while (a.size() > 1 && a.back() == '/') a.pop_back();
  while (b.size() > 1 && b.back() == '/') b.pop_back();
  return (a.rfind("s3://", 0) == 0 || b.rfind("s3://", 0) == 0) ? a == b : SamePath(a, b);
}

void InheritS3(const StorageDuckLakeConfig::S3& s3, VolumeConfig* v) {
  v->s3_region = s3.region;
  v->s3_access_key_id = s3.access_key_id;
  v->s3_secret_access_key = s3.secret_access_key;
  v->s3_endpoint = s3.endpoint;
  NormalizeS3Endpoint(&v->s3_endpoint);
  v->s3_use_ssl = s3.use_ssl;
  v->s3_url_style = s3.url_style;
}

/// One storage_policy.volumes[] element as read. Its reader names the element's errors once the
/// defaults, which depend on every element's priority, are filled in.
struct PolicyVolumeRead {
  ObjectReader reader;
  bool type_known = true;
  bool type_given = false;
  bool s3_keys_given = false;
};

/// HOMER's tiered layout: the hot volume (lowest priority) is the writer's catalog and data path;
/// every other volume's catalog is <writer's catalog without extension>_<name>.sqlite; an s3 volume
/// without s3_* keys of its own takes storage.ducklake.s3's.
void FillPolicyVolumeDefaults(const StorageDuckLakeConfig& d, bool hot, const PolicyVolumeRead& read,
                              VolumeConfig* v) {
  if (hot && v->catalog_path.empty()) v->catalog_path = d.catalog_path;
  if (hot && v->path.empty()) {
    const VolumeConfig writer = StorageVolume(d, v->name);
    v->path = writer.path;
    if (!read.type_given) v->type = writer.type;
  }
  if (!hot && v->catalog_path.empty() && !d.catalog_path.empty()) {
    std::filesystem::path base(d.catalog_path);
    base.replace_extension();
    v->catalog_path = base.string() + "_" + v->name + ".sqlite";
  }
  if (v->type == VolumeType::kS3 && !read.s3_keys_given) InheritS3(d.s3, v);
}

/// The rules between the policy's volumes (`volumes` in priority order, `read[order[k]]` its k-th).
void CheckPolicyVolumes(const StorageDuckLakeConfig& d, std::vector<PolicyVolumeRead>& read,
                        const std::vector<size_t>& order) {
  const auto& volumes = d.storage_policy.volumes;
  std::map<std::string, size_t> names;
  std::map<int, size_t> priorities;
  std::map<std::string, size_t> catalogs;
  for (size_t k = 0; k < volumes.size(); ++k) {
    const auto& pv = volumes[k];
    const VolumeConfig& v = pv.volume;
    const size_t i = order[k];
    ObjectReader& r = read[i].reader;
    const auto other = [&](size_t j) { return "volumes[" + std::to_string(j) + "]"; };
    CheckVolume(r, v, read[i].type_known);
    if (v.name == "default") {
      r.Error(r.PathOf("name"), "'default' is the lake itself, not a tier: name the volumes (e.g. hot, cold)");
    } else if (!v.name.empty() && v.name[0] == '_') {
      r.Error(r.PathOf("name"), "names starting with _ are reserved (the writer's catalogs)");
    }
    if (auto [it, fresh] = names.emplace(v.name, i); !fresh && !v.name.empty()) {
      r.Error(r.PathOf("name"), "duplicate volume name '" + v.name + "' (" + other(it->second) + " has it too)");
    }
    if (auto [it, fresh] = priorities.emplace(pv.priority, i); !fresh) {
      r.Error(r.PathOf("priority"),
              "duplicate priority " + std::to_string(pv.priority) + " (" + other(it->second) + " has it too)");
    }
    CheckRange(r, "max_data_age_days", pv.max_data_age_days, 0, 36500);
    if (pv.max_size_gb < 0) {
      r.Error(r.PathOf("max_size_gb"), "must be 0 (no size rule) or more");
    }
    if (k == 0) {
      if (!d.catalog_path.empty() && !SamePath(v.catalog_path, d.catalog_path)) {
        r.Error(r.PathOf("catalog_path"), "'" + v.catalog_path + "' differs from storage.ducklake.catalog_path '" +
                                              d.catalog_path + "' (the writer writes to the hot volume, the one "
                                              "with the lowest priority): leave it out, or use the same path");
      }
      if (!d.data_path.empty() && !SameDataPath(v.path, d.data_path)) {
        r.Error(r.PathOf("path"), "'" + v.path + "' differs from storage.ducklake.data_path '" + d.data_path +
                                      "' (the writer writes to the hot volume, the one with the lowest priority): "
                                      "leave it out, or use the same path");
      }
    } else if (v.path.empty()) {
      r.Error(r.PathOf("path"), "required (only the hot volume, the lowest priority, defaults to "
                                "storage.ducklake.data_path)");
    }
    if (v.catalog_path.empty()) continue;
    if (auto [it, fresh] = catalogs.emplace(NormalPath(v.catalog_path), i); !fresh) {
      r.Error(r.PathOf("catalog_path"), "'" + v.catalog_path + "' is also " + other(it->second) +
                                            "'s catalog: each volume needs its own");
    }
  }
}

/// `storage.ducklake.storage_policy`: read always; defaults and rules only when it is in force.
void ReadStoragePolicy(ObjectReader& sp, StorageDuckLakeConfig* d, bool storage_enabled) {
  auto& p = d->storage_policy;
  sp.Bool("enable", &p.enable);
  sp.Integer("ttl_move_interval_sec", &p.ttl_move_interval_sec);
  sp.Number("move_factor", &p.move_factor);
  sp.Integer("concurrent_moves", &p.concurrent_moves);
  sp.Bool("move_on_startup", &p.move_on_startup);
  std::vector<StorageDuckLakeConfig::PolicyVolumeConfig> volumes;
  std::vector<PolicyVolumeRead> read;
  sp.ObjectArray("volumes", [&](ObjectReader& r, size_t) {
    PolicyVolumeRead element{r};
    element.type_given = r.Present("type");
    for (const char* key : {"s3_region", "s3_access_key_id", "s3_secret_access_key", "s3_endpoint", "s3_use_ssl",
                            "s3_url_style"}) {
      element.s3_keys_given = element.s3_keys_given || r.Present(key);
    }
    auto& pv = volumes.emplace_back();
    element.type_known = ReadVolumeKeys(r, &pv.volume);
    r.Integer("priority", &pv.priority);
    r.Integer("max_data_age_days", &pv.max_data_age_days);
    r.Number("max_size_gb", &pv.max_size_gb);
    read.push_back(std::move(element));
  });
  std::vector<size_t> order(volumes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return volumes[a].priority < volumes[b].priority; });
  for (size_t i : order) p.volumes.push_back(volumes[i]);
  if (!storage_enabled || !p.enable) return;
  const bool postgres = d->catalog_type == CatalogType::kPostgres ||
                        std::any_of(volumes.begin(), volumes.end(), [](const auto& pv) {
                          return pv.volume.catalog_type == CatalogType::kPostgres;
                        });
  if (postgres) {
    // Its tiers' catalogs are sqlite files (derived, WAL, locked by path): not yet for postgres.
    sp.Error(sp.PathOf("enable"), "a storage policy needs sqlite catalogs (postgres catalogs are not supported by "
                                  "the policy yet): set storage_policy.enable to false, or use catalog_type sqlite");
    return;
  }

  CheckRange(sp, "ttl_move_interval_sec", p.ttl_move_interval_sec, 10, 604800);
  if (!(p.move_factor > 0 && p.move_factor <= 1)) {
    sp.Error(sp.PathOf("move_factor"), "must be more than 0 and at most 1");
  }
  CheckRange(sp, "concurrent_moves", p.concurrent_moves, 1, 16);
  if (p.volumes.size() < 2) {
    sp.Error(sp.PathOf("volumes"), "a storage policy needs at least 2 volumes (the hot one the writer fills and one "
                                   "its data moves to), got " + std::to_string(p.volumes.size()));
  }
  for (size_t k = 0; k < p.volumes.size(); ++k) {
    FillPolicyVolumeDefaults(*d, k == 0, read[order[k]], &p.volumes[k].volume);
  }
  CheckPolicyVolumes(*d, read, order);
}

/// `storage.ducklake.compaction`.
void ReadCompaction(ObjectReader& c, StorageDuckLakeConfig::CompactionConfig* cfg, bool storage_enabled) {
  c.Bool("enable", &cfg->enable);
  c.Integer("check_interval_sec", &cfg->check_interval_sec);
  c.Integer("retention_days", &cfg->retention_days);
  c.Integer("snapshot_expire_interval_sec", &cfg->snapshot_expire_interval_sec);
  c.Integer("min_age_sec", &cfg->min_age_sec);
  c.Integer("max_file_size_bytes", &cfg->max_file_size_bytes);
  if (!storage_enabled) return;
  CheckRange(c, "check_interval_sec", cfg->check_interval_sec, 10, 604800);
  CheckRange(c, "retention_days", cfg->retention_days, 0, 36500);
  CheckRange(c, "snapshot_expire_interval_sec", cfg->snapshot_expire_interval_sec, 60, 31536000);
  CheckRange(c, "min_age_sec", cfg->min_age_sec, 0, 604800);
  CheckRange<int64_t>(c, "max_file_size_bytes", cfg->max_file_size_bytes, int64_t{1} << 20, int64_t{16} << 30);
}

void ReadStorage(ObjectReader& st, StorageConfig* cfg) {
  st.Bool("enable", &cfg->enable);
  ObjectReader dl = st.Object("ducklake");
  auto& d = cfg->ducklake;
  ReadCatalogType(dl, &d.catalog_type, cfg->enable);
  dl.String("catalog_path", &d.catalog_path);
  dl.String("catalog_dsn", &d.catalog_dsn);
  dl.String("catalog_password", &d.catalog_password);
  dl.String("data_path", &d.data_path);
  dl.String("lake_name", &d.lake_name);
  dl.Integer("batch_size", &d.batch_size);
  dl.Integer("flush_interval_sec", &d.flush_interval_sec);
  dl.Integer("max_buffer_rows", &d.max_buffer_rows);
  dl.Integer("data_inlining_row_limit", &d.data_inlining_row_limit);
  dl.Integer("durable_interval_ms", &d.durable_interval_ms);
  dl.String("journal_path", &d.journal_path);
  ObjectReader tuning = dl.Object("tuning");
  tuning.Integer("threads", &d.tuning.threads);
  tuning.String("memory_limit", &d.tuning.memory_limit);
  tuning.String("temp_directory", &d.tuning.temp_directory);
  CheckSize(tuning, "memory_limit", d.tuning.memory_limit);
  tuning.RejectUnknown();
  ObjectReader s3 = dl.Object("s3");
  s3.String("region", &d.s3.region);
  s3.String("access_key_id", &d.s3.access_key_id);
  s3.String("secret_access_key", &d.s3.secret_access_key);
  s3.String("endpoint", &d.s3.endpoint);
  s3.String("url_style", &d.s3.url_style);
  s3.Bool("use_ssl", &d.s3.use_ssl);
  s3.RejectUnknown();
  ObjectReader policy = dl.Object("storage_policy");
  ReadStoragePolicy(policy, &d, cfg->enable);
  policy.RejectUnknown();
  ObjectReader compaction = dl.Object("compaction");
  ReadCompaction(compaction, &d.compaction, cfg->enable);
  compaction.RejectUnknown();
  dl.RejectUnknown();
  if (!cfg->enable) return;
  CheckCatalogKeys(dl, d.catalog_type, d.catalog_path, d.catalog_dsn, d.catalog_password);
  if (d.data_path.empty()) dl.Error(dl.PathOf("data_path"), "required");
  if (d.catalog_type == CatalogType::kPostgres && d.journal_path.empty() && d.data_path.rfind("s3://", 0) == 0) {
    dl.Error(dl.PathOf("journal_path"), "required with a postgres catalog and s3 data (no local folder to "
                                        "default to)");
  }
  static const std::regex kIdent("^[A-Za-z_][A-Za-z0-9_]*$");
  if (!std::regex_match(d.lake_name, kIdent)) {
    dl.Error(dl.PathOf("lake_name"), "must be an identifier (letters, digits, _)");
  }
  CheckRange<int64_t>(dl, "batch_size", d.batch_size, 1, 100000000);
  CheckRange(dl, "flush_interval_sec", d.flush_interval_sec, 1, 86400);
  CheckRange<int64_t>(dl, "max_buffer_rows", d.max_buffer_rows, 100, 100000000);
  CheckRange<int64_t>(dl, "data_inlining_row_limit", d.data_inlining_row_limit, 0, 1000000);
  CheckRange(dl, "durable_interval_ms", d.durable_interval_ms, 10, 60000);
}

/// `log`: the format and level of every log line of the process.
void ReadLog(ObjectReader& r, LogConfig* cfg) {
  std::string format = "text", level = "info";
  r.String("format", &format);
  r.String("level", &level);
  if (format == "text" || format == "json") {
    cfg->format = format == "json" ? LogConfig::Format::kJson : LogConfig::Format::kText;
  } else {
    r.Error(r.PathOf("format"), "unknown format '" + format + "' (expected text or json)");
  }
  static const std::pair<const char*, LogConfig::Level> kLevels[] = {
      {"trace", LogConfig::Level::kTrace}, {"debug", LogConfig::Level::kDebug}, {"info", LogConfig::Level::kInfo},
      {"warn", LogConfig::Level::kWarn},   {"error", LogConfig::Level::kError}};
  for (const auto& [name, value] : kLevels) {
    if (level == name) {
      cfg->level = value;
      return;
    }
  }
  r.Error(r.PathOf("level"), "unknown level '" + level + "' (expected trace, debug, info, warn or error)");
}

/// Read `parent.key` with `read`, then refuse the keys it did not know.
template <typename Config>
void ReadSection(ObjectReader& parent, const std::string& key, void (*read)(ObjectReader&, Config*), Config* out) {
  ObjectReader section = parent.Object(key);
  read(section, out);
  section.RejectUnknown();
}

/// All-in-one: the node serves what the writer writes. With no volumes of its own the node gets
/// the writer's as volume 'hot' (with a storage policy: every policy volume, hot first); with
/// volumes, one of them must be the writer's catalog, and every policy volume's catalog must be
/// among them (the merged lake must see every volume data moves to).
void LinkNodeToStorage(ObjectReader& node, ServerConfig* cfg, std::vector<std::string>* errors) {
  auto& dl = cfg->ducklake;
  const auto& storage = cfg->storage.ducklake;
  const auto& policy = storage.storage_policy;
  const bool tiered = policy.enable && !policy.volumes.empty();
  if (dl.volumes.empty()) {
    dl.lake_name = storage.lake_name;
    if (!tiered) {
      dl.volumes.push_back(StorageVolume(storage, cfg->storage.volume_name));
      return;
    }
    for (const auto& pv : policy.volumes) dl.volumes.push_back(pv.volume);
    cfg->storage.volume_name = policy.volumes.front().volume.name;
    return;
  }
  if (dl.lake_name != storage.lake_name) {
    errors->push_back(node.PathOf("ducklake") + ".lake_name: '" + dl.lake_name +
                      "' differs from storage.ducklake.lake_name '" +
                      storage.lake_name + "' (the node serves what the writer writes: use one name)");
  }
  for (const auto& pv : policy.volumes) {
    const bool served = !tiered || std::any_of(dl.volumes.begin(), dl.volumes.end(), [&](const VolumeConfig& v) {
      return SamePath(v.catalog_path, pv.volume.catalog_path);
    });
    if (!served) {
      errors->push_back(node.PathOf("ducklake") + ".volumes: no volume has the catalog_path '" +
                        pv.volume.catalog_path + "' of storage policy volume '" + pv.volume.name +
                        "' (the merged lake must see every volume data moves to); add it, or leave volumes out");
    }
  }
  const VolumeConfig writer = StorageVolume(storage, cfg->storage.volume_name);
  for (const auto& v : dl.volumes) {
    if (SameCatalog(v, writer)) {
      if (v.name == "default") {
        errors->push_back(node.PathOf("ducklake") + ".volumes: the writer's volume cannot be named 'default' (the "
                          "merged lake, which also reads the writer's buffer, needs its own name): rename it, "
                          "e.g. hot");
      }
      cfg->storage.volume_name = v.name;
      return;
    }
  }
  const bool postgres = storage.catalog_type == CatalogType::kPostgres;
  const std::string key = postgres ? "catalog_dsn" : "catalog_path";
  errors->push_back(node.PathOf("ducklake") + ".volumes: no volume has the writer's " + key + " '" +
                    (postgres ? storage.catalog_dsn : storage.catalog_path) + "' (storage.ducklake." + key +
                    "); add it, or leave volumes out");
}

}  // namespace

VolumeConfig StorageVolume(const StorageDuckLakeConfig& storage, const std::string& name) {
  VolumeConfig v;
  v.name = name;
  v.catalog_type = storage.catalog_type;
  v.catalog_path = storage.catalog_path;
  v.catalog_dsn = storage.catalog_dsn;
  v.catalog_password = storage.catalog_password;
  v.path = storage.data_path;
  if (v.path.rfind("s3://", 0) == 0) {
    v.type = VolumeType::kS3;
    InheritS3(storage.s3, &v);
  } else if (!v.path.empty() && v.path.back() != '/') {
    v.path += '/';
  }
  return v;
}

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    for (const char* section : kEnvSections) {
      if (entry.rfind(section, 0) == 0) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  return env;
}

arrow::Result<ServerConfig> ParseConfig(const std::string& json_text, const Environment& env) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large
    return arrow::Status::Invalid("config is not valid JSON: ", e.what());
  }
  ServerConfig cfg;
  std::vector<std::string> errors;
  std::set<std::string> used_env;

  ObjectReader root(&doc, "$", "", env, &used_env, &errors);
  const bool has_node = doc.is_object() && doc.contains("node");
  ObjectReader node = root.Object("node");
  cfg.enable = has_node;  // a file without a node section runs the capture modules only
  node.Bool("enable", &cfg.enable);

  ReadSection(node, "flight_server", ReadFlightServer, &cfg.flight_server);
  ReadSection(node, "flightsql_server", ReadFlightSqlServer, &cfg.flightsql_server);
  ReadSection(node, "ducklake", ReadDuckLake, &cfg.ducklake);
  ReadSection(node, "http", ReadHttp, &cfg.http);
  node.RejectUnknown();
  ReadSection(root, "ingest", ReadIngest, &cfg.ingest);
  ReadSection(root, "storage", ReadStorage, &cfg.storage);
  ReadSection(root, "log", ReadLog, &cfg.log);
  root.RejectUnknown();

  if (!cfg.enable && !cfg.ingest.enable && !cfg.storage.enable) {
    errors.push_back(has_node ? "$.node.enable: false, and no other module (ingest, storage) is enabled"
                              : "$.node: required (or enable ingest and storage)");
  }
  if (cfg.ingest.enable && !cfg.storage.enable) {
    errors.push_back("$.ingest.enable: ingest needs storage to write to (set storage.enable and storage.ducklake)");
  }
  if (cfg.enable && cfg.storage.enable && errors.empty()) LinkNodeToStorage(node, &cfg, &errors);
  if (cfg.enable && cfg.ducklake.volumes.empty()) {
    errors.push_back("$.node.ducklake.volumes: at least one volume is required");
  }

  for (const auto& [name, value] : env) {
    if (!used_env.count(name)) errors.push_back("environment " + name + ": matches no config key");
  }
  if (!errors.empty()) {
    std::ostringstream msg;
    msg << "invalid config:";
    for (const auto& e : errors) msg << "\n  " << e;
    return arrow::Status::Invalid(msg.str());
  }
  return cfg;
}

arrow::Result<ServerConfig> LoadConfig(const std::string& path, const Environment& env) {
  std::ifstream in(path);
  if (!in) return arrow::Status::IOError("cannot read config file '", path, "'");
  std::stringstream text;
  text << in.rdbuf();
  auto cfg = ParseConfig(text.str(), env);
  if (!cfg.ok()) return cfg.status().WithMessage(path, ": ", cfg.status().message());
  return cfg;
}

}  // namespace homer::config
