#pragma once
/// \file
/// A volume's date partitions as its DuckLake catalog lists them (live data files only): what
/// the storage policy plans moves, retention and compaction from, without scanning data.

#include <arrow/result.h>

#include <cstdint>
#include <string>
#include <vector>

#include "duckdb/database.h"

namespace homer::lake {

struct PartitionFiles {
  std::string date;         ///< YYYY-MM-DD
  int64_t files = 0;
  int64_t rows = 0;         ///< record counts of the files (deletions not subtracted)
  int64_t bytes = 0;
  bool all_compacted = false;  ///< every file written by a compaction or move (kCompactedFilePrefix)
  double newest_age_sec = 0;   ///< since the commit that added the newest file
};

/// Files the storage policy writes are named `<prefix><uuid>.parquet`.
inline constexpr const char* kCompactedFilePrefix = "homer-";

/// The tables of `catalog.main`.
arrow::Result<std::vector<std::string>> ListTables(const duckdb::Connection& con, const std::string& catalog);

/// `table`'s partitions in `catalog` (a DuckLake attach name), oldest first.
arrow::Result<std::vector<PartitionFiles>> ListPartitions(const duckdb::Connection& con, const std::string& catalog,
                                                          const std::string& table);

}  // namespace homer::lake
