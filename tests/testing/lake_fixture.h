#pragma once
/// \file
/// Real DuckLake lakes in temporary folders, written by the real extension, for engine tests.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/server_config.h"
#include "duckdb/database.h"
#include "engine/engine.h"

namespace homer::testing {

/// A temporary directory removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string ExtensionDir();

/// A writer with the volume attached read-write (as HOMER's writer would have it), for
/// creating tables and committing rows while an engine serves the same lake.
class LakeWriter {
 public:
  /// Creates the catalog if absent.
  static LakeWriter Open(const config::VolumeConfig& volume, const std::string& alias = "w");
  void Exec(const std::string& sql);  ///< fails the test on error
  const std::string& alias() const { return alias_; }

 private:
  duckdb::Database db_;
  duckdb::Connection con_;
  std::string alias_;
};

/// A local volume `name` under `root`: catalog <root>/<name>.sqlite, data <root>/data/<name>/.
config::VolumeConfig LocalVolume(const std::filesystem::path& root, const std::string& name);

/// A config with these volumes, refresh and timeout short for tests.
config::ServerConfig TestConfig(const std::vector<config::VolumeConfig>& volumes);

/// The first column of the first row of `sql` run by `engine`, as BIGINT (-1, and the test
/// failed, when the query fails).
int64_t QueryInt64(engine::Engine& engine, const std::string& sql);

/// Run `sql` on `engine` to the end, profiled, and return its profile (files read by volume).
duckdb::QueryProfile ProfileQuery(engine::Engine& engine, const std::string& sql);

/// An engine over one `default` volume under `root` holding the empty table t (x INTEGER),
/// without a refresher: for tests of what sits on top of the engine. Null (and the test
/// failed) when it cannot open.
std::unique_ptr<engine::Engine> OpenOneTableEngine(const std::filesystem::path& root);

}  // namespace homer::testing
