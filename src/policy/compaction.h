#pragma once
/// \file
/// Jobs on one volume: retention (delete old date partitions) and the rewrite of a closed date
/// partition into the search layout (policy/day_files.h). Each is one DuckLake commit, so
/// readers see the partition before or after it, never a mix.

#include <arrow/result.h>

#include <cstdint>
#include <string>

#include "duckdb/database.h"
#include "policy/day_files.h"
#include "policy/volume_ref.h"

namespace homer::policy {

/// Delete `table`'s partitions with date <= `cutoff` (YYYY-MM-DD); returns the rows deleted.
arrow::Result<int64_t> ExpirePartitions(const duckdb::Connection& con, const VolumeRef& volume,
                                        const std::string& table, const std::string& cutoff);

/// Rewrite `table`'s partition `date` as new files and swap them in: in one commit the rows
/// with rowid below the partition's current limit are deleted and the files added. Rows written
/// meanwhile stay. Returns the rows rewritten.
arrow::Result<int64_t> RewritePartition(const duckdb::Connection& con, const VolumeRef& volume,
                                        const std::string& table, const std::string& date, const FileLayout& layout);

/// Flush rows DuckLake inlined in the catalog database into Parquet files (main tables only:
/// the marks tables stay inlined).
arrow::Status FlushInlined(const duckdb::Connection& con, const VolumeRef& volume, const std::string& table);

}  // namespace homer::policy
