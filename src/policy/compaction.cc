#include "policy/compaction.h"

#include "duckdb/sql_text.h"
#include "lake/commit_retry.h"
#include "lake/hep_tables.h"
#include "policy/crash_point.h"
#include "policy/partition_move.h"

namespace homer::policy {
namespace {

using duckdb::Exec;
using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

std::string DateIs(const std::string& op, const std::string& date) {
  return " WHERE " + QuoteIdent(lake::kPartitionColumn) + " " + op + " " + QuoteLiteral(date) + "::DATE";
}


}  // namespace

static arrow::Result<int64_t> RewriteSteps(const duckdb::Connection& con, const VolumeRef& volume, const std::string& table,
                                    const std::string& date, const FileLayout& layout);

arrow::Result<int64_t> ExpirePartitions(const duckdb::Connection& con, const VolumeRef& volume,
                                        const std::string& table, const std::string& cutoff) {
  const std::string name = QualifiedName(volume.catalog, "main", table), where = DateIs("<=", cutoff);
  ARROW_ASSIGN_OR_RAISE(auto rows, duckdb::QueryValue(con, "SELECT count(*) FROM " + name + where, {}));
  if (rows == "0") return 0;
  int64_t deleted = 0;
  ARROW_RETURN_NOT_OK(lake::RetryCommit([&]() -> arrow::Status {
    ARROW_ASSIGN_OR_RAISE(deleted, duckdb::ExecCount(con, "DELETE FROM " + name + where));
    return arrow::Status::OK();
  }));
  return deleted;
}

arrow::Result<int64_t> RewritePartition(const duckdb::Connection& con, const VolumeRef& volume,
                                        const std::string& table, const std::string& date, const FileLayout& layout) {
  auto rewritten = RewriteSteps(con, volume, table, date, layout);
  if (rewritten.ok()) return rewritten;
  return rewritten.status().WithMessage("rewrite of ", table, " ", date, " in ", volume.label, ": ",
                                        rewritten.status().message());
}

static arrow::Result<int64_t> RewriteSteps(const duckdb::Connection& con, const VolumeRef& volume, const std::string& table,
                                    const std::string& date, const FileLayout& layout) {
  const std::string name = QualifiedName(volume.catalog, "main", table), in_day = DateIs("=", date);
  ARROW_ASSIGN_OR_RAISE(auto limits, duckdb::QueryRows(con, "SELECT count(*), coalesce(max(rowid) + 1, 0) FROM " +
                                                                name + in_day));
  const int64_t rows = std::stoll(limits[0][0]);
  if (rows == 0) return 0;
  const std::string where = in_day + " AND rowid < " + limits[0][1];
  ARROW_ASSIGN_OR_RAISE(auto files,
                        WriteDayFiles(con, volume.catalog, table, where, rows, volume.data_prefix, date, layout));
  CrashPoint("rewrite:written");
  auto swapped = lake::RetryCommit([&] {
    return InTransaction(con, [&]() -> arrow::Status {
      ARROW_ASSIGN_OR_RAISE(int64_t deleted, duckdb::ExecCount(con, "DELETE FROM " + name + where));
      if (deleted != rows || files.rows != rows) {
        return arrow::Status::Invalid(deleted, " rows to replace, ", files.rows, " written, ", rows,
                                      " expected (the partition changed; tried again next time)");
      }
      for (const auto& f : files.paths) ARROW_RETURN_NOT_OK(Exec(con, AddDataFileSql(volume.catalog, table, f)));
      return arrow::Status::OK();
    });
  });
  if (!swapped.ok()) {
    RemoveUncommitted(files.paths);
    return swapped;
  }
  CrashPoint("rewrite:committed");
  return rows;
}

arrow::Status FlushInlined(const duckdb::Connection& con, const VolumeRef& volume, const std::string& table) {
  return lake::RetryCommit([&] {
    return Exec(con, "SELECT * FROM ducklake_flush_inlined_data(" + QuoteLiteral(volume.catalog) +
                         ", schema_name => 'main', table_name => " + QuoteLiteral(table) + ")");
  });
}

}  // namespace homer::policy
