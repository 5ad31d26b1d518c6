#include "config/catalog.h"

#include <filesystem>
#include <regex>

namespace homer::config {

const char* CatalogTypeName(CatalogType type) { return type == CatalogType::kPostgres ? "postgres" : "sqlite"; }

bool ParseCatalogType(const std::string& text, CatalogType* out) {
  if (text == "sqlite") *out = CatalogType::kSqlite;
  else if (text == "postgres") *out = CatalogType::kPostgres;
  else return false;
  return true;
}

std::string CatalogLabel(const VolumeConfig& v) {
  return v.catalog_type == CatalogType::kPostgres ? "postgres:" + v.catalog_dsn : v.catalog_path;
}

std::string LocalDirectory(const VolumeConfig& v) {
  if (v.catalog_type == CatalogType::kSqlite) return std::filesystem::path(v.catalog_path).parent_path().string();
  if (v.type == VolumeType::kS3) return "";
  std::string data = v.path;
  while (data.size() > 1 && data.back() == '/') data.pop_back();
  return std::filesystem::path(data).parent_path().string();
}

std::string NormalPath(const std::string& path) {
  std::error_code ec;
  return std::filesystem::absolute(path, ec).lexically_normal().string();
}

bool SamePath(const std::string& a, const std::string& b) { return NormalPath(a) == NormalPath(b); }

bool SameCatalog(const VolumeConfig& a, const VolumeConfig& b) {
  if (a.catalog_type != b.catalog_type) return false;
  if (a.catalog_type == CatalogType::kSqlite) return SamePath(a.catalog_path, b.catalog_path);
  return a.catalog_dsn == b.catalog_dsn;
}

std::string DsnProblem(const std::string& dsn) {
  static const std::regex kBlank(R"(^\s*$)");
  static const std::regex kUri(R"(^\s*postgres(ql)?://)", std::regex::icase);
  // libpq's keywords; `sslpassword` unlocks a client key, as secret as the password.
  static const std::regex kPassword(R"((^|\s)(ssl)?password\s*=)", std::regex::icase);
  if (std::regex_search(dsn, kBlank)) {
    return "required with catalog_type postgres: a libpq keyword/value string such as "
           "\"host=127.0.0.1 port=5432 dbname=homer user=homer\"";
  }
  if (std::regex_search(dsn, kUri)) {
    return "use libpq's keyword/value form (host=... port=... dbname=... user=...), not a URI";
  }
  if (std::regex_search(dsn, kPassword)) {
    return "must not hold a password (it would show wherever the catalog is named: logs, errors, stats)";
  }
  return "";
}

}  // namespace homer::config
