#pragma once
/// \file
/// Storage volumes: their attach names, the SQL that attaches one (ATTACH + its S3 secret) and
/// what became of it.

#include <arrow/status.h>

#include <string>
#include <vector>

#include "config/server_config.h"
#include "duckdb/database.h"

namespace homer::lake {

/// The attach name of a volume: `default` -> lake_name, any other -> lake_name_name.
std::string CatalogName(const std::string& lake_name, const std::string& volume_name);

/// The database DuckDB attaches a DuckLake catalog `catalog`'s metadata as (unquoted).
std::string MetadataCatalogName(const std::string& catalog);

struct VolumeState {
  config::VolumeConfig config;
  std::string catalog;  ///< attach name (CatalogName)
  bool attached = false;
  std::string error;    ///< why it is not attached
};

/// `CREATE SECRET` scoped to the volume's s3:// path; every value a quoted literal.
std::string S3SecretSql(const config::VolumeConfig& volume);

/// `CREATE SECRET` holding a postgres catalog's password (DuckLake's ATTACH names it), so the
/// password is never part of a connection string DuckDB may quote in an error.
std::string PostgresSecretSql(const config::VolumeConfig& volume, const std::string& catalog);

/// `ATTACH 'ducklake:sqlite:<catalog_path>' AS <catalog> (DATA_PATH ..., READ_ONLY, ...)`, or
/// `'ducklake:postgres:<catalog_dsn>'` with the password's secret in METADATA_PARAMETERS.
std::string AttachSql(const config::VolumeConfig& volume, const std::string& catalog, bool read_only);

/// The bundled extensions these volumes need besides ducklake: httpfs for s3 data,
/// postgres_scanner for a postgres catalog.
std::vector<std::string> VolumeExtensions(const std::vector<config::VolumeConfig>& volumes);

/// Create the volume's secrets (S3, postgres password) and attach it. The error names the volume,
/// its catalog and DuckDB's reason, plus the fix for the failures users hit (missing catalog,
/// DATA_PATH mismatch, postgres login). Secrets never appear in the message.
arrow::Status AttachVolume(const duckdb::Connection& con, const config::VolumeConfig& volume, const std::string& catalog,
                           bool read_only);

/// `message` with the volume's S3 keys and catalog password masked (***).
std::string WithoutSecrets(std::string message, const config::VolumeConfig& volume);

/// The directory (local, with a trailing /) or s3:// prefix the volume's files live under.
std::string DataPrefix(const config::VolumeConfig& volume);

/// Does a DuckDB error message concern this volume's files (s3:// or path-style/vhost URLs)?
bool ErrorMentionsVolume(const std::string& message, const config::VolumeConfig& volume);

/// The likely fix for a storage error of this volume ("" when nothing specific is known).
std::string StorageErrorHint(const std::string& message, const config::VolumeConfig& volume);

}  // namespace homer::lake
