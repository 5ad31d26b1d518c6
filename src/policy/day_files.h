#pragma once
/// \file
/// A date partition rewritten as new Parquet files under a volume's table folder, then added
/// to its DuckLake table (ducklake_add_data_files) by the caller's transaction. Moves and
/// compaction both write through here, so every file they leave has the search layout below.

#include <arrow/result.h>

#include <cstdint>
#include <string>
#include <vector>

#include "duckdb/database.h"

namespace homer::policy {

/// How the files are written, for HOMER's searches: a day is split into files by ranges of
/// `split_column` (quantiles of that day), so a Call-ID search opens one file per day (DuckLake's
/// per-file min/max skips the others); rows keep their time order inside each file (time-range
/// searches still skip row groups); small row groups with Parquet bloom filters on every
/// dictionary-encoded column (session_id, cid, caller, callee) leave one row group to decode for a
/// hit. A Call-ID search pays per file it opens and per row group it checks in them, time searches
/// per file and per row group they read: files of ~64K rows in 8K-row groups are the measured
/// balance (README "Storage policy": 8 files a day of 4K-row groups, 64 files, or 16K-row groups
/// were each worse for one of the three searches).
struct FileLayout {
  int64_t max_file_size_bytes = 512LL * 1024 * 1024;
  int64_t row_group_size = 8192;  ///< a Call-ID hit decodes one group: 16384 cost ~3 ms more
  /// Columns with at most this many distinct values in a row group are dictionary-encoded, and
  /// get a bloom filter (DuckDB writes them for dictionary columns only).
  int64_t dictionary_size_limit = 4096;
  double bloom_false_positive_ratio = 0.001;
  std::string split_column = "session_id";  ///< a table without it is not split
  int64_t rows_per_file = 65536;  ///< a day is split in files of about this many rows
  int max_files_per_day = 256;    ///< and never in more (a day of over 16M rows has larger files)

  /// How many files a day of `rows` rows is split in.
  int FilesFor(int64_t rows) const;
};

struct WrittenFiles {
  std::vector<std::string> paths;  ///< absolute (local) or s3:// paths, none empty
  int64_t rows = 0;
};

/// COPY the `rows` rows of `catalog.main.table` `where` (a WHERE clause) to new files
/// `homer-<uuid>.parquet` in `<data_prefix>main/<table>/date=<date>/`, in scan (time) order.
arrow::Result<WrittenFiles> WriteDayFiles(const duckdb::Connection& con, const std::string& catalog,
                                          const std::string& table, const std::string& where, int64_t rows,
                                          const std::string& data_prefix, const std::string& date,
                                          const FileLayout& layout);

/// `CALL ducklake_add_data_files(...)` for one written file.
std::string AddDataFileSql(const std::string& catalog, const std::string& table, const std::string& path);

/// Remove files written for a commit that did not happen (local files; on S3 they are left to
/// ducklake_delete_orphaned_files).
void RemoveUncommitted(const std::vector<std::string>& paths);

/// The summed size of files a catalog lists, by path.
arrow::Result<int64_t> RegisteredBytes(const duckdb::Connection& con, const std::string& catalog,
                                       const std::vector<std::string>& paths);

}  // namespace homer::policy
