#include "lake/volume.h"

#include <filesystem>

#include "duckdb/sql_text.h"

namespace homer::lake {

using duckdb::Exec;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

std::string CatalogName(const std::string& lake_name, const std::string& volume_name) {
  return volume_name == "default" ? lake_name : lake_name + "_" + volume_name;
}


std::string S3SecretSql(const config::VolumeConfig& v) {
  std::string sql = "CREATE OR REPLACE SECRET " + QuoteIdent("homer_volume_" + v.name) + " (TYPE S3";
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) sql += std::string(", ") + key + " " + QuoteLiteral(value);
  };
  add("KEY_ID", v.s3_access_key_id);
  add("SECRET", v.s3_secret_access_key);
  add("REGION", v.s3_region);
  add("ENDPOINT", v.s3_endpoint);
  add("URL_STYLE", v.s3_url_style.empty() ? std::string("path") : v.s3_url_style);
  sql += std::string(", USE_SSL ") + (v.s3_use_ssl ? "true" : "false");
  add("SCOPE", v.path);
  return sql + ")";
}

std::string AttachSql(const config::VolumeConfig& v, const std::string& catalog, bool read_only) {
  std::string sql = "ATTACH " + QuoteLiteral("ducklake:sqlite:" + v.catalog_path) + " AS " + QuoteIdent(catalog);
  std::vector<std::string> options;
  if (!v.path.empty()) options.push_back("DATA_PATH " + QuoteLiteral(v.path));
  if (v.override_data_path) options.push_back("OVERRIDE_DATA_PATH TRUE");
  if (read_only) options.push_back("READ_ONLY");
  if (!options.empty()) {
    sql += " (";
    for (size_t i = 0; i < options.size(); ++i) sql += (i ? ", " : "") + options[i];
    sql += ")";
  }
  return sql;
}

std::string DataPrefix(const config::VolumeConfig& v) {
  if (v.path.empty()) return std::filesystem::path(v.catalog_path).parent_path().string() + "/";
  if (v.path.rfind("s3://", 0) == 0 || v.path.back() == '/') return v.path;
  return v.path + "/";
}

arrow::Status AttachVolume(const duckdb::Connection& con, const config::VolumeConfig& v, const std::string& catalog,
                           bool read_only) {
  const std::string where = "volume '" + v.name + "' (catalog " + v.catalog_path + ")";
  if (v.catalog_path.rfind("s3://", 0) != 0 && !std::filesystem::exists(v.catalog_path)) {
    return arrow::Status::IOError(where, ": catalog file does not exist. Fix: point catalog_path at the ",
                                  "writer's catalog (HOMER's tiered writer names them <catalog>.sqlite for the first ",
                                  "volume and <catalog>_<name>.sqlite for the others)");
  }
  if (v.type == config::VolumeType::kS3) {
    auto st = Exec(con, S3SecretSql(v));
    // The statement holds the keys: report DuckDB's reason only, never the SQL.
    if (!st.ok()) return st.WithMessage(where, ": cannot create its S3 secret: ", st.message());
  }
  auto st = Exec(con, AttachSql(v, catalog, read_only));
  if (st.ok()) return st;
  std::string msg = where + ": cannot attach as " + catalog + ": " + st.message();
  if (st.message().find("DATA_PATH") != std::string::npos || st.message().find("data path") != std::string::npos) {
    msg += ". Fix: set the volume's path to the data path stored in the catalog, or set "
           "override_data_path: true to use the configured path";
  }
  return arrow::Status(st.code(), msg);
}

bool ErrorMentionsVolume(const std::string& message, const config::VolumeConfig& v) {
  const std::string prefix = DataPrefix(v);
  if (message.find(prefix) != std::string::npos) return true;
  if (v.type != config::VolumeType::kS3) return false;
  const std::string path = prefix.substr(5);  // bucket/prefix/
  const std::string bucket = path.substr(0, path.find('/'));
  const std::string key_prefix = path.substr(bucket.size());
  return message.find("/" + path) != std::string::npos ||
         (message.find(bucket + ".") != std::string::npos && message.find(key_prefix) != std::string::npos);
}

std::string StorageErrorHint(const std::string& message, const config::VolumeConfig& v) {
  auto has = [&](const char* text) { return message.find(text) != std::string::npos; };
  if (v.type != config::VolumeType::kS3) return "";
  if (has("NoSuchBucket")) return ". Fix: the bucket in the volume's path does not exist";
  if (has("SignatureDoesNotMatch") || has("InvalidAccessKeyId") || has("403") || has("AccessDenied")) {
    return ". Fix: check the volume's s3_access_key_id and s3_secret_access_key (and s3_region)";
  }
  if (has("Could not connect") || has("Could not establish") || has("Connection refused") || has("Timeout")) {
    return ". The S3 endpoint is unreachable; queries that need this volume fail until it is back";
  }
  return "";
}

}  // namespace homer::lake
