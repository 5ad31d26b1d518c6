#include "policy/day_files.h"

#include <filesystem>

#include "duckdb/sql_text.h"
#include "lake/partitions.h"

namespace homer::policy {
namespace {

namespace fs = std::filesystem;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

bool IsS3(const std::string& path) { return path.rfind("s3://", 0) == 0; }

/// A DuckDB list literal of strings: ['a', 'b'].
std::string ListLiteral(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + QuoteLiteral(items[i]);
  return out + "]";
}

}  // namespace

arrow::Result<WrittenFiles> WriteDayFiles(const duckdb::Connection& con, const std::string& select_sql,
                                          const std::string& data_prefix, const std::string& table,
                                          const std::string& date, const FileLayout& layout) {
  const std::string dir = data_prefix + "main/" + table + "/date=" + date;
  if (!IsS3(dir)) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return arrow::Status::IOError("cannot create ", dir, ": ", ec.message());
  }
  // APPEND: the folder holds the partition's other files. This write's files share a fresh id,
  // which finds them again (on S3 too) and never collides.
  ARROW_ASSIGN_OR_RAISE(const std::string id, duckdb::QueryValue(con, "SELECT gen_random_uuid()::VARCHAR", {}));
  const std::string stem = std::string(lake::kCompactedFilePrefix) + id;
  WrittenFiles out;
  ARROW_ASSIGN_OR_RAISE(out.rows, duckdb::ExecCount(con, "COPY (" + select_sql + ") TO " + QuoteLiteral(dir) +
                                                             " (FORMAT parquet, APPEND, FILENAME_PATTERN " +
                                                             QuoteLiteral(stem + "-{uuid}") + ", FILE_SIZE_BYTES " +
                                                             std::to_string(layout.max_file_size_bytes) +
                                                             ", ROW_GROUP_SIZE " +
                                                             std::to_string(layout.row_group_size) + ")"));
  ARROW_ASSIGN_OR_RAISE(auto counted,
                        duckdb::QueryRows(con, "SELECT file_name, num_rows FROM parquet_file_metadata(" +
                                                   QuoteLiteral(dir + "/" + stem + "-*.parquet") + ")"));
  // A writer thread that got no rows still leaves an empty file: not worth a catalog entry.
  std::vector<std::string> empty;
  for (const auto& row : counted) (row[1] == "0" ? empty : out.paths).push_back(row[0]);
  RemoveUncommitted(empty);
  return out;
}

std::string AddDataFileSql(const std::string& catalog, const std::string& table, const std::string& path) {
  return "CALL ducklake_add_data_files(" + QuoteLiteral(catalog) + ", " + QuoteLiteral(table) + ", " +
         QuoteLiteral(path) + ")";
}

void RemoveUncommitted(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (!IsS3(p)) fs::remove(p, ec);
  }
}

arrow::Result<int64_t> RegisteredBytes(const duckdb::Connection& con, const std::string& catalog,
                                       const std::vector<std::string>& paths) {
  if (paths.empty()) return 0;
  std::vector<std::string> names;
  for (const auto& p : paths) names.push_back(p.substr(p.find_last_of('/') + 1));
  ARROW_ASSIGN_OR_RAISE(auto bytes,
                        duckdb::QueryColumn(con, "SELECT coalesce(sum(file_size_bytes), 0) FROM " +
                                                     QuoteIdent("__ducklake_metadata_" + catalog) +
                                                     ".ducklake_data_file WHERE end_snapshot IS NULL AND "
                                                     "regexp_extract(path, '[^/]*$') IN (SELECT unnest(" +
                                                     ListLiteral(names) + "))"));
  return bytes.empty() ? 0 : std::stoll(bytes[0]);
}

}  // namespace homer::policy
