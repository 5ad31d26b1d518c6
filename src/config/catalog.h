#pragma once
/// \file
/// A lake's catalog, whichever kind (a sqlite file or a PostgreSQL database): its name in logs and
/// errors, the folder for the process's local files, and whether two volumes share one.

#include <string>

#include "config/server_config.h"

namespace homer::config {

/// "sqlite" or "postgres".
const char* CatalogTypeName(CatalogType type);

/// Parse a `catalog_type` value; false when it is unknown.
bool ParseCatalogType(const std::string& text, CatalogType* out);

/// The catalog as logs, errors and stats show it: the sqlite file, or `postgres:<catalog_dsn>`
/// (safe to show: the loader refuses a DSN holding a password).
std::string CatalogLabel(const VolumeConfig& volume);

/// The folder for local files kept next to a volume (spill, token file, journal): the sqlite
/// catalog's folder; for postgres, the parent of a local data folder, "" (the working directory)
/// with s3 data.
std::string LocalDirectory(const VolumeConfig& volume);

/// An absolute, lexically normal path: the form two paths are compared in.
std::string NormalPath(const std::string& path);
bool SamePath(const std::string& a, const std::string& b);

/// Do two volumes name one catalog (the same sqlite file, or the same DSN)?
bool SameCatalog(const VolumeConfig& a, const VolumeConfig& b);

/// Why `dsn` cannot be a catalog_dsn, "" when it can. Never quotes the DSN: it may hold a password.
std::string DsnProblem(const std::string& dsn);

}  // namespace homer::config
