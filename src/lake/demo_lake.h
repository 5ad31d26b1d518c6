#pragma once
/// \file
/// The demo-lake generator: writes a synthetic but realistic HOMER lake (SIP calls with full
/// message flows, registrations, OPTIONS pings, RTCP and QoS reports, logs) as two DuckLake
/// volumes, so a first run and the benchmarks have data without a capture agent.

#include <arrow/result.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace homer::lake {

struct DemoLakeOptions {
  std::string dir;                    ///< output folder (created)
  std::string lake_name = "homer_lake";
  int days = 7;                       ///< days of data ending today (UTC), oldest first
  int hot_days = 2;                   ///< the newest hot_days go to the hot volume, older days to cold
  int64_t calls_per_day = 2000;
  uint64_t seed = 42;                 ///< deterministic output for a given seed (and date)
  std::string extension_dir;          ///< DuckDB extension bundle
  std::function<void(const std::string&)> progress;  ///< optional progress lines for long runs
};

/// What was written, for the caller to build a node config from.
struct DemoLakeLayout {
  struct Volume {
    std::string name, catalog_path, data_path;
  };
  /// {"hot", <dir>/<lake>.sqlite, <dir>/data/hot/}, {"cold", <dir>/<lake>_cold.sqlite, <dir>/data/cold/}
  std::vector<Volume> volumes;
  int64_t rows_written = 0;
};

/// Write the demo lake into `options.dir`. Every table exists in both volumes, partitioned by
/// `date`; each day's rows are ordered by `timestamp` and land in
/// `<data_path>/main/<table>/date=YYYY-MM-DD/`. Fails with AlreadyExists, touching nothing, when
/// the folder already holds (part of) a lake; a failed run removes what it wrote.
arrow::Result<DemoLakeLayout> GenerateDemoLake(const DemoLakeOptions& options);

/// True when `dir` already holds a demo lake (both catalogs exist).
bool DemoLakeExists(const std::string& dir, const std::string& lake_name = "homer_lake");

/// A node configuration (JSON text, loopback only) serving the demo lake on `port`.
std::string DemoNodeConfig(const DemoLakeLayout& layout, int port);

/// A day since the epoch as YYYY-MM-DD: the date partition a day's files are written under.
std::string DateText(int64_t epoch_day);

}  // namespace homer::lake
