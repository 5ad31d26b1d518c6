#include "policy/day_files.h"

#include <algorithm>
#include <filesystem>

#include "duckdb/sql_text.h"
#include "lake/partitions.h"
#include "lake/volume.h"

namespace homer::policy {
namespace {

namespace fs = std::filesystem;
using duckdb::ListLiteral;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

bool IsS3(const std::string& path) { return path.rfind("s3://", 0) == 0; }

/// WHERE conditions that cut `column` into ranges at `bounds` (sorted, distinct); NULLs go
/// with the first range, so every row is in exactly one.
std::vector<std::string> RangeConditions(const std::string& column, const std::vector<std::string>& bounds) {
  const std::string c = QuoteIdent(column);
  if (bounds.empty()) return {"true"};
  std::vector<std::string> out = {"(" + c + " < " + QuoteLiteral(bounds[0]) + " OR " + c + " IS NULL)"};
  for (size_t i = 1; i < bounds.size(); ++i) {
    out.push_back(c + " >= " + QuoteLiteral(bounds[i - 1]) + " AND " + c + " < " + QuoteLiteral(bounds[i]));
  }
  out.push_back(c + " >= " + QuoteLiteral(bounds.back()));
  return out;
}

/// The split points of `column` for `files` files: quantiles of the rows, distinct, sorted.
arrow::Result<std::vector<std::string>> SplitBounds(const duckdb::Connection& con, const std::string& source,
                                                    const std::string& where, const std::string& column,
                                                    int files) {
  if (files < 2) return std::vector<std::string>{};
  std::string fractions;
  for (int i = 1; i < files; ++i) fractions += (i > 1 ? ", " : "") + std::to_string(double(i) / files);
  return duckdb::QueryColumn(con, "SELECT DISTINCT unnest(quantile_disc(" + QuoteIdent(column) + ", [" + fractions +
                                      "])) AS b FROM " + source + " " + where + " ORDER BY b");
}

}  // namespace

int FileLayout::FilesFor(int64_t rows) const {
  const int64_t per_file = std::max<int64_t>(1, rows_per_file);
  return static_cast<int>(std::clamp<int64_t>((rows + per_file / 2) / per_file, 1, max_files_per_day));
}

arrow::Result<WrittenFiles> WriteDayFiles(const duckdb::Connection& con, const std::string& catalog,
                                          const std::string& table, const std::string& where, int64_t rows,
                                          const std::string& data_prefix, const std::string& date,
                                          const FileLayout& layout) {
  const std::string dir = data_prefix + "main/" + table + "/date=" + date;
  if (!IsS3(dir)) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return arrow::Status::IOError("cannot create ", dir, ": ", ec.message());
  }
  const std::string source = duckdb::QualifiedName(catalog, "main", table);
  ARROW_ASSIGN_OR_RAISE(auto has_split, duckdb::QueryValue(con, "SELECT count(*) FROM duckdb_columns() WHERE "
                                                                "database_name = $1 AND schema_name = 'main' AND "
                                                                "table_name = $2 AND column_name = $3",
                                                           {catalog, table, layout.split_column}));
  const int files = has_split == "0" ? 1 : layout.FilesFor(rows);
  ARROW_ASSIGN_OR_RAISE(auto bounds, SplitBounds(con, source, where, layout.split_column, files));
  // APPEND: the folder holds the partition's other files. This write's files share a fresh id,
  // which finds them again (on S3 too) and never collides.
  ARROW_ASSIGN_OR_RAISE(const std::string id, duckdb::QueryValue(con, "SELECT gen_random_uuid()::VARCHAR", {}));
  const std::string stem = std::string(lake::kCompactedFilePrefix) + id;
  const std::string options =
      " (FORMAT parquet, APPEND, FILENAME_PATTERN " + QuoteLiteral(stem + "-{uuid}") + ", FILE_SIZE_BYTES " +
      std::to_string(layout.max_file_size_bytes) + ", ROW_GROUP_SIZE " + std::to_string(layout.row_group_size) +
      ", DICTIONARY_SIZE_LIMIT " + std::to_string(layout.dictionary_size_limit) +
      ", BLOOM_FILTER_FALSE_POSITIVE_RATIO " + std::to_string(layout.bloom_false_positive_ratio) + ")";
  WrittenFiles out;
  for (const auto& range : RangeConditions(layout.split_column, bounds)) {
    const std::string filter = where + (range == "true" ? "" : " AND " + range);
    ARROW_ASSIGN_OR_RAISE(int64_t n, duckdb::ExecCount(con, "COPY (SELECT * FROM " + source + " " + filter + ") TO " +
                                                                QuoteLiteral(dir) + options));
    out.rows += n;
  }
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
                                                     QuoteIdent(lake::MetadataCatalogName(catalog)) +
                                                     ".ducklake_data_file WHERE end_snapshot IS NULL AND "
                                                     "regexp_extract(path, '[^/]*$') IN (SELECT unnest(" +
                                                     ListLiteral(names) + "))"));
  return bytes.empty() ? 0 : std::stoll(bytes[0]);
}

}  // namespace homer::policy
