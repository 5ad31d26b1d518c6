#include "policy/compaction.h"

#include "duckdb/sql_text.h"
#include "lake/commit_gate.h"
#include "lake/commit_retry.h"
#include "policy/crash_point.h"
#include "policy/partition_move.h"

namespace homer::policy {

using duckdb::Exec;
using duckdb::QualifiedName;
using duckdb::QuoteLiteral;

arrow::Result<int64_t> ExpirePartitions(const duckdb::Connection& con, const VolumeRef& volume,
                                        const std::string& table, const std::string& cutoff) {
  return DeleteRows(con, volume, QualifiedName(volume.catalog, "main", table), DateWhere("<=", cutoff));
}

/// The steps; the caller adds what failed where to the message.
static arrow::Result<int64_t> RewriteSteps(const duckdb::Connection& con, const VolumeRef& volume,
                                           const std::string& table, const std::string& date,
                                           const FileLayout& layout) {
  const std::string name = QualifiedName(volume.catalog, "main", table);
  ARROW_ASSIGN_OR_RAISE(auto partition, CountPartition(con, name, date));
  const int64_t rows = partition.rows;
  if (rows == 0) return 0;
  const std::string where = DateWhere("=", date) + " AND rowid < " + std::to_string(partition.row_limit);
  ARROW_ASSIGN_OR_RAISE(auto files,
                        WriteDayFiles(con, volume.catalog, table, where, rows, volume.data_prefix, date, layout));
  CrashPoint("rewrite:written");
  auto swapped = lake::RetryCommit([&] {
    return InTransaction(con, volume, [&]() -> arrow::Status {
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

arrow::Result<int64_t> RewritePartition(const duckdb::Connection& con, const VolumeRef& volume,
                                        const std::string& table, const std::string& date, const FileLayout& layout) {
  auto rewritten = RewriteSteps(con, volume, table, date, layout);
  if (rewritten.ok()) return rewritten;
  return rewritten.status().WithMessage("rewrite of ", table, " ", date, " in ", volume.label, ": ",
                                        rewritten.status().message());
}

arrow::Status FlushInlined(const duckdb::Connection& con, const VolumeRef& volume, const std::string& table) {
  return lake::RetryCommit([&] {
    std::lock_guard gate(lake::CommitGate(volume.catalog_path));  // the statement commits
    return Exec(con, "SELECT * FROM ducklake_flush_inlined_data(" + QuoteLiteral(volume.catalog) +
                         ", schema_name => 'main', table_name => " + QuoteLiteral(table) + ")");
  });
}

}  // namespace homer::policy
