#include "lake/volume.h"

#include <algorithm>
#include <filesystem>

#include "config/catalog.h"
#include "duckdb/sql_text.h"

namespace homer::lake {

using duckdb::Exec;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

std::string CatalogName(const std::string& lake_name, const std::string& volume_name) {
  return volume_name == "default" ? lake_name : lake_name + "_" + volume_name;
}

std::string MetadataCatalogName(const std::string& catalog) { return "__ducklake_metadata_" + catalog; }


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

namespace {

bool IsPostgres(const config::VolumeConfig& v) { return v.catalog_type == config::CatalogType::kPostgres; }

/// One secret per attachment: the writer's and the node's of one catalog may use different roles.
std::string PostgresSecretName(const std::string& catalog) { return catalog + "__catalog_password"; }

/// The likely fix for a failed ATTACH of a postgres catalog ("" when nothing specific is known).
std::string PostgresAttachHint(const std::string& message) {
  auto has = [&](const char* text) { return message.find(text) != std::string::npos; };
  if (has("password authentication failed") || has("no password supplied")) {
    return ". Fix: check catalog_password (or its HOMER_..._CATALOG_PASSWORD variable) and the user in catalog_dsn";
  }
  if (has("disabled through configuration")) {
    return ". A postgres catalog is attached at start only (the query sandbox then locks external access): "
           "restart the node once PostgreSQL is reachable";
  }
  if (has("Connection refused") || has("could not connect") || has("timeout expired")) {
    return ". Fix: is PostgreSQL running and reachable at the host and port of catalog_dsn?";
  }
  return "";
}

}  // namespace

std::string WithoutSecrets(std::string message, const config::VolumeConfig& v) {
  for (const auto* secret : {&v.s3_secret_access_key, &v.s3_access_key_id, &v.catalog_password}) {
    for (size_t at; !secret->empty() && (at = message.find(*secret)) != std::string::npos;) {
      message.replace(at, secret->size(), "***");
    }
  }
  return message;
}

std::string PostgresSecretSql(const config::VolumeConfig& v, const std::string& catalog) {
  return "CREATE OR REPLACE SECRET " + QuoteIdent(PostgresSecretName(catalog)) +
         " (TYPE postgres, PASSWORD " + QuoteLiteral(v.catalog_password) + ")";
}

std::vector<std::string> VolumeExtensions(const std::vector<config::VolumeConfig>& volumes) {
  std::vector<std::string> out;
  const auto add = [&](const char* name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  };
  for (const auto& v : volumes) {
    if (v.type == config::VolumeType::kS3) add("httpfs");
    if (IsPostgres(v)) add("postgres_scanner");
  }
  return out;
}

std::string AttachSql(const config::VolumeConfig& v, const std::string& catalog, bool read_only) {
  const std::string location =
      IsPostgres(v) ? "ducklake:postgres:" + v.catalog_dsn : "ducklake:sqlite:" + v.catalog_path;
  std::string sql = "ATTACH " + QuoteLiteral(location) + " AS " + QuoteIdent(catalog);
  std::vector<std::string> options;
  if (!v.path.empty()) options.push_back("DATA_PATH " + QuoteLiteral(v.path));
  if (IsPostgres(v) && !v.catalog_password.empty()) {
    options.push_back("METADATA_PARAMETERS MAP {'SECRET': " + QuoteLiteral(PostgresSecretName(catalog)) + "}");
  }
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
  const std::string where = "volume '" + v.name + "' (catalog " + config::CatalogLabel(v) + ")";
  if (!IsPostgres(v) && v.catalog_path.rfind("s3://", 0) != 0 && !std::filesystem::exists(v.catalog_path)) {
    return arrow::Status::IOError(where, ": catalog file does not exist. Fix: point catalog_path at the ",
                                  "writer's catalog (HOMER's tiered writer names them <catalog>.sqlite for the first ",
                                  "volume and <catalog>_<name>.sqlite for the others)");
  }
  if (v.type == config::VolumeType::kS3) {
    auto st = Exec(con, S3SecretSql(v));
    // The statement holds the keys: report DuckDB's reason only, never the SQL.
    if (!st.ok()) return st.WithMessage(where, ": cannot create its S3 secret: ", st.message());
  }
  if (IsPostgres(v) && !v.catalog_password.empty()) {
    auto st = Exec(con, PostgresSecretSql(v, catalog));
    if (!st.ok()) {
      return st.WithMessage(where, ": cannot create its password secret: ", WithoutSecrets(st.message(), v));
    }
  }
  auto st = Exec(con, AttachSql(v, catalog, read_only));
  if (st.ok()) return st;
  std::string msg = where + ": cannot attach as " + catalog + ": " + WithoutSecrets(st.message(), v);
  if (IsPostgres(v)) msg += PostgresAttachHint(msg);
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
