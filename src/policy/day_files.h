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

/// How the files are written (see README "Storage policy" for the measurements behind it).
struct FileLayout {
  int64_t max_file_size_bytes = 512LL * 1024 * 1024;
  int64_t row_group_size = 122880;
};

struct WrittenFiles {
  std::vector<std::string> paths;  ///< absolute (local) or s3:// paths, none empty
  int64_t rows = 0;
};

/// COPY `select_sql`'s rows to new files `homer-<uuid>.parquet` in
/// `<data_prefix>main/<table>/date=<date>/`.
arrow::Result<WrittenFiles> WriteDayFiles(const duckdb::Connection& con, const std::string& select_sql,
                                          const std::string& data_prefix, const std::string& table,
                                          const std::string& date, const FileLayout& layout);

/// `CALL ducklake_add_data_files(...)` for one written file.
std::string AddDataFileSql(const std::string& catalog, const std::string& table, const std::string& path);

/// Remove files written for a commit that did not happen (local files; on S3 they are left to
/// ducklake_delete_orphaned_files).
void RemoveUncommitted(const std::vector<std::string>& paths);

/// The summed size of files a catalog lists, by path.
arrow::Result<int64_t> RegisteredBytes(const duckdb::Connection& con, const std::string& catalog,
                                       const std::vector<std::string>& paths);

}  // namespace homer::policy
