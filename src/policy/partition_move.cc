#include "policy/partition_move.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "duckdb/sql_text.h"
#include "lake/commit_gate.h"
#include "lake/commit_retry.h"
#include "lake/hep_tables.h"
#include "lake/move_marks.h"
#include "policy/crash_point.h"

namespace homer::policy {
namespace {

using duckdb::Exec;
using duckdb::QualifiedName;
using duckdb::QuoteIdent;
using duckdb::QuoteLiteral;

std::string DateFilter(const std::string& date, int64_t row_limit) {
  return DateWhere("=", date) + " AND rowid < " + std::to_string(row_limit);
}

}  // namespace

std::string DateWhere(const std::string& op, const std::string& date) {
  return " WHERE " + QuoteIdent(lake::kPartitionColumn) + " " + op + " " + QuoteLiteral(date) + "::DATE";
}

arrow::Result<int64_t> DeleteRows(const duckdb::Connection& con, const VolumeRef& volume,
                                  const std::string& qualified_table, const std::string& where) {
  ARROW_ASSIGN_OR_RAISE(auto left, duckdb::QueryValue(con, "SELECT count(*) FROM " + qualified_table + where, {}));
  if (left == "0") return 0;
  int64_t deleted = 0;
  ARROW_RETURN_NOT_OK(lake::RetryCommit([&] {
    return InTransaction(con, volume, [&]() -> arrow::Status {
      ARROW_ASSIGN_OR_RAISE(deleted, duckdb::ExecCount(con, "DELETE FROM " + qualified_table + where));
      return arrow::Status::OK();
    });
  }));
  return deleted;
}

arrow::Result<PartitionRows> CountPartition(const duckdb::Connection& con, const std::string& qualified_table,
                                            const std::string& date) {
  ARROW_ASSIGN_OR_RAISE(auto r, duckdb::QueryRows(con, "SELECT count(*), coalesce(max(rowid) + 1, 0) FROM " +
                                                           qualified_table + DateWhere("=", date)));
  return PartitionRows{std::stoll(r[0][0]), std::stoll(r[0][1])};
}

arrow::Status InTransaction(const duckdb::Connection& con, const VolumeRef& volume,
                            const std::function<arrow::Status()>& body) {
  // The whole transaction, not only COMMIT: ducklake_add_data_files and DELETE may take the
  // catalog's write lock before it.
  std::lock_guard gate(lake::CommitGate(volume.catalog_path));
  return duckdb::InTransaction(con, body);
}

arrow::Result<bool> EnsureTable(const duckdb::Connection& con, const VolumeRef& src, const VolumeRef& dst,
                                const std::string& table) {
  ARROW_ASSIGN_OR_RAISE(auto found, duckdb::QueryValue(con,
                                                       "SELECT count(*) FROM duckdb_tables() WHERE database_name = $1 "
                                                       "AND schema_name = 'main' AND table_name = $2",
                                                       {dst.catalog, table}));
  if (found != "0") return false;
  const std::string name = QualifiedName(dst.catalog, "main", table);
  ARROW_RETURN_NOT_OK(lake::RetryCommit([&] {
    return InTransaction(con, dst, [&] {
      ARROW_RETURN_NOT_OK(Exec(con, "CREATE TABLE IF NOT EXISTS " + name + " AS SELECT * FROM " +
                                        QualifiedName(src.catalog, "main", table) + " WITH NO DATA"));
      ARROW_RETURN_NOT_OK(Exec(con, "ALTER TABLE " + name + " SET PARTITIONED BY (" +
                                        QuoteIdent(lake::kPartitionColumn) + ")"));
      return Exec(con, "ALTER TABLE " + name + " SET SORTED BY (" + QuoteIdent(lake::kSortColumn) + " ASC)");
    });
  }));
  return true;
}

/// The steps; the caller adds what failed where to the message.
static arrow::Result<MoveResult> MoveSteps(const duckdb::Connection& con, const VolumeRef& src, const VolumeRef& dst,
                                    const std::string& table, const std::string& date, const FileLayout& layout) {
  ARROW_ASSIGN_OR_RAISE(bool created, EnsureTable(con, src, dst, table));
  if (created) return arrow::Status::Invalid("the destination table was missing (created now; moved next time)");
  ARROW_ASSIGN_OR_RAISE(auto partition, CountPartition(con, QualifiedName(src.catalog, "main", table), date));
  MoveResult result;
  const int64_t rows = partition.rows, row_limit = partition.row_limit;
  if (rows == 0) return result;
  const std::string where = DateFilter(date, row_limit);
  ARROW_ASSIGN_OR_RAISE(auto files,
                        WriteDayFiles(con, src.catalog, table, where, rows, dst.data_prefix, date, layout));
  if (files.rows != rows) {
    RemoveUncommitted(files.paths);
    return arrow::Status::Invalid("copied ", files.rows, " rows, expected ", rows,
                                  " (the partition changed; tried again next time)");
  }
  CrashPoint("move:written");
  auto committed = lake::RetryCommit([&] {
    return InTransaction(con, dst, [&]() -> arrow::Status {
      for (const auto& f : files.paths) ARROW_RETURN_NOT_OK(Exec(con, AddDataFileSql(dst.catalog, table, f)));
      return Exec(con, lake::RecordMoveSql(dst.catalog, table, date, row_limit, src.label));
    });
  });
  if (!committed.ok()) {
    RemoveUncommitted(files.paths);
    return committed.WithMessage("destination commit failed (source untouched): ", committed.message());
  }
  CrashPoint("move:committed");
  auto deleted = DeleteRows(con, src, QualifiedName(src.catalog, "main", table), DateFilter(date, row_limit));
  if (!deleted.ok()) {
    // The rows are hidden in the source already (the mark); FinishMoves deletes them later.
    return deleted.status().WithMessage("copied, source delete pending: ", deleted.status().message());
  }
  CrashPoint("move:deleted");
  result.rows = rows;
  result.files = static_cast<int>(files.paths.size());
  ARROW_ASSIGN_OR_RAISE(result.bytes, RegisteredBytes(con, dst.catalog, files.paths));
  return result;
}

arrow::Result<MoveResult> MovePartition(const duckdb::Connection& con, const VolumeRef& src, const VolumeRef& dst,
                                        const std::string& table, const std::string& date, const FileLayout& layout) {
  auto moved = MoveSteps(con, src, dst, table, date, layout);
  if (moved.ok()) return moved;
  return moved.status().WithMessage("move of ", table, " ", date, " from ", src.label, " to ", dst.label, ": ",
                                    moved.status().message());
}

arrow::Result<int64_t> FinishMoves(const duckdb::Connection& con, const VolumeRef& src, const VolumeRef& dst,
                                   int keep_marks_sec) {
  const std::string marks = lake::MovedTableName(dst.catalog);
  ARROW_ASSIGN_OR_RAISE(auto pending, duckdb::QueryRows(con, "SELECT table_name, date::VARCHAR, max(row_limit) FROM " +
                                                                 marks + " GROUP BY ALL ORDER BY ALL"));
  ARROW_ASSIGN_OR_RAISE(auto tables, duckdb::QueryColumn(con, "SELECT table_name FROM duckdb_tables() WHERE "
                                                              "database_name = " + QuoteLiteral(src.catalog) +
                                                              " AND schema_name = 'main'"));
  int64_t deleted = 0;
  for (const auto& m : pending) {
    if (std::find(tables.begin(), tables.end(), m[0]) == tables.end()) continue;
    ARROW_ASSIGN_OR_RAISE(int64_t n, DeleteRows(con, src, QualifiedName(src.catalog, "main", m[0]),
                                                DateFilter(m[1], std::stoll(m[2]))));
    if (n > 0) spdlog::info("storage policy: finished the move of {} {} to {}: {} source rows deleted", m[0], m[1],
                            dst.label, n);
    deleted += n;
  }
  // Old marks can go once their source rows have been gone a while (a query that bound the
  // source before a delete above could still be binding the destination).
  if (deleted > 0) return deleted;
  ARROW_RETURN_NOT_OK(DeleteRows(con, dst, marks,
                                 " WHERE moved_at < now() - to_seconds(" + std::to_string(keep_marks_sec) + ")")
                          .status());
  return deleted;
}

}  // namespace homer::policy
