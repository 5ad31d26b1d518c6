#pragma once

#include <arrow/result.h>

#include <map>
#include <string>

#include "config/server_config.h"

namespace homer::config {

/// Environment variables that may override the file, e.g. HOMER_NODE_FLIGHT_SERVER_PORT or
/// HOMER_NODE_DUCKLAKE_VOLUMES_0_CATALOG_PATH.
using Environment = std::map<std::string, std::string>;

/// The process environment's HOMER_NODE_*, HOMER_INGEST_* and HOMER_STORAGE_* variables.
Environment ProcessEnvironment();

/// Parse and validate a JSON config document. Every problem is reported in one Invalid status,
/// one line each, naming the key as a JSON path ($.node.ducklake.volumes[0].type) and the reason.
arrow::Result<ServerConfig> ParseConfig(const std::string& json_text, const Environment& env);

/// The volume the writer fills, as the node attaches it: storage.ducklake's catalog and data
/// path (S3 keys from storage.ducklake.s3 for an s3:// data path).
VolumeConfig StorageVolume(const StorageDuckLakeConfig& storage, const std::string& name);

/// Read `path` and ParseConfig it.
arrow::Result<ServerConfig> LoadConfig(const std::string& path, const Environment& env);

}  // namespace homer::config
