#include "lake/catalog_mirror.h"

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <utility>
#include <vector>

#include "duckdb/sql_text.h"
#include "lake/maintenance_lock.h"
#include "lake/sqlite_catalog.h"
#include "lake/volume.h"

namespace homer::lake {
namespace {

using duckdb::Exec;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

/// The DuckDB type DuckLake gives a column of DuckLake type `type` in a DuckDB catalog.
arrow::Result<std::string> DuckDbType(const std::string& type) {
  static const std::map<std::string, std::string> kTypes = {
      {"boolean", "BOOLEAN"},     {"int8", "TINYINT"},          {"int16", "SMALLINT"},
      {"int32", "INTEGER"},       {"int64", "BIGINT"},          {"int128", "HUGEINT"},
      {"uint8", "UTINYINT"},      {"uint16", "USMALLINT"},      {"uint32", "UINTEGER"},
      {"uint64", "UBIGINT"},      {"uint128", "UHUGEINT"},      {"float32", "FLOAT"},
      {"float64", "DOUBLE"},      {"varchar", "VARCHAR"},       {"blob", "BLOB"},
      {"json", "JSON"},           {"uuid", "UUID"},             {"date", "DATE"},
      {"time", "TIME"},           {"timetz", "TIMETZ"},         {"timestamp", "TIMESTAMP"},
      {"timestamptz", "TIMESTAMPTZ"}, {"timestamp_s", "TIMESTAMP_S"}, {"timestamp_ms", "TIMESTAMP_MS"},
      {"timestamp_ns", "TIMESTAMP_NS"}, {"interval", "INTERVAL"},
  };
  auto it = kTypes.find(type);
  if (it != kTypes.end()) return it->second;
  static const std::regex kDecimal(R"(decimal\((\d+),\s*(\d+)\))");
  std::smatch m;
  if (std::regex_match(type, m, kDecimal)) return "DECIMAL(" + m[1].str() + "," + m[2].str() + ")";
  return arrow::Status::NotImplemented("inlined column of DuckLake type '", type, "'");
}

/// `CREATE TABLE` for a table the live catalog has and the mirror not yet: DuckLake's
/// inlined-data tables (`ducklake_inlined_data_<table id>_<schema version>`) with the DuckDB
/// types of the table's columns; any other one as the staging file types it.
arrow::Result<std::string> CreateTableSql(const duckdb::Connection& con, const std::string& staging,
                                          const std::string& metadata, const std::string& table,
                                          const std::vector<std::string>& names) {
  const std::string target = duckdb::QualifiedName(metadata, "main", table);
  const std::string source = duckdb::QualifiedName(staging, "main", table);
  static const std::regex kInlined(R"(ducklake_inlined_data_(\d+)_(\d+))");
  std::smatch m;
  if (!std::regex_match(table, m, kInlined)) return "CREATE TABLE " + target + " AS FROM " + source + " LIMIT 0";
  // The latest definition of each column name of the table (a changed type makes a new schema
  // version, so a new inlined table; widening the older one's values is what DuckLake reads).
  ARROW_ASSIGN_OR_RAISE(auto types,
                        duckdb::QueryRows(con, "SELECT column_name, column_type FROM " +
                                                   duckdb::QualifiedName(staging, "main", "ducklake_column") +
                                                   " WHERE parent_column IS NULL AND table_id = " + m[1].str() +
                                                   " ORDER BY begin_snapshot"));
  std::map<std::string, std::string> type_of;
  for (const auto& row : types) type_of[row.at(0)] = row.at(1);
  std::string sql = "CREATE TABLE " + target + " (";
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& name = names[i];
    std::string type = "BIGINT";  // row_id, begin_snapshot, end_snapshot
    if (name != "row_id" && name != "begin_snapshot" && name != "end_snapshot") {
      auto it = type_of.find(name);
      if (it == type_of.end()) return arrow::Status::Invalid(table, ": no column '", name, "' in ducklake_column");
      ARROW_ASSIGN_OR_RAISE(type, DuckDbType(it->second));
    }
    sql += (i ? ", " : "") + QuoteIdent(name) + " " + type;
  }
  return sql + ")";
}

std::string WithoutSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

/// Where the volume's data files are: its configured path, else the path stored in the catalog.
/// A configured path that differs from the stored one is refused as DuckLake refuses it (unless
/// override_data_path): the live catalog's attach then says why and how to fix it.
arrow::Result<std::string> DataPath(const duckdb::Connection& con, const config::VolumeConfig& volume,
                                    const std::string& staging) {
  ARROW_ASSIGN_OR_RAISE(auto stored, duckdb::QueryColumn(con, "SELECT value FROM " +
                                                                  duckdb::QualifiedName(staging, "main",
                                                                                        "ducklake_metadata") +
                                                                  " WHERE key = 'data_path' AND scope IS NULL"));
  std::string path = stored.empty() ? "" : stored.front();
  if (!path.empty() && path.find("://") == std::string::npos && path.front() != '/') {  // relative to the catalog
    path = (std::filesystem::path(volume.catalog_path).parent_path() / path).string();
  }
  if (volume.path.empty()) return path.empty() ? DataPrefix(volume) : path;
  if (!path.empty() && !volume.override_data_path && WithoutSlash(path) != WithoutSlash(DataPrefix(volume))) {
    return arrow::Status::Invalid("the catalog's data path ", path, " is not the volume's path");
  }
  return DataPrefix(volume);
}

}  // namespace

arrow::Result<std::unique_ptr<CatalogMirror>> CatalogMirror::Attach(const duckdb::Connection& con,
                                                                    const config::VolumeConfig& volume,
                                                                    const std::string& catalog,
                                                                    const std::string& work_dir) {
  std::unique_ptr<CatalogMirror> m(new CatalogMirror());
  m->live_path_ = volume.catalog_path;
  m->staging_path_ = (std::filesystem::path(work_dir) / (catalog + ".sqlite")).string();
  m->catalog_ = catalog;
  m->metadata_ = MetadataCatalogName(catalog);
  if (!std::filesystem::exists(volume.catalog_path)) {
    return arrow::Status::IOError("catalog ", volume.catalog_path, " does not exist");
  }
  ARROW_RETURN_NOT_OK(m->Capture().status());
  if (volume.type == config::VolumeType::kS3) ARROW_RETURN_NOT_OK(Exec(con, S3SecretSql(volume)));
  // Attached for good, never detached: DuckDB crashed enumerating catalogs (duckdb_columns())
  // while another connection detached one. Each capture rewrites the file under it; SQLite
  // rereads a changed file, and DuckDB's sqlite catalog sees new tables and columns.
  ARROW_RETURN_NOT_OK(Exec(con, "ATTACH IF NOT EXISTS " + QuoteLiteral(m->staging_path_) + " AS " +
                                    QuoteIdent(m->Staging()) + " (TYPE sqlite, READ_ONLY)"));
  // The data path is read from the copy before DuckLake takes the mirror over.
  ARROW_ASSIGN_OR_RAISE(auto data_path, DataPath(con, volume, m->Staging()));
  // Read-write: DuckLake refuses READ_ONLY over a metadata database it did not attach itself.
  // Queries cannot write (the sandbox lets one SELECT through), and it is a private copy.
  ARROW_RETURN_NOT_OK(Exec(con, "ATTACH 'ducklake::memory:' AS " + QuoteIdent(catalog) + " (METADATA_CATALOG " +
                                    QuoteLiteral(m->metadata_) + ", DATA_PATH " + QuoteLiteral(data_path) + ")"));
  // Once: DuckLake created these; later ones are the ones Publish creates.
  ARROW_ASSIGN_OR_RAISE(m->mirrored_, duckdb::QueryColumn(con, "SELECT table_name FROM duckdb_tables() WHERE "
                                                               "database_name = " + QuoteLiteral(m->metadata_) +
                                                               " AND schema_name = 'main'"));
  auto st = m->Publish(con);
  if (!st.ok()) {
    (void)m->Detach(con);
    return st;
  }
  return m;
}

arrow::Result<bool> CatalogMirror::Capture() {
  arrow::Result<bool> changed = false;
  // Not while this process's vacuum writes the catalog (through DuckDB's own SQLite): next round.
  MaintenanceLock::UnlessHeldHere(live_path_, [&] { changed = CaptureNow(); });
  return changed;
}

arrow::Result<bool> CatalogMirror::CaptureNow() {
  // A new file at the path needs a new connection. (Never closed while the vacuum above runs:
  // closing a file drops every lock the process holds on it, the vacuum's too.)
  if (live_ && live_->Replaced()) live_.reset();
  if (!live_) {
    ARROW_ASSIGN_OR_RAISE(live_, LiveCatalog::Open(live_path_));
    version_ = -1;
  }
  // Read before the copy: a commit landing during the copy changes it again.
  ARROW_ASSIGN_OR_RAISE(int64_t version, live_->Version());
  if (version == version_) return false;
  ARROW_ASSIGN_OR_RAISE(staged_, live_->CopyTo(staging_path_));
  version_ = version;
  pending_ = true;
  return true;
}

arrow::Status CatalogMirror::Publish(const duckdb::Connection& con) {
  if (!pending_) return arrow::Status::OK();
  const std::string staging = Staging();
  std::vector<std::string> created;
  auto copy = [&]() -> arrow::Status {
    const std::set<std::string> mirrored(mirrored_.begin(), mirrored_.end());
    std::vector<std::string> creates;  // prepared outside the transaction (they read the staging file)
    for (const auto& [table, columns] : staged_) {
      if (mirrored.count(table)) continue;
      ARROW_ASSIGN_OR_RAISE(auto sql, CreateTableSql(con, staging, metadata_, table, columns));
      creates.push_back(std::move(sql));
      created.push_back(table);
    }
    return duckdb::InTransaction(con, [&]() -> arrow::Status {
      for (const auto& sql : creates) ARROW_RETURN_NOT_OK(Exec(con, sql));
      for (const auto& [table, columns] : staged_) {
        const std::string target = duckdb::QualifiedName(metadata_, "main", table);
        // A new table each time, not DELETE: DuckDB reclaims deleted rows only in whole row groups
        // (122,880 rows) and never in a table with an index (DuckLake gives five of these a primary
        // key), so the copy grew by the catalog at every publish (~60 MB/min under a writer
        // committing ~10 times a second). The old table is freed once no query reads it. Same types
        // (DuckLake's), no constraints: nothing writes here.
        if (mirrored.count(table)) {
          ARROW_RETURN_NOT_OK(Exec(con, "CREATE OR REPLACE TABLE " + target + " AS FROM " + target + " LIMIT 0"));
        }
        ARROW_RETURN_NOT_OK(Exec(con, "INSERT INTO " + target + " BY NAME SELECT * FROM " +
                                          duckdb::QualifiedName(staging, "main", table)));
      }
      // Emptied, never dropped: DuckLake may remember a table it read at an older snapshot.
      for (const auto& table : mirrored_) {
        if (staged_.count(table)) continue;
        ARROW_RETURN_NOT_OK(Exec(con, "DELETE FROM " + duckdb::QualifiedName(metadata_, "main", table)));
      }
      return arrow::Status::OK();
    });
  };
  auto st = copy();
  if (!st.ok()) return st.WithMessage("catalog ", live_path_, ": publishing its copy failed: ", st.message());
  mirrored_.insert(mirrored_.end(), created.begin(), created.end());
  pending_ = false;
  return arrow::Status::OK();
}

arrow::Status CatalogMirror::Detach(const duckdb::Connection& con) {
  auto st = Exec(con, "DETACH DATABASE IF EXISTS " + QuoteIdent(catalog_));
  auto meta = Exec(con, "DETACH DATABASE IF EXISTS " + QuoteIdent(metadata_));
  return st.ok() ? meta : st;
}

}  // namespace homer::lake
