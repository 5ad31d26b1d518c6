#pragma once
/// \file
/// What a finished query read, from DuckDB's own profiler: the files each lake scan opened.
/// This is how pruning is proven (a hot-only query opens no cold file), not estimated.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "duckdb/database.h"

namespace homer::duckdb {

struct ScanProfile {
  std::string table;
  int64_t files_read = 0;
  std::string first_file;  ///< identifies the volume the scan belongs to
};

struct QueryProfile {
  std::vector<ScanProfile> scans;
  /// Volume name -> files read; every attached volume appears, with 0 when not read.
  std::map<std::string, int64_t> files_read_by_volume;
  int64_t rows_scanned = 0;
  double latency_seconds = 0;
};

/// The scans of the last query run on `con` (profiling enabled on that connection).
QueryProfile ReadQueryProfile(const Connection& con);

}  // namespace homer::duckdb
