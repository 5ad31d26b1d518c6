#pragma once
/// \file
/// Storage volumes: their attach names, the SQL that attaches one (ATTACH + its S3 secret) and
/// what became of it.

#include <arrow/status.h>

#include <string>

#include "config/server_config.h"
#include "duckdb/database.h"

namespace homer::lake {

/// The attach name of a volume: `default` -> lake_name, any other -> lake_name_name.
std::string CatalogName(const std::string& lake_name, const std::string& volume_name);

struct VolumeState {
  config::VolumeConfig config;
  std::string catalog;  ///< attach name (CatalogName)
  bool attached = false;
  std::string error;    ///< why it is not attached
};

/// `CREATE SECRET` scoped to the volume's s3:// path; every value a quoted literal.
std::string S3SecretSql(const config::VolumeConfig& volume);

/// `ATTACH 'ducklake:sqlite:<catalog_path>' AS <catalog> (DATA_PATH ..., READ_ONLY, ...)`.
std::string AttachSql(const config::VolumeConfig& volume, const std::string& catalog, bool read_only);

/// Create the volume's secret (S3) and attach it. The error names the volume, its catalog and
/// DuckDB's reason, plus the fix for the failures users hit (missing catalog, DATA_PATH
/// mismatch). Secrets never appear in the message.
arrow::Status AttachVolume(const duckdb::Connection& con, const config::VolumeConfig& volume, const std::string& catalog,
                           bool read_only);

/// The directory (local, with a trailing /) or s3:// prefix the volume's files live under.
std::string DataPrefix(const config::VolumeConfig& volume);

/// Does a DuckDB error message concern this volume's files (s3:// or path-style/vhost URLs)?
bool ErrorMentionsVolume(const std::string& message, const config::VolumeConfig& volume);

/// The likely fix for a storage error of this volume ("" when nothing specific is known).
std::string StorageErrorHint(const std::string& message, const config::VolumeConfig& volume);

}  // namespace homer::lake
